"""Stored regression baseline: metrics of a few fixed configs (`python -m tests.regression.refresh`)."""
