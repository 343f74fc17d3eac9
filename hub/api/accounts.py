"""Hub methods for administering organisations, users and keys."""

from __future__ import annotations

import os
import re
import shlex
from dataclasses import asdict
from datetime import date, datetime
from pathlib import Path
from typing import Any

from core import accounts
from core.accounts import KeyInfo, OrgInfo, UserInfo
from core.audit import entries
from core.errors import InvalidInput, NotFound
from hub import authorized_keys
from hub.context import CallContext
from hub.registry import ADMIN, ANY_USER, STAFF, rpc
from licensing import suspensions

#: the service account's authorized_keys file, when the centre is reached over SSH
AUTHORIZED_KEYS_SETTING = "authorized_keys"
#: the forced command's prefix (``/path/chipcommons-hub --db URL``) for new lines
SERVE_COMMAND_SETTING = "serve_command"
_PREFIX_RE = re.compile(r'command="(?P<prefix>[^"]*?) serve --user ')


def _jsonable(info: Any) -> dict[str, Any]:
    out = asdict(info)
    return {k: (v.isoformat() if isinstance(v, date | datetime) else v) for k, v in out.items()}


class AccountsApi:
    settings: dict[str, Any]

    # -- SSH keys ------------------------------------------------------------------------------

    def _authorized_keys(self) -> Path | None:
        """The service account's ``authorized_keys`` the centre keeps, or None when the database
        is the only record (the embedded centre). Set by the ``authorized_keys`` setting or the
        ``CHIPCOMMONS_AUTHORIZED_KEYS`` variable the admin command line reads too; else, when
        this process is the SSH forced command, the account's own file once it holds the
        centre's forced-command lines (``chipcommons-hub user add --key`` wrote them)."""
        configured = self.settings.get(AUTHORIZED_KEYS_SETTING) or \
            os.environ.get("CHIPCOMMONS_AUTHORIZED_KEYS")
        if configured:
            return Path(configured)
        if os.environ.get("SSH_CONNECTION"):
            own = authorized_keys.default_path()
            try:
                if own.is_file() and any(_PREFIX_RE.search(line)
                                         for line in own.read_text().splitlines()):
                    return own
            except OSError:
                return None
        return None

    def _serve_prefix(self, path: Path) -> str:
        """The forced command's prefix: configured, else the one the file's lines already use
        (``chipcommons-hub user add`` wrote them), else ``chipcommons-hub --db URL``."""
        configured = self.settings.get(SERVE_COMMAND_SETTING) or \
            os.environ.get("CHIPCOMMONS_SERVE_COMMAND")
        if configured:
            return str(configured)
        if path.exists():
            for line in path.read_text().splitlines():
                found = _PREFIX_RE.search(line)
                if found:
                    return found.group("prefix")
        url = str(self.settings.get("db_url", ""))
        return "chipcommons-hub" + (f" --db {shlex.quote(url)}" if url else "")

    def _add_key(self, ctx: CallContext, login: str, text: str) -> KeyInfo:
        key = accounts.parse_public_key(text)
        user = accounts.get_user(ctx.session, login)
        row = accounts.add_key(ctx.session, user, key)  # refuses a key registered before
        path = self._authorized_keys()
        if path is not None:  # atomic, under the file's lock; a refusal rolls the row back
            authorized_keys.add(path, self._serve_prefix(path), login, key)
        info = accounts.key_info(row)
        ctx.audit("user.key_add", login, after={
            "fingerprint": key.fingerprint, "type": key.key_type, "comment": key.comment,
            "authorized_keys": str(path) if path else None})
        return info

    def _revoke_key(self, ctx: CallContext, fingerprint: str,
                    owner: str | None = None) -> KeyInfo:
        row = accounts.get_key(ctx.session, fingerprint.strip())
        if owner is not None and row.user.login != owner:
            raise NotFound(f"you have no key {fingerprint}", fingerprint=fingerprint)
        before = _jsonable(accounts.key_info(row))
        accounts.revoke_key(ctx.session, row.fingerprint)
        path = self._authorized_keys()
        removed = authorized_keys.remove(path, row.fingerprint) \
            if path is not None and path.exists() else 0
        info = accounts.key_info(row)
        ctx.audit("user.key_revoke", row.user.login, before=before,
                  after={**_jsonable(info), "lines_removed": removed})
        return info

    @rpc("me.keys", roles=ANY_USER)
    def me_keys(self, ctx: CallContext) -> list[KeyInfo]:
        """The caller's SSH public keys, revoked ones too."""
        return accounts.list_keys(ctx.session, ctx.actor.login)

    @rpc("me.add_key", roles=ANY_USER, write=True)
    def me_add_key(self, ctx: CallContext, key: str) -> KeyInfo:
        """Register one of the caller's public keys (an OpenSSH ``.pub`` line: Ed25519, ECDSA
        or RSA of 2048 bits or more). A key registered before, by anyone, is refused."""
        return self._add_key(ctx, ctx.actor.login, key)

    @rpc("me.revoke_key", roles=ANY_USER, write=True)
    def me_revoke_key(self, ctx: CallContext, fingerprint: str) -> KeyInfo:
        """Revoke one of the caller's keys by its ``SHA256:`` fingerprint."""
        return self._revoke_key(ctx, fingerprint, owner=ctx.actor.login)

    @rpc("admin.keys", roles=ADMIN)
    def admin_keys(self, ctx: CallContext, login: str | None = None) -> list[KeyInfo]:
        """Every user's keys, or one user's."""
        if login is not None:
            accounts.get_user(ctx.session, login)
        return accounts.list_keys(ctx.session, login)

    @rpc("admin.add_key", roles=ADMIN, write=True)
    def admin_add_key(self, ctx: CallContext, login: str, key: str) -> KeyInfo:
        """Register a public key for any user."""
        return self._add_key(ctx, login, key)

    @rpc("admin.revoke_key", roles=ADMIN, write=True)
    def admin_revoke_key(self, ctx: CallContext, fingerprint: str) -> KeyInfo:
        """Revoke any user's key by its fingerprint; the server refuses it from then on."""
        return self._revoke_key(ctx, fingerprint)

    # -- users and organisations ---------------------------------------------------------------

    @rpc("admin.users", roles=STAFF)
    def admin_users(self, ctx: CallContext) -> list[UserInfo]:
        """Every user of the centre (instructors see them to enrol students)."""
        return accounts.list_users(ctx.session)

    @rpc("admin.orgs", roles=STAFF)
    def admin_orgs(self, ctx: CallContext) -> list[OrgInfo]:
        return accounts.list_orgs(ctx.session)

    @rpc("admin.add_org", roles=ADMIN, write=True)
    def admin_add_org(self, ctx: CallContext, code: str, name_en: str, kind: str,
                      name_ko: str = "", eligible_from: date | None = None,
                      eligible_until: date | None = None) -> OrgInfo:
        org = accounts.add_org(ctx.session, code, name_en, kind, name_ko=name_ko,
                               eligible_from=eligible_from, eligible_until=eligible_until)
        info = accounts.org_info(org)
        ctx.audit("org.add", code, after=_jsonable(info))
        return info

    @rpc("admin.set_eligibility", roles=ADMIN, write=True)
    def admin_set_eligibility(self, ctx: CallContext, code: str,
                              eligible_from: date | None = None,
                              eligible_until: date | None = None) -> OrgInfo:
        """Set the window in which an organisation may use the centre's pools."""
        org = accounts.get_org(ctx.session, code)
        if eligible_from and eligible_until and eligible_until < eligible_from:
            raise InvalidInput("eligibility ends before it starts")
        before = _jsonable(accounts.org_info(org))
        org.eligible_from, org.eligible_until = eligible_from, eligible_until
        info = accounts.org_info(org)
        ctx.audit("org.eligibility", code, before=before, after=_jsonable(info))
        return info

    @rpc("admin.suspend_org", roles=ADMIN, write=True)
    def admin_suspend_org(self, ctx: CallContext, code: str, suspended: bool = True) -> OrgInfo:
        """Suspend an organisation (its people's leases end, their queue entries and bookings
        are dropped, each is notified) or lift the suspension."""
        org = accounts.get_org(ctx.session, code)
        before = _jsonable(accounts.org_info(org))
        ended = asdict(suspensions.suspend_org(ctx.session, org, ctx.now, ctx.notify)) \
            if suspended and not org.suspended else None
        org.suspended = suspended
        info = accounts.org_info(org)
        ctx.audit("org.suspend" if suspended else "org.unsuspend", code, before=before,
                  after={**_jsonable(info), **({"ended": ended} if ended else {})})
        return info

    @rpc("admin.add_user", roles=ADMIN, write=True)
    def admin_add_user(self, ctx: CallContext, login: str, org: str, roles: list[str],
                       name_en: str = "", name_ko: str = "", email: str = "") -> UserInfo:
        user = accounts.add_user(ctx.session, login, org=org, roles=roles, name_en=name_en,
                                 name_ko=name_ko, email=email)
        info = accounts.user_info(user)
        ctx.audit("user.add", login, after=_jsonable(info))
        return info

    @rpc("admin.set_user_disabled", roles=ADMIN, write=True)
    def admin_set_user_disabled(self, ctx: CallContext, login: str,
                                disabled: bool = True) -> UserInfo:
        user = accounts.get_user(ctx.session, login)
        if user.id == ctx.actor.user_id and disabled:
            raise InvalidInput("you cannot disable your own account")
        before = _jsonable(accounts.user_info(user))
        user.disabled = disabled
        info = accounts.user_info(user)
        ctx.audit("user.disable" if disabled else "user.enable", login, before=before,
                  after=_jsonable(info))
        return info

    @rpc("admin.audit", roles=ADMIN)
    def admin_audit(self, ctx: CallContext, actor: str | None = None,
                    since: datetime | None = None, limit: int = 200) -> list[dict[str, Any]]:
        """The audit log, newest first."""
        return [{"at": r.at.isoformat(), "actor": r.actor, "action": r.action,
                 "target": r.target, "before": r.before, "after": r.after}
                for r in entries(ctx.session, since=since, actor=actor,
                                 limit=max(1, min(limit, 5000)))]
