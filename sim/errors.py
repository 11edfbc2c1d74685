"""Errors of the project that need only the standard library.

This module imports nothing else, so code that only catches these errors stays light.
"""

from __future__ import annotations

from typing import Any

__all__ = ["ConfigError", "NetworkError"]


class NetworkError(ValueError):
    """A network could not be built or loaded; the message says what and how to fix it."""


class ConfigError(ValueError):
    """A user-facing configuration error: names the key, the value and what is allowed."""

    def __init__(self, key: str, value: Any, allowed: str):
        self.key, self.value, self.allowed = key, value, allowed
        super().__init__(
            f"Invalid configuration value for '{key}': got {value!r}. Allowed: {allowed}."
        )

    def __reduce__(self):  # picklable, so that worker processes can report it
        return (type(self), (self.key, self.value, self.allowed))
