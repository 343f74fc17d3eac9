"""Walk every public Hub method for every role and prove the server enforces the table."""

from __future__ import annotations

import pytest

from core import accounts
from core.db import transaction
from core.errors import ChipError, Forbidden
from core.models.accounts import ROLES
from hub.api import Hub
from hub.clients.local import LocalHub
from hub.registry import ANY_USER


def test_every_method_declares_roles() -> None:
    assert Hub.METHODS, "no public methods found"
    for spec in Hub.METHODS.values():
        assert spec.roles, f"{spec.name} declares no roles"
        assert spec.roles <= ANY_USER, f"{spec.name} names an unknown role"


@pytest.mark.parametrize("role", [r.value for r in ROLES])
def test_role_matrix_is_enforced(demo_hub: Hub, role: str) -> None:
    login = f"only.{role}"
    with transaction(demo_hub.sessions) as session:
        accounts.add_user(session, login, org="pim-centre", roles=[role])
    client = LocalHub(demo_hub, login)
    for name, spec in sorted(Hub.METHODS.items()):
        allowed = role in spec.roles
        try:
            client.call(name)  # no parameters: allowed roles get past the role check
        except Forbidden:
            assert not allowed, f"{name} refused {role}, which the table allows"
            continue
        except ChipError:
            pass  # e.g. missing parameters: the role check was passed
        assert allowed, f"{name} let {role} through, which the table forbids"


def test_role_check_comes_before_parameter_validation(demo_hub: Hub) -> None:
    with pytest.raises(Forbidden):
        demo_hub.call("demo.student", "admin.add_user", {"nonsense": 1})
