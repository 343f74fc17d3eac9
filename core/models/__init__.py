"""ORM models shared by every part: accounts and the audit log."""

from core.models.accounts import ROLES, Organisation, OrgKind, Role, SshKey, User, UserRole
from core.models.audit import AuditRecord

__all__ = ["ROLES", "AuditRecord", "OrgKind", "Organisation", "Role", "SshKey", "User",
           "UserRole"]
