"""One translated message per error code (the Hub's stable codes from ``core.errors``)."""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication

from core.errors import ChipError

translate = QCoreApplication.translate


def error_title(exc: Exception) -> str:
    """A short translated headline for an error."""
    code = exc.code if isinstance(exc, ChipError) else ""
    titles = {
        "invalid_input": translate("Errors", "The centre did not accept the values"),
        "parse_error": translate("Errors", "The file could not be read"),
        "not_found": translate("Errors", "Not found"),
        "forbidden": translate("Errors", "You are not allowed to do that"),
        "unauthenticated": translate("Errors", "The centre does not know you"),
        "account_disabled": translate("Errors", "Your account is disabled"),
        "conflict": translate("Errors", "That conflicts with the centre's current state"),
        "seats_unavailable": translate("Errors", "No seats are free"),
        "quota_exceeded": translate("Errors", "Your organisation's quota would be exceeded"),
        "not_eligible": translate("Errors", "Your organisation is not eligible for this pool"),
        "limit_exceeded": translate("Errors", "A limit would be exceeded"),
        "expired": translate("Errors", "It has expired"),
        "database_unavailable": translate("Errors", "The centre's database is unavailable"),
        "infrastructure_error": translate("Errors", "The centre could not be reached"),
        "connection_lost": translate("Errors", "The connection to the centre was lost"),
        "timeout": translate("Errors", "The centre did not answer in time"),
        "unknown_host_key": translate("Errors", "The centre's host key is not known yet"),
        "host_key_changed": translate("Errors", "WARNING: the centre's host key has changed"),
        "authentication_failed": translate("Errors", "The centre refused your key"),
        "method_not_found": translate("Errors", "The centre does not offer this function"),
    }
    return titles.get(code, translate("Errors", "Something went wrong"))


def error_text(exc: Exception) -> str:
    """Headline and the centre's own detail, as one translated message."""
    detail = exc.message if isinstance(exc, ChipError) else str(exc)
    return translate("Errors", "{title}: {detail}").format(title=error_title(exc), detail=detail)
