"""Organisations, users, their roles and SSH public keys."""

from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import CheckConstraint, Date, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.db import Base
from core.timeutil import utcnow


class OrgKind(enum.StrEnum):
    UNIVERSITY = "university"
    STARTUP = "startup"
    CENTRE = "centre"
    COMPANY = "company"


class Role(enum.StrEnum):
    STUDENT = "student"
    ENGINEER = "engineer"
    INSTRUCTOR = "instructor"
    ADMIN = "admin"


ROLES: tuple[Role, ...] = tuple(Role)


class Organisation(Base):
    __tablename__ = "organisations"
    __table_args__ = (
        CheckConstraint("kind IN ('university','startup','centre','company')", name="kind"),
        CheckConstraint("eligible_until IS NULL OR eligible_from IS NULL "
                        "OR eligible_until >= eligible_from", name="eligibility_order"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(64), unique=True)
    name_en: Mapped[str] = mapped_column(String(200))
    name_ko: Mapped[str] = mapped_column(String(200), default="")
    kind: Mapped[str] = mapped_column(String(20))
    eligible_from: Mapped[date | None] = mapped_column(Date, default=None)
    eligible_until: Mapped[date | None] = mapped_column(Date, default=None)
    suspended: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    users: Mapped[list[User]] = relationship(back_populates="organisation")

    def eligible_on(self, day: date) -> bool:
        if self.suspended:
            return False
        if self.eligible_from is not None and day < self.eligible_from:
            return False
        return not (self.eligible_until is not None and day > self.eligible_until)


class User(Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    login: Mapped[str] = mapped_column(String(64), unique=True)
    name_en: Mapped[str] = mapped_column(String(200))
    name_ko: Mapped[str] = mapped_column(String(200), default="")
    email: Mapped[str] = mapped_column(String(200), default="")
    org_id: Mapped[int] = mapped_column(ForeignKey("organisations.id", ondelete="RESTRICT"),
                                        index=True)
    disabled: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    organisation: Mapped[Organisation] = relationship(back_populates="users", lazy="joined")
    role_rows: Mapped[list[UserRole]] = relationship(
        cascade="all, delete-orphan", lazy="selectin")
    keys: Mapped[list[SshKey]] = relationship(cascade="all, delete-orphan",
                                              back_populates="user")

    @property
    def roles(self) -> frozenset[str]:
        return frozenset(r.role for r in self.role_rows)


class UserRole(Base):
    __tablename__ = "user_roles"
    __table_args__ = (
        CheckConstraint("role IN ('student','engineer','instructor','admin')", name="role"),
    )

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"),
                                         primary_key=True)
    role: Mapped[str] = mapped_column(String(20), primary_key=True)


class SshKey(Base):
    __tablename__ = "ssh_keys"
    __table_args__ = (UniqueConstraint("fingerprint"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    key_type: Mapped[str] = mapped_column(String(64))
    key_data: Mapped[str] = mapped_column(String(16384))
    comment: Mapped[str] = mapped_column(String(200), default="")
    fingerprint: Mapped[str] = mapped_column(String(100))
    added_at: Mapped[datetime] = mapped_column(default=utcnow)
    revoked_at: Mapped[datetime | None] = mapped_column(default=None)

    user: Mapped[User] = relationship(back_populates="keys")
