"""Hub clients: one interface, two transports (in-process and SSH)."""

from hub.clients.base import HubClient, NotificationCallback
from hub.clients.local import LocalHub

__all__ = ["HubClient", "LocalHub", "NotificationCallback"]
