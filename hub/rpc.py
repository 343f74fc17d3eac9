"""JSON-RPC 2.0, newline-delimited: the codec and the dispatcher, shared by both transports.

A request is one line: ``{"jsonrpc": "2.0", "id": 7, "method": "leases.checkout",
"params": {...}, "request_id": "…"}``. ``request_id`` is ChipCommons' extension member: the
client's idempotency key for state-changing calls. Errors carry ``code``, ``message`` and
``data`` (``data.type`` is the stable error code of :mod:`core.errors`).
"""

from __future__ import annotations

import json
import logging
from typing import Any

from core.errors import BY_CODE, ChipError
from hub.batch import WriteBatch
from hub.hubcore import HubCore, MethodNotFound

log = logging.getLogger(__name__)

MAX_REQUEST_BYTES = 8 * 1024 * 1024
PARSE_ERROR = -32700
INVALID_REQUEST = -32600
METHOD_NOT_FOUND = -32601
INVALID_PARAMS = -32602
INTERNAL_ERROR = -32603


class RpcError(ChipError):
    """A JSON-RPC error from the other side whose type this client does not know."""

    code = "rpc_error"


class ConnectionLost(ChipError):
    code = "connection_lost"
    rpc_code = -32040


def encode(message: dict[str, Any]) -> bytes:
    return json.dumps(message, ensure_ascii=False, separators=(",", ":")).encode() + b"\n"


def request(method: str, params: dict[str, Any], call_id: int | str,
            request_id: str | None = None) -> dict[str, Any]:
    message: dict[str, Any] = {"jsonrpc": "2.0", "id": call_id, "method": method,
                               "params": params}
    if request_id is not None:
        message["request_id"] = request_id
    return message


def notification(method: str, params: dict[str, Any]) -> dict[str, Any]:
    return {"jsonrpc": "2.0", "method": method, "params": params}


def error_response(call_id: Any, code: int, message: str,
                   data: dict[str, Any] | None = None) -> dict[str, Any]:
    err: dict[str, Any] = {"code": code, "message": message}
    if data is not None:
        err["data"] = data
    return {"jsonrpc": "2.0", "id": call_id, "error": err}


def error_from_exception(call_id: Any, exc: ChipError) -> dict[str, Any]:
    return error_response(call_id, exc.rpc_code, exc.message, {"type": exc.code, **exc.data})


def exception_from_error(error: dict[str, Any]) -> ChipError:
    """Turn a JSON-RPC error object back into the ChipError it came from."""
    data = dict(error.get("data") or {})
    kind = data.pop("type", None)
    message = str(error.get("message", "error"))
    cls = BY_CODE.get(kind) if isinstance(kind, str) else None
    if cls is None:
        cls = {METHOD_NOT_FOUND: MethodNotFound}.get(error.get("code"), RpcError)  # type: ignore[arg-type]
    exc = cls.__new__(cls)
    ChipError.__init__(exc, message, **data)
    return exc


BY_CODE.setdefault(MethodNotFound.code, MethodNotFound)
BY_CODE.setdefault(ConnectionLost.code, ConnectionLost)


def decode_line(line: bytes) -> tuple[Any, bytes | None]:
    """A request line decoded, or the encoded error that answers it instead."""
    if len(line) > MAX_REQUEST_BYTES:
        return None, encode(error_response(None, INVALID_REQUEST,
                                           f"request larger than {MAX_REQUEST_BYTES} bytes"))
    try:
        return json.loads(line), None
    except (ValueError, UnicodeDecodeError) as exc:
        return None, encode(error_response(None, PARSE_ERROR, f"malformed JSON: {exc}"))


class Dispatcher:
    """Decode one request line, call the Hub as ``login``, encode the answer."""

    def __init__(self, hub: HubCore, login: str, *, refusal: ChipError | None = None,
                 key: str | None = None) -> None:
        self.hub = hub
        self.login = login
        self.refusal = refusal
        self.key = key

    def handle_line(self, line: bytes) -> bytes | None:
        """Answer one line; ``None`` for a notification (a request without an id)."""
        message, refused = decode_line(line)
        return refused if refused is not None else self.answer(message)

    def answer(self, message: Any, batch: WriteBatch | None = None) -> bytes | None:
        """Answer a decoded request (see :func:`decode_line`); ``batch`` as in
        :meth:`HubCore.call` (the answer then holds only once the batch commits)."""
        response = self.handle(message, batch)
        return None if response is None else encode(response)

    def handle(self, message: Any, batch: WriteBatch | None = None) -> dict[str, Any] | None:
        if isinstance(message, list):
            return error_response(None, INVALID_REQUEST, "batch requests are not supported")
        if not isinstance(message, dict) or message.get("jsonrpc") != "2.0":
            return error_response(None, INVALID_REQUEST, "not a JSON-RPC 2.0 request")
        call_id = message.get("id")
        is_notification = "id" not in message
        method = message.get("method")
        params = message.get("params", {})
        if not isinstance(method, str):
            return error_response(call_id, INVALID_REQUEST, "method must be a string")
        if not isinstance(params, dict):
            return error_response(call_id, INVALID_PARAMS,
                                  "params must be an object of named parameters")
        if call_id is not None and not isinstance(call_id, str | int):
            return error_response(None, INVALID_REQUEST, "id must be a string or a number")
        try:
            if self.refusal is not None:
                raise self.refusal
            result = self.hub.call(self.login, method, params,
                                   request_id=message.get("request_id"), key=self.key,
                                   batch=batch)
        except ChipError as exc:
            return None if is_notification else error_from_exception(call_id, exc)
        except Exception as exc:  # a bug: answer, log, keep serving
            log.exception("internal error in %s", method)
            return None if is_notification else error_response(
                call_id, INTERNAL_ERROR, f"internal error: {type(exc).__name__}")
        return None if is_notification else {"jsonrpc": "2.0", "id": call_id, "result": result}
