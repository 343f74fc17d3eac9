"""Who is asking, as the licence-pool functions need it: a protocol that both the ORM ``User``
and the hub's light-weight caller record satisfy (so a call need not load the ORM user)."""

from __future__ import annotations

from collections.abc import Set
from typing import Protocol

from core.models.accounts import Organisation


class Person(Protocol):
    @property
    def id(self) -> int: ...

    @property
    def login(self) -> str: ...

    @property
    def org_id(self) -> int: ...

    @property
    def organisation(self) -> Organisation: ...

    @property
    def roles(self) -> Set[str]: ...

    @property
    def disabled(self) -> bool: ...
