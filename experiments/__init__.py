"""Hydra entry points: run, compare (and more to come)."""
