"""The Hub's method table: every public method states who may call it, next to its definition.

``@rpc("leases.checkout", roles=ANY_USER, write=True)`` on a Hub method registers it. The table is
data: the RPC dispatcher looks methods up here, the clients decode results with the return type
recorded here, and a test walks every (method, role) pair against it.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Iterator, Mapping
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
    on_connection: bool = False


_SPEC_ATTR = "__chipcommons_rpc__"


def rpc(name: str, *, roles: frozenset[str], write: bool = False,
        on_connection: bool = False) -> Callable[[F], F]:
    """Mark a Hub method as public under ``name``, callable by ``roles``.

    ``write=True`` methods run in a write transaction, are audited by the method itself and are
    idempotent under a client request id. ``on_connection=True`` write methods get
    ``ctx.connection`` (their transaction's Connection) and make the ORM session only if they
    touch ``ctx.session``: the hot paths (checkout, return, heartbeat) run without one.
    """

    def mark(func: F) -> F:
        setattr(func, _SPEC_ATTR, (name, frozenset(roles), write, on_connection))
        return func

    return mark


def _build_spec(attr: str, func: Callable[..., Any]) -> MethodSpec:
    name, roles, write, on_connection = getattr(func, _SPEC_ATTR)
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
                      doc=inspect.getdoc(func) or "", on_connection=on_connection and write)


class MethodTable(Mapping[str, MethodSpec]):
    """RPC name → :class:`MethodSpec`, building each spec (a pydantic model) on first use, so a
    process that serves a few calls does not pay for validating models of every method."""

    def __init__(self, functions: dict[str, tuple[str, Callable[..., Any]]]) -> None:
        self._functions = functions
        self._specs: dict[str, MethodSpec] = {}

    def __getitem__(self, name: str) -> MethodSpec:
        spec = self._specs.get(name)
        if spec is None:
            attr, func = self._functions[name]
            spec = self._specs[name] = _build_spec(attr, func)
        return spec

    def __iter__(self) -> Iterator[str]:
        return iter(self._functions)

    def __len__(self) -> int:
        return len(self._functions)


def collect(cls: type) -> MethodTable:
    """All ``@rpc`` methods of ``cls`` (including its mixins), by RPC name."""
    functions: dict[str, tuple[str, Callable[..., Any]]] = {}
    for attr in dir(cls):
        func = getattr(cls, attr, None)
        if callable(func) and hasattr(func, _SPEC_ATTR):
            name = getattr(func, _SPEC_ATTR)[0]
            if name in functions:
                raise RuntimeError(f"RPC method {name} defined twice")
            functions[name] = (attr, func)
    return MethodTable(functions)
