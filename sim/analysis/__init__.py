"""Analysis: strategy comparison, replays of documented cases, calibration, sweeps, statistics."""
