"""Every patch of Mesa in one module, guarded by its version and applied once on import.

Mesa 3.3 keeps every model that ever made an agent; this lets finished models be freed.

`mesa.Agent._ids` (Mesa 3.3) is a class-level dict from model to id counter that holds each model
strongly, so a model, with its network and all its arrays, outlives its run for as long as the
process lives (mesa issue #3179, fixed in later Mesa releases, which need Python 3.12). For a
sweep that is a leak of about 220 MB per 1,000,000-person run, and joblib's workers restart when
their memory grows by 300 MB, paying their start-up again. `forget_finished_models` swaps the
counters for a dict that holds models weakly: ids still count from 1 per model, and a model is
freed once nothing else refers to it.
"""

from __future__ import annotations

import itertools
import weakref
from typing import Any

import mesa


class WeakIdCounters(weakref.WeakKeyDictionary):
    """Per-model id counters, as Mesa's defaultdict of `itertools.count(1)`, held weakly."""

    def __getitem__(self, model: Any) -> Any:
        try:
            return super().__getitem__(model)
        except KeyError:
            counter = itertools.count(1)
            self[model] = counter
            return counter


def forget_finished_models() -> None:
    """Make `mesa.Agent` hold its per-model id counters weakly (idempotent)."""
    counters = mesa.Agent.__dict__.get("_ids")
    if isinstance(counters, WeakIdCounters):
        return
    weak = WeakIdCounters()
    for model, counter in dict(counters or {}).items():  # models made before the swap
        weak[model] = counter
    mesa.Agent._ids = weak


def needs_patch(version: str = mesa.__version__) -> bool:
    """Whether this Mesa release has the strong per-model id counters (3.3.x; fixed later)."""
    major, minor = (int(x) for x in version.split(".")[:2])
    return (major, minor) <= (3, 3)


def apply() -> None:
    """Apply every Mesa patch this release needs (idempotent; done on import)."""
    if needs_patch():
        forget_finished_models()


apply()

__all__ = ["WeakIdCounters", "apply", "forget_finished_models", "needs_patch"]
