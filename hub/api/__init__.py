"""The Hub facade: the only entry to the centre's state.

Every public method is declared with ``@rpc`` in one of the mixins below, stating the roles that
may call it. Domain work happens in ``core``, ``licensing``, ``curriculum`` and ``remote``; the
mixins open no transactions of their own — :class:`hub.hubcore.HubCore` does that per call.
"""

from __future__ import annotations

from hub.api.accounts import AccountsApi
from hub.api.farm import FarmApi
from hub.api.licensing import LicensingApi
from hub.api.system import SystemApi
from hub.hubcore import HubCore


class Hub(SystemApi, AccountsApi, LicensingApi, FarmApi, HubCore):
    """One centre. Construct with an engine; call :meth:`call` with the acting user's login."""


__all__ = ["Hub"]
