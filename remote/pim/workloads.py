"""Workloads the PIM model runs: GEMV, element-wise ADD/MUL, RELU, and sequences of them."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field


class _W(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    name: str = ""


class Gemv(_W):
    """y[rows] = W[rows x cols] · x[cols] (``rows`` outputs, ``cols`` inputs)."""

    kind: Literal["gemv"] = "gemv"
    rows: int = Field(gt=0, description="output dimension")
    cols: int = Field(gt=0, description="input dimension")

    def label(self) -> str:
        return self.name or f"GEMV {self.rows}x{self.cols}"


class Eltwise(_W):
    kind: Literal["add", "mul", "relu"]
    elements: int = Field(gt=0)

    def label(self) -> str:
        return self.name or f"{self.kind.upper()} {self.elements}"


Kernel = Annotated[Gemv | Eltwise, Field(discriminator="kind")]


class Sequence(_W):
    """Kernels run one after another (e.g. the GEMVs of one LLM decoder layer)."""

    kind: Literal["sequence"] = "sequence"
    steps: list[Kernel] = Field(min_length=1)

    def label(self) -> str:
        return self.name or f"sequence of {len(self.steps)}"


Workload = Annotated[Gemv | Eltwise | Sequence, Field(discriminator="kind")]


def decoder_layer(hidden: int = 4096, ffn: int = 11008, name: str = "") -> Sequence:
    """The GEMVs (plus the residual ADDs) of one LLaMA-style decoder layer at batch 1."""
    return Sequence(name=name or f"decoder layer d={hidden} ffn={ffn}", steps=[
        Gemv(name="Q", rows=hidden, cols=hidden), Gemv(name="K", rows=hidden, cols=hidden),
        Gemv(name="V", rows=hidden, cols=hidden), Gemv(name="O", rows=hidden, cols=hidden),
        Eltwise(name="residual 1", kind="add", elements=hidden),
        Gemv(name="gate", rows=ffn, cols=hidden), Gemv(name="up", rows=ffn, cols=hidden),
        Eltwise(name="gate*up", kind="mul", elements=ffn),
        Gemv(name="down", rows=hidden, cols=ffn),
        Eltwise(name="residual 2", kind="add", elements=hidden),
    ])
