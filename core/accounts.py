"""Accounts: organisations, users, roles and SSH public keys (domain functions)."""

from __future__ import annotations

import base64
import hashlib
import re
from dataclasses import dataclass
from datetime import date, datetime

from cryptography.hazmat.primitives.asymmetric.rsa import RSAPublicKey
from cryptography.hazmat.primitives.serialization import load_ssh_public_key
from sqlalchemy import select
from sqlalchemy.orm import Session

from core.errors import Conflict, InvalidInput, NotFound
from core.models.accounts import ROLES, Organisation, OrgKind, SshKey, User, UserRole
from core.timeutil import utcnow

LOGIN_RE = re.compile(r"^[a-z_][a-z0-9._-]{0,63}$")
ORG_CODE_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")
ALLOWED_KEY_TYPES = frozenset({
    "ssh-ed25519", "ecdsa-sha2-nistp256", "ecdsa-sha2-nistp384", "ecdsa-sha2-nistp521",
    "ssh-rsa", "sk-ssh-ed25519@openssh.com", "sk-ecdsa-sha2-nistp256@openssh.com",
})
MIN_RSA_BITS = 2048
#: a comment may not carry anything that ends or escapes an authorized_keys line
_COMMENT_RE = re.compile(r"^[^\x00-\x1f\x7f]{0,200}$")


@dataclass(frozen=True)
class OrgInfo:
    code: str
    name_en: str
    name_ko: str
    kind: str
    eligible_from: date | None
    eligible_until: date | None
    suspended: bool


@dataclass(frozen=True)
class UserInfo:
    login: str
    name_en: str
    name_ko: str
    email: str
    org: str
    org_kind: str
    roles: tuple[str, ...]
    disabled: bool


@dataclass(frozen=True)
class PublicKey:
    key_type: str
    key_data: str
    comment: str
    fingerprint: str

    @property
    def openssh(self) -> str:
        return f"{self.key_type} {self.key_data}" + (f" {self.comment}" if self.comment else "")


@dataclass(frozen=True)
class KeyInfo:
    """One registered SSH public key, as the admin and its owner see it."""

    login: str
    key_type: str
    fingerprint: str
    comment: str
    added_at: datetime
    revoked_at: datetime | None

    @property
    def active(self) -> bool:
        return self.revoked_at is None


def org_info(org: Organisation) -> OrgInfo:
    return OrgInfo(org.code, org.name_en, org.name_ko, org.kind, org.eligible_from,
                   org.eligible_until, org.suspended)


def user_info(user: User) -> UserInfo:
    return UserInfo(user.login, user.name_en, user.name_ko, user.email, user.organisation.code,
                    user.organisation.kind, tuple(sorted(user.roles)), user.disabled)


def parse_public_key(text: str) -> PublicKey:
    """Parse one OpenSSH public key line (``type base64 [comment]``) and fingerprint it.

    Refused: more than one line, a private key, key types other than Ed25519, ECDSA and RSA,
    RSA under :data:`MIN_RSA_BITS` bits, and comments with control characters (a newline in a
    comment would start a second, unrestricted ``authorized_keys`` line).
    """
    text = text.strip()
    if "PRIVATE KEY" in text:
        raise InvalidInput("this is a private key; give the public key (the .pub file) and "
                           "keep the private key to yourself")
    if "\n" in text or "\r" in text:
        raise InvalidInput("give one public key line, not several")
    parts = text.split(None, 2)
    if len(parts) < 2:
        raise InvalidInput("not an OpenSSH public key line (expected 'type base64 [comment]')")
    key_type, key_data = parts[0], parts[1]
    comment = parts[2].strip() if len(parts) > 2 else ""
    if not _COMMENT_RE.match(comment):
        raise InvalidInput("the key's comment must be at most 200 characters, without control "
                           "characters")
    if key_type not in ALLOWED_KEY_TYPES:
        raise InvalidInput(f"key type {key_type!r} is not accepted (use Ed25519, ECDSA or RSA)",
                           key_type=key_type)
    try:
        blob = base64.b64decode(key_data, validate=True)
        loaded = None if key_type.startswith("sk-") else \
            load_ssh_public_key(f"{key_type} {key_data}".encode())
    except (ValueError, TypeError) as exc:
        raise InvalidInput(f"the public key does not decode: {exc}") from exc
    if isinstance(loaded, RSAPublicKey) and loaded.key_size < MIN_RSA_BITS:
        raise InvalidInput(f"an RSA key of {loaded.key_size} bits is too weak (at least "
                           f"{MIN_RSA_BITS}; Ed25519 is better)", bits=loaded.key_size)
    digest = base64.b64encode(hashlib.sha256(blob).digest()).decode().rstrip("=")
    return PublicKey(key_type, key_data, comment, f"SHA256:{digest}")


def get_org(session: Session, code: str) -> Organisation:
    org = session.scalar(select(Organisation).where(Organisation.code == code))
    if org is None:
        raise NotFound(f"no organisation {code!r}", org=code)
    return org


def get_user(session: Session, login: str) -> User:
    user = session.scalar(select(User).where(User.login == login))
    if user is None:
        raise NotFound(f"no user {login!r}", user=login)
    return user


def add_org(session: Session, code: str, name_en: str, kind: str, *, name_ko: str = "",
            eligible_from: date | None = None, eligible_until: date | None = None) -> Organisation:
    if not ORG_CODE_RE.match(code):
        raise InvalidInput(f"organisation code {code!r} must be letters, digits, . _ -")
    if kind not in {k.value for k in OrgKind}:
        kinds = ", ".join(k.value for k in OrgKind)
        raise InvalidInput(f"organisation kind must be one of {kinds}")
    if eligible_from and eligible_until and eligible_until < eligible_from:
        raise InvalidInput("eligibility ends before it starts")
    if session.scalar(select(Organisation.id).where(Organisation.code == code)) is not None:
        raise Conflict(f"organisation {code!r} already exists", org=code)
    org = Organisation(code=code, name_en=name_en, name_ko=name_ko, kind=kind,
                       eligible_from=eligible_from, eligible_until=eligible_until)
    session.add(org)
    session.flush()
    return org


def add_user(session: Session, login: str, *, org: str, roles: list[str], name_en: str = "",
             name_ko: str = "", email: str = "") -> User:
    if not LOGIN_RE.match(login):
        raise InvalidInput(f"login {login!r} must start with a letter and use a-z 0-9 . _ -")
    bad = [r for r in roles if r not in ROLES]
    if bad or not roles:
        raise InvalidInput(f"roles must be among {', '.join(ROLES)}", roles=roles)
    if session.scalar(select(User.id).where(User.login == login)) is not None:
        raise Conflict(f"user {login!r} already exists", user=login)
    organisation = get_org(session, org)
    user = User(login=login, name_en=name_en or login, name_ko=name_ko, email=email,
                org_id=organisation.id)
    user.role_rows = [UserRole(role=r) for r in sorted(set(roles))]
    session.add(user)
    session.flush()
    return user


def add_key(session: Session, user: User, key: PublicKey) -> SshKey:
    existing = session.scalar(select(SshKey).where(SshKey.fingerprint == key.fingerprint))
    if existing is not None:
        if existing.revoked_at is not None:
            raise Conflict(f"key {key.fingerprint} was revoked and cannot be registered again; "
                           "make a new key pair", fingerprint=key.fingerprint)
        raise Conflict(f"key {key.fingerprint} is already registered", fingerprint=key.fingerprint)
    row = SshKey(user_id=user.id, key_type=key.key_type, key_data=key.key_data,
                 comment=key.comment, fingerprint=key.fingerprint)
    session.add(row)
    session.flush()
    return row


def revoke_key(session: Session, fingerprint: str) -> SshKey:
    row = get_key(session, fingerprint)
    if row.revoked_at is None:
        row.revoked_at = utcnow()
    return row


def get_key(session: Session, fingerprint: str) -> SshKey:
    row = session.scalar(select(SshKey).where(SshKey.fingerprint == fingerprint))
    if row is None:
        raise NotFound(f"no key {fingerprint}", fingerprint=fingerprint)
    return row


def key_info(row: SshKey) -> KeyInfo:
    return _key_info(row, row.user.login)


def _key_info(row: SshKey, login: str) -> KeyInfo:
    return KeyInfo(login, row.key_type, row.fingerprint, row.comment, row.added_at,
                   row.revoked_at)


def list_keys(session: Session, login: str | None = None) -> list[KeyInfo]:
    """Every key (revoked ones too), or one user's, oldest first."""
    query = select(SshKey, User.login).join(User, User.id == SshKey.user_id)
    if login is not None:
        query = query.where(User.login == login)
    rows = session.execute(query.order_by(User.login, SshKey.added_at, SshKey.id)).all()
    return [_key_info(k, who) for k, who in rows]


def key_is_active(session: Session, fingerprint: str) -> bool:
    row = session.scalar(select(SshKey).where(SshKey.fingerprint == fingerprint))
    return row is not None and row.revoked_at is None


def list_users(session: Session) -> list[UserInfo]:
    return [user_info(u) for u in session.scalars(select(User).order_by(User.login))]


def list_orgs(session: Session) -> list[OrgInfo]:
    return [org_info(o) for o in session.scalars(select(Organisation).order_by(Organisation.code))]
