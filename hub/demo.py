"""Seeding the demo centre from ``resources/demo/*.yaml``."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import yaml
from sqlalchemy import select
from sqlalchemy.orm import Session

from core import accounts
from core.errors import InvalidInput
from core.models.accounts import Organisation
from core.paths import resources_dir

#: Later parts add their demo seeders here: ``(name, function(session, resources_dir))``.
DemoSeeder = Callable[[Session, Path], None]


def demo_file() -> Path:
    return resources_dir() / "demo" / "centre.yaml"


def load_demo(path: Path | None = None) -> dict[str, Any]:
    data = yaml.safe_load((path or demo_file()).read_text(encoding="utf-8"))
    if not isinstance(data, dict):
        raise InvalidInput(f"{path or demo_file()}: not a mapping")
    return data


def default_login() -> str:
    return str(load_demo().get("default_login", "demo.engineer"))


def seed_accounts(session: Session, data: dict[str, Any]) -> None:
    """Create the demo organisations and users (skipping those that exist)."""
    for org in data.get("organisations", []):
        if session.scalar(select(Organisation.id).where(Organisation.code == org["code"])):
            continue
        accounts.add_org(session, org["code"], org["name_en"], org["kind"],
                         name_ko=org.get("name_ko", ""),
                         eligible_from=_day(org.get("eligible_from")),
                         eligible_until=_day(org.get("eligible_until")))
    existing = {u.login for u in accounts.list_users(session)}
    for user in data.get("users", []):
        if user["login"] in existing:
            continue
        accounts.add_user(session, user["login"], org=user["org"], roles=list(user["roles"]),
                          name_en=user.get("name_en", ""), name_ko=user.get("name_ko", ""),
                          email=user.get("email", f"{user['login']}@example.invalid"))


def _day(value: Any) -> date | None:
    if value is None or isinstance(value, date):
        return value
    return date.fromisoformat(str(value))
