"""Translated words for the state codes the centre sends (job states, booking statuses, …).
An unknown code is shown as it is."""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication

translate = QCoreApplication.translate


def state_label(code: str | None) -> str:
    if not code:
        return ""
    labels = {
        "draft": translate("States", "draft"),
        "staged": translate("States", "staged"),
        "waiting": translate("States", "waiting for seats"),
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
    return labels.get(code, code)
