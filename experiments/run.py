"""One run: `python -m experiments.run scenario=united_sarver strategy=ignore seed=1`.

Writes config.yaml, metrics.json (standard metrics + provenance), timeseries.csv (hourly),
events.parquet (event log) and figures/timeline.png into the run directory.
"""

from __future__ import annotations

from pathlib import Path

import hydra
from omegaconf import DictConfig

from experiments.common import (
    output_dir,
    quiet_mesa,
    resolved,
    run_app,
    run_config,
    user_errors,
)
from sim.config.presets import conf_dir
from sim.outputs.registry import heading

SUMMARY_KEYS = tuple(
    (key, heading(key))
    for key in (  # labels from the metric registry
        "reach_negative",
        "reach_positive",
        "impressions_negative",
        "complaints",
        "responded_share",
        "resolved_share",
        "response_time_median_min",
        "sentiment_delta",
        "churned",
        "revenue_at_risk",
        "cost_total",
    )
)


def summary_text(metrics: dict[str, float], scale: float) -> str:
    """A short human summary of one run's metrics."""
    lines = []
    for key, label in SUMMARY_KEYS:
        v = metrics.get(key, float("nan"))
        text = f"{v:,.2f}" if abs(v) < 10 else f"{v:,.0f}"
        if f"{key}_scaled" in metrics and scale > 1:
            text += f"  (~{metrics[key + '_scaled']:,.0f} real)"
        lines.append(f"  {label:<38} {text}")
    return "\n".join(lines)


def load_notes(metrics: dict[str, float], path: str | None) -> list[str]:
    """Lines telling the user what the edge-list loader cleaned up (also in metrics.json)."""
    loops = int(metrics.get("edgelist_self_loops_dropped", 0))
    dups = int(metrics.get("edgelist_duplicates_dropped", 0))
    if not (loops or dups):
        return []
    records = int(metrics.get("edgelist_records", 0))
    return [
        f"note: edge list {path}: dropped {loops:,} self-loop(s) and {dups:,} duplicate edge(s) "
        f"of {records:,} lines (counted in metrics.json as edgelist_*)"
    ]


def execute(cfg: DictConfig) -> dict[str, float]:
    """Run one simulation from a composed config and write its files; return the metrics."""
    # imported here, not at the top: the main process of a parallel sweep only checks configs
    # and should not spend a second importing Mesa, numba and pandas
    from sim.analysis.sweep import complete_metrics
    from sim.engine.runner import run
    from sim.outputs.io import incomplete_marker, save_result
    from sim.outputs.provenance import config_hash

    quiet_mesa()
    with user_errors():
        rc = run_config(cfg)
    outdir = output_dir(cfg)
    if cfg.get("resume", True):
        done = complete_metrics(
            outdir, config_hash(rc.to_dict()), rc.seed, figures=bool(cfg.get("figures", True))
        )
        if done is not None:
            print(
                f"skipped {rc.scenario.name} / {rc.strategy.name} / seed {rc.seed}: complete "
                f"results of the same config are already in {outdir} (resume=false redoes it)"
            )
            return {k: v for k, v in done.items() if k != "provenance"}
    with user_errors(outdir), incomplete_marker(outdir):  # marked INCOMPLETE until all is written
        result = run(rc, progress=bool(cfg.get("progress", True)))
        result.config = {**resolved(cfg), **rc.to_dict()}  # app keys and every checked value
        if cfg.get("figures", True):
            from sim.viz.timeline import save_figure, timeline_figure

            title = f"{rc.scenario.name}: strategy {rc.strategy.name}, seed {rc.seed}"
            incidents = [i.at_h for i in rc.scenario.incidents]
            save_figure(
                timeline_figure(result.timeseries, result.events, title, incidents),
                Path(outdir) / "figures" / "timeline.png",
            )
        save_result(result, outdir)
    for note in load_notes(result.metrics, rc.network.path):
        print(note)
    print(
        f"\n{rc.scenario.name} / {rc.strategy.name} / seed {rc.seed} "
        f"({rc.population.size:,} simulated people, 1 = {result.metrics['scale_factor']:.0f} real)"
    )
    print(summary_text(result.metrics, result.metrics["scale_factor"]))
    print(f"results: {outdir}")
    return result.metrics


@hydra.main(version_base="1.3", config_path=str(conf_dir()), config_name="config")
def main(cfg: DictConfig) -> None:
    """Hydra entry point."""
    execute(cfg)


if __name__ == "__main__":
    run_app(main)
