"""The Hub's method table: every public method states who may call it, next to its definition.

``@rpc("leases.checkout", roles=ANY_USER, write=True)`` on a Hub method registers it. The table is
data: the RPC dispatcher looks methods up here, the clients decode results with the return type
recorded here, and a test walks every (method, role) pair against it.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar, get_type_hints

from pydantic import BaseModel, ConfigDict, TypeAdapter, create_model

from core.models.accounts import Role

F = TypeVar("F", bound=Callable[..., Any])

ADMIN = frozenset({Role.ADMIN.value})
STAFF = frozenset({Role.ADMIN.value, Role.INSTRUCTOR.value})
ANY_USER = frozenset(r.value for r in Role)
FARM_USERS = frozenset({Role.ADMIN.value, Role.ENGINEER.value, Role.INSTRUCTOR.value,
                        Role.STUDENT.value})


@dataclass(frozen=True)
class MethodSpec:
    name: str
    roles: frozenset[str]
    write: bool
    attr: str
    params: type[BaseModel]
    result: TypeAdapter[Any]
    doc: str


_SPEC_ATTR = "__chipcommons_rpc__"


def rpc(name: str, *, roles: frozenset[str], write: bool = False) -> Callable[[F], F]:
    """Mark a Hub method as public under ``name``, callable by ``roles``.

    ``write=True`` methods run in a write transaction, are audited by the method itself and are
    idempotent under a client request id.
    """

    def mark(func: F) -> F:
        setattr(func, _SPEC_ATTR, (name, frozenset(roles), write))
        return func

    return mark


def _build_spec(attr: str, func: Callable[..., Any]) -> MethodSpec:
    name, roles, write = getattr(func, _SPEC_ATTR)
    hints = get_type_hints(func)
    sig = inspect.signature(func)
    fields: dict[str, Any] = {}
    for pname, param in list(sig.parameters.items())[2:]:  # skip self, ctx
        annotation = hints.get(pname, Any)
        default = ... if param.default is inspect.Parameter.empty else param.default
        fields[pname] = (annotation, default)
    model_name = "Params_" + name.replace(".", "_")
    params = create_model(  # type: ignore[call-overload]
        model_name, __config__=ConfigDict(extra="forbid", strict=False), **fields)
    return MethodSpec(name=name, roles=roles, write=write, attr=attr, params=params,
                      result=TypeAdapter(hints.get("return", Any)),
                      doc=inspect.getdoc(func) or "")


def collect(cls: type) -> dict[str, MethodSpec]:
    """All ``@rpc`` methods of ``cls`` (including its mixins), by RPC name."""
    table: dict[str, MethodSpec] = {}
    for attr in dir(cls):
        func = getattr(cls, attr, None)
        if callable(func) and hasattr(func, _SPEC_ATTR):
            spec = _build_spec(attr, func)
            if spec.name in table:
                raise RuntimeError(f"RPC method {spec.name} defined twice")
            table[spec.name] = spec
    return table
