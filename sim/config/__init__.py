"""Configuration layer: the typed schema of a run, its checks, presets and parameter docs."""
