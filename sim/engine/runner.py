"""`run(config)`: build, step to the horizon, and collect the Result."""

from __future__ import annotations

import contextlib
from collections.abc import Mapping
from typing import Any

from tqdm.auto import tqdm

from sim.config.schema import RunConfig
from sim.engine.model import Environment, SocialCareModel
from sim.outputs.metrics import Result, compute_metrics, event_log, hourly_timeseries
from sim.outputs.provenance import provenance


def as_run_config(config: RunConfig | Mapping[str, Any] | None) -> RunConfig:
    """Accept a RunConfig, a nested mapping or a DictConfig; check it."""
    if isinstance(config, RunConfig):
        from sim.config.validation import validate

        return validate(config)
    return RunConfig.from_dict(config or {})


def run(
    config: RunConfig | Mapping[str, Any] | None = None,
    *,
    env: Environment | None = None,
    progress: bool = False,
) -> Result:
    """Run one simulation to its horizon.

    Args:
        config: a RunConfig or a nested mapping of overrides of the defaults.
        env: a prebuilt Environment (network, population, chatter) to reuse across strategies of
            the same replicate; it must come from `build_environment` with the same seed.
        progress: show a progress bar over simulated hours.

    Returns:
        Result with metrics, the hourly time series, the event log, the config and provenance.
    """
    cfg = as_run_config(config)
    model = SocialCareModel(cfg, env=env)
    # no bar object at all without progress: tqdm creates a process-shared lock per process
    bar = (
        tqdm(
            total=model.n_ticks,
            unit="min",
            desc=f"{cfg.strategy.name}",
            leave=False,
            mininterval=0.5,
        )
        if progress
        else None
    )
    with bar if bar is not None else contextlib.nullcontext():
        while model.running and model.tick < model.n_ticks:
            model.step()
            if bar is not None and model.tick % 60 == 0:
                bar.update(model.tick - bar.n)
        if bar is not None:
            bar.update(model.tick - bar.n)
    cfg_dict = cfg.to_dict()
    return Result(
        metrics=compute_metrics(model),
        timeseries=hourly_timeseries(model),
        events=event_log(model),
        config=cfg_dict,
        provenance=provenance(cfg_dict, cfg.seed),
    )
