"""socialcare-sim: an agent-based testbed for social customer care.

Example:
    >>> from sim import run
    >>> result = run({"population": {"size": 5000}, "strategy": {"name": "ignore"}})
    >>> result.metrics["reach_negative"] >= 0
    True

The public API, by layer (docs/architecture.md):

* configuration: `RunConfig` (typed, checked), `presets` (the YAML of `conf/`), `ConfigError`;
* one run: `run`, `Result`, `build_environment`, `SocialCareModel`;
* many runs: `evaluate`, `Case` (configs x replicates, common random numbers), `compare`,
  `replicate` (a documented case and its counterfactual);
* outputs: `metrics` (the registry of metric names, labels, units and directions).

Everything but the configuration is imported on first use, so that code needing only the
configuration does not pay for Mesa, numba and pandas.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from sim.config import presets
from sim.config.schema import RunConfig
from sim.errors import ConfigError, NetworkError

if TYPE_CHECKING:  # pragma: no cover
    from sim.analysis.compare import compare
    from sim.analysis.evaluator import Case, evaluate
    from sim.analysis.replay import replicate
    from sim.engine.model import SocialCareModel, build_environment
    from sim.engine.runner import run
    from sim.outputs import registry as metrics
    from sim.outputs.metrics import Result

_LAZY = {
    "run": ("sim.engine.runner", "run"),
    "Result": ("sim.outputs.metrics", "Result"),
    "build_environment": ("sim.engine.model", "build_environment"),
    "SocialCareModel": ("sim.engine.model", "SocialCareModel"),
    "evaluate": ("sim.analysis.evaluator", "evaluate"),
    "Case": ("sim.analysis.evaluator", "Case"),
    "compare": ("sim.analysis.compare", "compare"),
    "replicate": ("sim.analysis.replay", "replicate"),
    "metrics": ("sim.outputs.registry", None),
}

__all__ = [
    "Case",
    "ConfigError",
    "NetworkError",
    "Result",
    "RunConfig",
    "SocialCareModel",
    "build_environment",
    "compare",
    "evaluate",
    "metrics",
    "presets",
    "replicate",
    "run",
]
__version__ = "0.1.0"


def __getattr__(name: str) -> Any:
    if name not in _LAZY:
        raise AttributeError(f"module 'sim' has no attribute {name!r}")
    module, attr = _LAZY[name]
    loaded = importlib.import_module(module)
    value = loaded if attr is None else getattr(loaded, attr)
    globals()[name] = value
    return value
