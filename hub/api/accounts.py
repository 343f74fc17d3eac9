"""Hub methods for administering organisations, users and keys."""

from __future__ import annotations

from dataclasses import asdict
from datetime import date, datetime
from typing import Any

from core import accounts
from core.accounts import OrgInfo, UserInfo
from core.audit import entries
from core.errors import InvalidInput
from hub.context import CallContext
from hub.registry import ADMIN, STAFF, rpc


def _jsonable(info: Any) -> dict[str, Any]:
    out = asdict(info)
    return {k: (v.isoformat() if isinstance(v, date | datetime) else v) for k, v in out.items()}


class AccountsApi:
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
        org = accounts.get_org(ctx.session, code)
        before = _jsonable(accounts.org_info(org))
        org.suspended = suspended
        info = accounts.org_info(org)
        ctx.audit("org.suspend" if suspended else "org.unsuspend", code, before=before,
                  after=_jsonable(info))
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
