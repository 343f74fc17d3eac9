"""Hub methods for licence pools: availability, leases, queue, reservations, quotas, FlexLM."""

from __future__ import annotations


class LicensingApi:
    """Licence-pool methods (filled in by the licence-pool work)."""
