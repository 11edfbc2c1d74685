"""Outputs: metrics, the hourly time series, the event log, provenance and atomic files."""
