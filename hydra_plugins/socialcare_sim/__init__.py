"""Hydra plugins of the social customer care testbed (found by Hydra's plugin discovery)."""
