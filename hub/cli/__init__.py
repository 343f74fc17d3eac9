"""Command lines: ``chipcommons-hub`` (centre side) and the ``chipcommons`` verbs (client)."""
