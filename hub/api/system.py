"""Hub methods about the caller and the centre itself."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, select, update

from core.accounts import UserInfo, get_user, user_info
from core.errors import InvalidInput
from hub.context import CallContext
from hub.models import Notification, Preference
from hub.registry import ANY_USER, rpc

PREFERENCE_KEYS = frozenset({"language", "timezone", "notify_desktop", "theme", "dashboard"})


@dataclass(frozen=True)
class Pong:
    server_time: datetime
    version: str


@dataclass(frozen=True)
class NotificationInfo:
    id: int
    kind: str
    payload: dict[str, Any]
    created_at: datetime


class SystemApi:
    @rpc("system.ping", roles=ANY_USER)
    def ping(self, ctx: CallContext) -> Pong:
        """Check the connection; returns the centre's clock so clients can see skew."""
        from hub import __version__

        return Pong(server_time=ctx.now, version=__version__)

    @rpc("me.whoami", roles=ANY_USER)
    def whoami(self, ctx: CallContext) -> UserInfo:
        """The caller's own account."""
        return user_info(get_user(ctx.session, ctx.actor.login))

    @rpc("me.preferences", roles=ANY_USER)
    def preferences(self, ctx: CallContext) -> dict[str, str]:
        rows = ctx.session.scalars(select(Preference).where(
            Preference.user_id == ctx.actor.user_id))
        return {r.key: r.value for r in rows}

    @rpc("me.set_preference", roles=ANY_USER, write=True)
    def set_preference(self, ctx: CallContext, key: str, value: str) -> dict[str, str]:
        """Store one of the caller's preferences (language, time zone, …)."""
        if key not in PREFERENCE_KEYS:
            raise InvalidInput(f"unknown preference {key!r}", key=key)
        if len(value) > 1000:
            raise InvalidInput("preference value longer than 1000 characters", key=key)
        row = ctx.session.get(Preference, (ctx.actor.user_id, key))
        before = {key: row.value} if row else None
        if row is None:
            ctx.session.add(Preference(user_id=ctx.actor.user_id, key=key, value=value))
        else:
            row.value = value
        ctx.audit("me.set_preference", ctx.actor.login, before=before, after={key: value})
        return {key: value}

    @rpc("notifications.since", roles=ANY_USER)
    def notifications_since(self, ctx: CallContext, after_id: int = 0,
                            limit: int = 100) -> list[NotificationInfo]:
        """The caller's notifications with id greater than ``after_id``, oldest first."""
        rows = ctx.session.scalars(
            select(Notification).where(Notification.user_id == ctx.actor.user_id,
                                       Notification.id > after_id)
            .order_by(Notification.id).limit(max(1, min(limit, 1000))))
        return [NotificationInfo(r.id, r.kind, r.payload, r.created_at) for r in rows]

    @rpc("notifications.latest_id", roles=ANY_USER)
    def notifications_latest_id(self, ctx: CallContext) -> int:
        """The id of the caller's newest notification (0 if none)."""
        latest = ctx.session.scalar(select(func.max(Notification.id)).where(
            Notification.user_id == ctx.actor.user_id))
        return int(latest or 0)

    @rpc("notifications.mark_read", roles=ANY_USER, write=True)
    def notifications_mark_read(self, ctx: CallContext, up_to_id: int) -> int:
        result = ctx.session.execute(
            update(Notification).where(Notification.user_id == ctx.actor.user_id,
                                       Notification.id <= up_to_id,
                                       Notification.read.is_(False)).values(read=True))
        return int(result.rowcount or 0)  # type: ignore[attr-defined]
