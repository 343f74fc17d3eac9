"""Reprise License Manager (RLM) interop: ``rlmutil rlmstat -a`` output."""
