"""Errors of the project that need only the standard library.

This module imports nothing else, so code that only catches these errors stays light.
"""

from __future__ import annotations

__all__ = ["NetworkError"]


class NetworkError(ValueError):
    """A network could not be built or loaded; the message says what and how to fix it."""
