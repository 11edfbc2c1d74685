"""Errors of the project that need only the standard library.

This module imports nothing else, so code that only catches these errors stays light.
"""

from __future__ import annotations

from typing import Any

__all__ = ["ConfigError", "NetworkError", "UserFileError"]


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


class UserFileError(ConfigError):
    """A file the user gave is unreadable, malformed or of the wrong kind.

    The message names the file, the line (and column) or key where known, what is wrong and
    what to do; `key` is the file's path (as ConfigError names a key), `value` the key or line.
    """

    def __init__(
        self,
        path: Any,
        kind: str,
        problem: str,
        hint: str = "",
        line: int | None = None,
        column: int | None = None,
        key: str | None = None,
    ):
        self.path, self.kind, self.problem, self.hint = str(path), kind, problem, hint
        self.line, self.column, self.file_key = line, column, key
        self.key, self.value, self.allowed = self.path, key or line, hint
        where = f", line {line}" if line else ""
        where += f", column {column}" if line and column else ""
        where += f", key '{key}'" if key and not line else ""
        text = f"The {kind} file {self.path}{where}: {problem}."
        ValueError.__init__(self, f"{text} {hint}".strip())

    def __reduce__(self):
        return (
            type(self),
            (self.path, self.kind, self.problem, self.hint, self.line, self.column, self.file_key),
        )
