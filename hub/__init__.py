"""ChipCommons hub: the centre's service, its RPC, clients and admin CLI."""

__version__ = "0.1.0"
