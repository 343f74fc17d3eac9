"""The embedded centre: the Hub in this process, with its background worker."""

from __future__ import annotations

from hub.clients.local import LocalHub
from hub.worker import WorkerThread


class EmbeddedHub(LocalHub):
    """A :class:`LocalHub` whose centre's worker (leases, bookings, queue grants, farm jobs)
    runs in this process while the app is open. A second app on the same centre waits on the
    worker lock, so only one worker acts."""

    def __init__(self, client: LocalHub) -> None:
        super().__init__(client.hub, client.login, where=client.description)
        self.worker = WorkerThread(client.hub)
        self.worker.start()

    def close(self) -> None:
        super().close()
        self.worker.stop()
