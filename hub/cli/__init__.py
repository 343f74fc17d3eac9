"""Command lines: ``chipcommons-hub`` (centre side) and the ``chipcommons`` verbs (client)."""

import hub.cli.jobs  # (registers the farm commands)
import hub.cli.pools  # noqa: F401  (registers the licence-pool commands)
