"""Turning ``--centre`` / ``--as`` into a Hub client (shared by the CLI verbs and the GUI)."""

from __future__ import annotations

import getpass
import os
from pathlib import Path
from urllib.parse import urlparse

from core.errors import InvalidInput
from core.paths import data_dir
from hub.centre import embedded_hub, open_hub
from hub.clients.base import HubClient
from hub.clients.local import LocalHub
from hub.clients.remote import RemoteHub, SshTarget
from hub.demo import default_login


def app_key_path() -> Path:
    """The key ChipCommons generates for the user (``~/.local/share/ChipCommons/keys``)."""
    return data_dir() / "keys" / "id_ed25519"


def known_hosts_path() -> Path:
    env = os.environ.get("CHIPCOMMONS_KNOWN_HOSTS")
    return Path(env) if env else data_dir() / "known_hosts"


def parse_ssh_url(url: str) -> SshTarget:
    parsed = urlparse(url)
    if parsed.scheme != "ssh" or not parsed.hostname:
        raise InvalidInput(f"not an ssh://user@host[:port] address: {url!r}")
    user = parsed.username or getpass.getuser()
    return SshTarget(host=parsed.hostname, user=user, port=parsed.port or 22)


def connect(centre: str | None, *, as_user: str | None = None, key: str | None = None,
            accept_fingerprint: str | None = None, jump: str | None = None,
            known_hosts: str | None = None, timeout: float = 60.0) -> HubClient:
    """Open a client for ``centre``: None (embedded), ``ssh://…``, or a database URL."""
    if centre is None or centre == "embedded":
        hub = embedded_hub()
        return LocalHub(hub, as_user or default_login())
    if centre.startswith("ssh://"):
        target = parse_ssh_url(centre)
        key_path = Path(key) if key else (app_key_path() if app_key_path().exists() else None)
        target = SshTarget(target.host, target.user, target.port, key_path)
        jump_target = parse_ssh_url(jump) if jump else None
        if jump_target is not None:
            jump_target = SshTarget(jump_target.host, jump_target.user, jump_target.port,
                                    key_path)
        return RemoteHub(target, known_hosts=Path(known_hosts) if known_hosts
                         else known_hosts_path(), accept_fingerprint=accept_fingerprint,
                         jump=jump_target, timeout=timeout)
    if "://" in centre:
        if not as_user:
            raise InvalidInput("acting on a centre's database needs --as USER")
        return LocalHub(open_hub(centre), as_user, where=centre.split("@")[-1])
    raise InvalidInput(f"--centre must be ssh://user@host[:port] or a database URL, not "
                       f"{centre!r}")
