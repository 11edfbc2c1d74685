"""socialcare-sim: an agent-based testbed for social customer care.

Example:
    >>> from sim import run
    >>> result = run({"population": {"size": 5000}, "strategy": {"name": "ignore"}})
    >>> result.metrics["reach_negative"] >= 0
    True

`run` and `Result` are imported on first use, so that code needing only the configuration
(`sim.config.schema`, `sim.config.validation`) does not pay for Mesa, numba and pandas.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sim.errors import ConfigError
from sim.config.schema import RunConfig

if TYPE_CHECKING:  # pragma: no cover
    from sim.outputs.metrics import Result
    from sim.engine.runner import run

__all__ = ["ConfigError", "Result", "RunConfig", "run"]
__version__ = "0.1.0"


def __getattr__(name: str) -> Any:
    if name == "run":
        from sim.engine.runner import run

        return run
    if name == "Result":
        from sim.outputs.metrics import Result

        return Result
    raise AttributeError(f"module 'sim' has no attribute {name!r}")
