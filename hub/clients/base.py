"""The client interface both transports implement.

``client.call("leases.checkout", feature="vcs", seats=2)`` returns the method's declared return
type (dataclasses, pydantic models, lists of them), decoded from JSON with the type the method
table records — so the in-process and SSH clients return exactly the same values. State-changing
calls get a fresh request id unless the caller passes one; a retry reuses it, so it is applied
once.
"""

from __future__ import annotations

import itertools
import threading
import uuid
from abc import ABC, abstractmethod
from collections.abc import Callable
from typing import Any

from core.errors import ChipError
from hub.api import Hub
from hub.hubcore import MethodNotFound
from hub.registry import MethodSpec
from hub.rpc import exception_from_error, request

NotificationCallback = Callable[[dict[str, Any]], None]


class HubClient(ABC):
    """A connection to one centre, acting as one user."""

    def __init__(self) -> None:
        self._ids = itertools.count(1)
        self._listeners: list[NotificationCallback] = []
        self._listeners_lock = threading.Lock()

    # -- calls -----------------------------------------------------------------------------------

    def call(self, method: str, /, *, request_id: str | None = None,
             timeout: float | None = None, **params: Any) -> Any:
        spec = self.spec(method)
        if spec.write and request_id is None:
            request_id = uuid.uuid4().hex
        message = request(method, _jsonable_params(spec, params), next(self._ids), request_id)
        response = self._roundtrip(message, timeout=timeout, idempotent=True)
        if "error" in response:
            raise exception_from_error(response["error"])
        return spec.result.validate_python(response.get("result"))

    def call_raw(self, message: dict[str, Any], timeout: float | None = None) -> dict[str, Any]:
        """Send an already-built JSON-RPC message (used by tests of malformed input)."""
        return self._roundtrip(message, timeout=timeout, idempotent=False)

    @staticmethod
    def spec(method: str) -> MethodSpec:
        spec = Hub.METHODS.get(method)
        if spec is None:
            raise MethodNotFound(f"unknown method {method!r}", method=method)
        return spec

    @abstractmethod
    def _roundtrip(self, message: dict[str, Any], *, timeout: float | None,
                   idempotent: bool) -> dict[str, Any]:
        """Send one request and return the response object."""

    # -- notifications ---------------------------------------------------------------------------

    def subscribe(self, callback: NotificationCallback) -> None:
        with self._listeners_lock:
            self._listeners.append(callback)

    def unsubscribe(self, callback: NotificationCallback) -> None:
        with self._listeners_lock:
            if callback in self._listeners:
                self._listeners.remove(callback)

    def _emit(self, payload: dict[str, Any]) -> None:
        with self._listeners_lock:
            listeners = list(self._listeners)
        for callback in listeners:
            try:
                callback(payload)
            except Exception:  # a listener's bug must not kill the connection
                import logging

                logging.getLogger(__name__).exception("notification listener failed")

    # -- lifecycle -------------------------------------------------------------------------------

    @property
    @abstractmethod
    def description(self) -> str:
        """Where this client is connected, for status bars and logs."""

    @property
    @abstractmethod
    def login(self) -> str:
        """The acting user's login."""

    def close(self) -> None:  # noqa: B027 - optional hook
        """Release the connection."""

    def __enter__(self) -> HubClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _jsonable_params(spec: MethodSpec, params: dict[str, Any]) -> dict[str, Any]:
    """Encode parameters as JSON the way the server will decode them."""
    try:
        model = spec.params.model_construct(**params)
        dumped = model.model_dump(mode="json", exclude_unset=True, warnings=False)
    except Exception:  # let the server report the precise validation error
        return params
    return {k: dumped.get(k, v) for k, v in params.items()}


__all__ = ["ChipError", "HubClient", "NotificationCallback"]
