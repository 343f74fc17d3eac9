"""The run file of ``pim run CONFIG``: a platform (preset, path or inline) and workloads.

.. code-block:: yaml

    platform: samsung-hbm-pim        # a preset name, a YAML path, or an inline mapping
    backend: chipcommons             # or: pimsimulator (needs pimsimulator.binary)
    pimsimulator: {binary: /opt/PIMSimulator/sim}
    workloads:
      - {kind: gemv, rows: 4096, cols: 4096}
      - {kind: add, elements: 1048576}
      - {kind: decoder_layer, hidden: 4096, ffn: 11008}
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, ValidationError

from core.errors import ParseError

from .config import (
    Platform,
    load_platform,
    load_yaml,
    node_line,
    platform_from_data,
    validation_error,
)
from .workloads import Workload, decoder_layer


class PimSimulatorConfig(BaseModel):
    model_config = ConfigDict(extra="forbid")
    binary: Path
    workdir: Path | None = None
    timeout_s: float = Field(600.0, gt=0)


class RunConfig(BaseModel):
    model_config = ConfigDict(extra="forbid", arbitrary_types_allowed=True)
    platform: Platform
    backend: Literal["chipcommons", "pimsimulator"] = "chipcommons"
    pimsimulator: PimSimulatorConfig | None = None
    workloads: list[Any] = Field(min_length=1)


_WORKLOAD = TypeAdapter(Workload)


def _workload(item: Any, root: Any, source: str, idx: int) -> Any:
    if isinstance(item, dict) and item.get("kind") == "decoder_layer":
        extra = set(item) - {"kind", "hidden", "ffn", "name"}
        if extra:
            raise ParseError(f"workloads.{idx}: unknown field(s) {sorted(extra)}",
                             source=source, line=None)
        try:
            return decoder_layer(int(item.get("hidden", 4096)), int(item.get("ffn", 11008)),
                                 str(item.get("name", "")))
        except (TypeError, ValueError) as exc:
            raise ParseError(f"workloads.{idx}: {exc}", source=source) from None
    try:
        return _WORKLOAD.validate_python(item)
    except ValidationError as exc:
        raise validation_error(exc, root, source, ("workloads", idx)) from None


def load_run_config(path: str | Path) -> RunConfig:
    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8")
    except OSError as exc:
        raise ParseError(f"cannot read run file: {exc.strerror}", source=str(p)) from None
    data, root = load_yaml(text, str(p))
    source = str(p)
    if not isinstance(data, dict):
        raise ParseError("the run file must be a mapping with 'platform' and 'workloads'",
                         source=source, line=1)
    unknown = set(data) - {"platform", "backend", "pimsimulator", "workloads"}
    if unknown:
        key = sorted(unknown)[0]
        raise ParseError(f"{key}: unknown field", source=source, line=node_line(root, (key,)))
    plat_in = data.get("platform", "samsung-hbm-pim")
    if isinstance(plat_in, dict):
        platform = platform_from_data(plat_in, root, source, ("platform",))
    elif isinstance(plat_in, str):
        ref = Path(plat_in)
        if not ref.is_absolute() and (p.parent / ref).is_file():
            ref = p.parent / ref
        platform = load_platform(ref if ref.is_file() else plat_in)
    else:
        raise ParseError("platform: must be a preset name, a path or a mapping", source=source,
                         line=node_line(root, ("platform",)))
    items = data.get("workloads")
    if not isinstance(items, list) or not items:
        raise ParseError("workloads: must be a non-empty list", source=source,
                         line=node_line(root, ("workloads",)))
    workloads = [_workload(it, root, source, i) for i, it in enumerate(items)]
    try:
        return RunConfig(platform=platform, backend=data.get("backend", "chipcommons"),
                         pimsimulator=data.get("pimsimulator"), workloads=workloads)
    except ValidationError as exc:
        raise validation_error(exc, root, source) from None
