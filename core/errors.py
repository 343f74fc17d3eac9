"""Error types with stable codes.

Every error a user can meet is a :class:`ChipError` subclass with a stable string ``code`` and a
stable JSON-RPC error number. The hub's RPC layer maps them one to one; the desktop maps each code
to one translated message. Never renumber: scripts and older clients rely on them.
"""

from __future__ import annotations

from typing import Any, ClassVar


class ChipError(Exception):
    """Base of all domain errors. ``data`` is plain JSON-serialisable detail."""

    code: ClassVar[str] = "error"
    rpc_code: ClassVar[int] = -32000

    def __init__(self, message: str, **data: Any) -> None:
        super().__init__(message)
        self.message = message
        self.data: dict[str, Any] = data

    def to_dict(self) -> dict[str, Any]:
        return {"code": self.code, "message": self.message, "data": self.data}


class InvalidInput(ChipError):
    code = "invalid_input"
    rpc_code = -32602


class NotFound(ChipError):
    code = "not_found"
    rpc_code = -32004


class Forbidden(ChipError):
    code = "forbidden"
    rpc_code = -32003


class Unauthenticated(ChipError):
    code = "unauthenticated"
    rpc_code = -32001


class AccountDisabled(ChipError):
    code = "account_disabled"
    rpc_code = -32002


class Conflict(ChipError):
    code = "conflict"
    rpc_code = -32009


class SeatsUnavailable(ChipError):
    code = "seats_unavailable"
    rpc_code = -32010


class QuotaExceeded(ChipError):
    code = "quota_exceeded"
    rpc_code = -32011


class NotEligible(ChipError):
    code = "not_eligible"
    rpc_code = -32012


class LimitExceeded(ChipError):
    code = "limit_exceeded"
    rpc_code = -32013


class Expired(ChipError):
    code = "expired"
    rpc_code = -32014


class DatabaseUnavailable(ChipError):
    code = "database_unavailable"
    rpc_code = -32020


class ParseError(InvalidInput):
    """A file could not be parsed. ``line`` (1-based) names where, when known."""

    code = "parse_error"
    rpc_code = -32021

    def __init__(self, message: str, *, source: str = "", line: int | None = None,
                 **data: Any) -> None:
        where = f"{source}:{line}: " if source and line else (f"line {line}: " if line else "")
        super().__init__(f"{where}{message}", source=source, line=line, **data)
        self.line = line
        self.source = source


class InfrastructureError(ChipError):
    code = "infrastructure_error"
    rpc_code = -32030


class TokenInvalid(ChipError):
    code = "token_invalid"
    rpc_code = -32015


ALL_ERRORS: tuple[type[ChipError], ...] = (
    ChipError, InvalidInput, NotFound, Forbidden, Unauthenticated, AccountDisabled, Conflict,
    SeatsUnavailable, QuotaExceeded, NotEligible, LimitExceeded, Expired, DatabaseUnavailable,
    ParseError, InfrastructureError, TokenInvalid,
)

BY_CODE: dict[str, type[ChipError]] = {cls.code: cls for cls in ALL_ERRORS}
