"""Teaching figures: `python -m experiments.figures [overrides]` (config: conf/figures.yaml).

Runs `strategy` and, on the same seed and the same environment, the preset `compare_with`, then
writes into the run directory:

* figures/cascade_tree.png: the largest complaint's cascade under both strategies,
* figures/reach_over_time.png: people reached over time, with the company's reply marked,
* figures/reach_by_audience.png: why one large account matters,
* figures/spread.gif: the complaint spreading over the network (animation.enabled),
* reach_over_time.csv (the data behind the curves), summary.json (numbers and provenance),
  config.yaml (the resolved configuration).
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import hydra
import pandas as pd
from omegaconf import DictConfig

from experiments.common import (
    check_run,
    choices,
    output_dir,
    quiet_mesa,
    resolved,
    run_app,
    run_config,
    user_errors,
)
from sim.config.presets import conf_dir
from sim.config.presets import load as load_preset
from sim.config.schema import RunConfig
from sim.engine.model import build_environment
from sim.errors import ConfigError
from sim.outputs.io import incomplete_marker, write_csv, write_json, write_yaml
from sim.outputs.provenance import provenance


def comparison_config(cfg: DictConfig) -> RunConfig | None:
    """The run config of `compare_with`: the same everything, the strategy preset as defined."""
    name = str(cfg.get("compare_with") or "none")
    if name == "none":
        return None
    if name not in choices("strategy"):
        raise ConfigError(
            "compare_with", name, "none or a strategy preset: " + ", ".join(choices("strategy"))
        )
    data = resolved(cfg)
    data["strategy"] = load_preset("strategy", name)
    return RunConfig.from_dict(data)


def check_figures(cfg: DictConfig) -> None:
    """Everything checked before the runs start."""
    check_run(cfg)
    comparison_config(cfg)
    anim = cfg.get("animation", {})
    for key in ("hours", "frame_min", "fps"):
        value = anim.get(key, 1)
        if not isinstance(value, (int, float)) or value <= 0:
            raise ConfigError(f"animation.{key}", value, "a positive number")


def reach_table(recs) -> pd.DataFrame:
    """Tidy data of the reach curves: one row per strategy and simulated minute."""
    parts = [
        pd.DataFrame(
            {
                "strategy": rec.label,
                "t_min": rec.minutes,
                "people_reached": rec.incident_reach,
                "people_reached_scaled": rec.incident_reach * rec.scale,
            }
        )
        for rec in recs
    ]
    return pd.concat(parts, ignore_index=True)


def summary(recs) -> dict[str, Any]:
    """Key numbers of each run for summary.json."""
    out = {}
    for rec in recs:
        out[rec.label] = {
            "people_reached": int(rec.incident_reach[-1]),
            "people_reached_scaled": float(rec.incident_reach[-1] * rec.scale),
            "first_reply_min_after_complaint": min((a for _, a, _ in rec.replies), default=None),
            "replies_to_incident_posts": len(rec.replies),
            "reshares": int((rec.events["kind"] == "reshare").sum()),
        }
    return out


def execute(cfg: DictConfig) -> dict[str, Any]:
    """Run the strategies, write the figures and data; return the summary."""
    import matplotlib

    matplotlib.use("Agg")
    from sim.viz.animation import save_gif, spread_animation
    from sim.viz.teaching import (
        audience_figure,
        cascade_tree_figure,
        reach_over_time_figure,
        record_run,
    )
    from sim.viz.timeline import save_figure

    quiet_mesa()
    logging.getLogger("matplotlib.animation").setLevel(logging.WARNING)
    with user_errors():
        main_cfg = run_config(cfg)
        other_cfg = comparison_config(cfg)
    outdir = Path(output_dir(cfg))
    anim = cfg.get("animation", {})
    frame_min = float(anim.get("frame_min", 30))
    with user_errors(outdir), incomplete_marker(outdir):
        env = build_environment(main_cfg)
        recs = [record_run(main_cfg, env, main_cfg.strategy.name, frame_min=frame_min)]
        if other_cfg is not None:
            recs.append(
                record_run(
                    other_cfg, env, f"{other_cfg.strategy.name} (same seed)", frame_min=frame_min
                )
            )
        figdir = outdir / "figures"
        save_figure(cascade_tree_figure(recs), figdir / "cascade_tree.png")
        save_figure(reach_over_time_figure(recs), figdir / "reach_over_time.png")
        save_figure(audience_figure(recs), figdir / "reach_by_audience.png")
        if anim.get("enabled", True):
            hours = float(anim.get("hours", 24))
            dpi = int(anim.get("dpi", 72))
            save_gif(
                spread_animation(recs, hours=hours, dpi=dpi),
                figdir / "spread.gif",
                fps=int(anim.get("fps", 4)),
                dpi=dpi,
            )
        write_csv(outdir / "reach_over_time.csv", reach_table(recs))
        data = resolved(cfg)
        numbers = summary(recs)
        write_json(
            outdir / "summary.json",
            {"runs": numbers, "provenance": provenance(data, main_cfg.seed)},
        )
        write_yaml(outdir / "config.yaml", data)
    print(
        f"\nteaching figures for {main_cfg.scenario.name}, seed {main_cfg.seed} "
        f"({main_cfg.population.size:,} simulated people, 1 = {recs[0].scale:.0f} real):"
    )
    for label, row in numbers.items():
        reply = row["first_reply_min_after_complaint"]
        reply_text = (
            "no reply" if reply is None else f"first reply {reply:.0f} min after the complaint"
        )
        print(
            f"  {label:<32} {row['people_reached']:>8,} people reached "
            f"(~{row['people_reached_scaled']:,.0f} "
            f"real), {reply_text}"
        )
    print(f"figures: {outdir / 'figures'}")
    return numbers


@hydra.main(version_base="1.3", config_path=str(conf_dir()), config_name="figures")
def main(cfg: DictConfig) -> None:
    """Hydra entry point."""
    execute(cfg)


if __name__ == "__main__":
    run_app(main, config_name="figures", check=check_figures)
