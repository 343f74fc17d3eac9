"""Lease tokens: short-lived, Ed25519-signed claims naming user, feature, seats, lease and expiry.

The hub issues one with every checkout and renewal; it expires with the lease's TTL, so a
renewed lease needs the new token. ``chipcommons-run`` calls :func:`verify_lease_token` with the
centre's public key before it starts a licensed tool.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from core import claims
from core.errors import Expired, TokenInvalid

TOKEN_KIND = "chipcommons-lease/1"
KEY_FILE = Path("keys") / "lease_ed25519"
CLOCK_SKEW_SECONDS = 60


@dataclass(frozen=True)
class LeaseClaims:
    lease_id: int
    user: str
    feature: str
    seats: int
    issued_at: datetime
    expires_at: datetime
    centre: str


def key_path(centre_home: Path) -> Path:
    return centre_home / KEY_FILE


def issue(key: Ed25519PrivateKey, *, lease_id: int, user: str, feature: str, seats: int,
          now: datetime, expires_at: datetime, centre: str = "") -> str:
    return claims.sign({"typ": TOKEN_KIND, "lid": lease_id, "sub": user, "ftr": feature,
                        "n": seats, "iat": int(now.timestamp()),
                        "exp": int(expires_at.timestamp()), "ctr": centre}, key)


def verify_lease_token(token: str, public_key: Ed25519PublicKey, feature: str,
                       now: datetime) -> LeaseClaims:
    """Check signature, kind, expiry and feature; return the claims or raise with the reason.

    Raises :class:`TokenInvalid` (forged, altered, malformed, for another feature) or
    :class:`Expired`.
    """
    data = claims.verify(token, public_key)
    if data.get("typ") != TOKEN_KIND:
        raise TokenInvalid("this is not a ChipCommons lease token")
    try:
        result = LeaseClaims(int(data["lid"]), str(data["sub"]), str(data["ftr"]),
                             int(data["n"]), datetime.fromtimestamp(int(data["iat"]), UTC),
                             datetime.fromtimestamp(int(data["exp"]), UTC),
                             str(data.get("ctr", "")))
    except (KeyError, TypeError, ValueError) as exc:
        raise TokenInvalid("the lease token lacks a field") from exc
    if now.timestamp() >= result.expires_at.timestamp():
        raise Expired(f"the lease token for {result.feature} (lease {result.lease_id}) expired "
                      f"at {result.expires_at:%Y-%m-%d %H:%M:%S} UTC; renew the lease",
                      lease=result.lease_id)
    if result.issued_at.timestamp() > now.timestamp() + CLOCK_SKEW_SECONDS:
        raise TokenInvalid("the lease token was issued in the future (check the clocks)")
    if result.feature != feature:
        raise TokenInvalid(f"the lease token is for {result.feature}, not {feature}",
                           token_feature=result.feature, feature=feature)
    return result
