"""Translated words for the state codes the centre sends (job states, booking statuses, …).
A code this build does not know (a newer centre's) is shown readably: ``handed_off`` → "handed
off"."""

from __future__ import annotations

from collections.abc import Iterable

from PySide6.QtCore import QCoreApplication

translate = QCoreApplication.translate


def state_label(code: str | None) -> str:
    if not code:
        return ""
    labels = {
        "draft": translate("States", "draft"),
        "staged": translate("States", "staged"),
        "waiting": translate("States", "waiting for seats"),
        "accepted": translate("States", "accepted, not yet at the scheduler"),
        "queued": translate("States", "queued"),
        "running": translate("States", "running"),
        "succeeded": translate("States", "succeeded"),
        "failed": translate("States", "failed"),
        "cancelled": translate("States", "cancelled"),
        "pending": translate("States", "waiting for approval"),
        "approved": translate("States", "approved"),
        "active": translate("States", "active"),
        "done": translate("States", "done"),
        "rejected": translate("States", "rejected"),
        "granted": translate("States", "granted"),
        "lapsed": translate("States", "lapsed"),
        "left": translate("States", "left"),
        "success": translate("States", "success"),
        "compile_error": translate("States", "compile error"),
        "runtime_error": translate("States", "runtime error"),
        "time_limit": translate("States", "time limit"),
        "memory_limit": translate("States", "memory limit"),
        "infrastructure_error": translate("States", "infrastructure error"),
    }
    return labels.get(code) or code.replace("_", " ")


def role_label(role: str) -> str:
    labels = {
        "student": translate("Roles", "student"),
        "engineer": translate("Roles", "engineer"),
        "instructor": translate("Roles", "instructor"),
        "admin": translate("Roles", "admin"),
    }
    return labels.get(role) or role


def roles_text(roles: Iterable[str]) -> str:
    return ", ".join(role_label(r) for r in roles)


def org_kind_label(kind: str) -> str:
    labels = {
        "university": translate("OrgKinds", "university"),
        "startup": translate("OrgKinds", "startup"),
        "centre": translate("OrgKinds", "centre"),
        "company": translate("OrgKinds", "company"),
    }
    return labels.get(kind) or kind


def quota_scope_text(scope: str, subject: str) -> str:
    """Whom a quota applies to, as a sentence fragment: "startups", "organisation x", …"""
    if scope == "org_kind":
        return translate("Quotas", "every {kind}").format(kind=org_kind_label(subject))
    if scope == "org":
        return translate("Quotas", "organisation {org}").format(org=subject)
    if scope == "course":
        return translate("Quotas", "course {course}").format(course=subject)
    return f"{scope}: {subject}"


def period_label(period: str) -> str:
    labels = {
        "month": translate("Quotas", "month"),
        "term": translate("Quotas", "term"),
        "none": translate("Quotas", "no period"),
    }
    return labels.get(period) or period


def pim_phase_label(phase: str) -> str:
    """The PIM model's phase names (``remote.pim.kernels.PHASES``) in the reader's language."""
    labels = {
        "host read": translate("PimPhases", "host read"),
        "host write": translate("PimPhases", "host write"),
        "setup": translate("PimPhases", "setup"),
        "mode toggle": translate("PimPhases", "mode toggle"),
        "operand to GRF": translate("PimPhases", "operand to GRF"),
        "compute": translate("PimPhases", "compute"),
        "write-back": translate("PimPhases", "write-back"),
        "exit": translate("PimPhases", "exit"),
    }
    return labels.get(phase) or phase
