"""socialcare-sim: an agent-based testbed for social customer care.

Example:
    >>> from sim import run
    >>> result = run({"population": {"size": 5000}, "strategy": {"name": "ignore"}})
    >>> result.metrics["reach_negative"] >= 0
    True
"""

from sim.config import ConfigError, RunConfig
from sim.metrics import Result
from sim.runner import run

__all__ = ["ConfigError", "Result", "RunConfig", "run"]
__version__ = "0.1.0"
