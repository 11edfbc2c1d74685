"""The time course of a replayed scenario: median and 10-90% band over replicates.

Top: negative and positive brand mentions per hour under the documented strategy (solid) and the
counterfactual (dashed). Middle: for a target measured over the first hours (`by_h`), the
cumulative measure in real people with the documented value marked; otherwise cumulative reach
(real people). Bottom: the service side (desk backlog, phone queue) when there is one, else the
mean sentiment of customers.
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from sim.viz.timeline import NEG, POS, plot_curve, reach_panel, save_figure

__all__ = ["replay_figure", "save_figure"]

SERVICE, QUEUE, SENT = "#2c3e50", "#e67e22", "#8e44ad"


def _band(frames: list[pd.DataFrame], column: str, cumulative: bool = False, scale: float = 1.0):
    arr = np.array([f[column].to_numpy(dtype=float) for f in frames if column in f]) * scale
    if arr.size == 0:
        return None
    if cumulative:
        arr = np.cumsum(arr, axis=1)
    return np.median(arr, axis=0), np.percentile(arr, 10, axis=0), np.percentile(arr, 90, axis=0)


def replay_figure(replay) -> plt.Figure:
    """Figure of a `ScenarioReplay` (experiments.replay)."""
    reps = replay.replicates
    doc = [r.hourly for r in reps]
    cf = [r.cf_hourly for r in reps if r.cf_hourly is not None]
    scale = float(reps[0].metrics.get("scale_factor", 1.0))
    hours = doc[0]["hour"].to_numpy()
    sc = replay.runs.checked.scenario
    dname, cname = replay.runs.strategy, replay.runs.counterfactual_name
    fig, axes = plt.subplots(
        3, 1, figsize=(10, 8.5), sharex=True, gridspec_kw={"height_ratios": [3, 2, 1.6]}
    )
    ax = axes[0]
    for col, color, word in (
        ("mentions_negative", NEG, "negative"),
        ("mentions_positive", POS, "positive"),
    ):
        plot_curve(
            ax, hours, _band(doc, col, scale=scale), color, f"{word} mentions / hour ({dname})"
        )
        if cf:
            plot_curve(
                ax, hours, _band(cf, col, scale=scale), color, f"{word} ({cname})", dashed=True
            )
    for inc in sc.incidents:
        for a in axes:
            a.axvline(inc.at_h, color="black", ls=":", lw=1)
    for act in sc.actions if reps[0].metrics is not None else ():
        axes[0].axvline(act.at_h, color=SERVICE, ls="-.", lw=1)
        axes[0].annotate(
            act.kind,
            (act.at_h, axes[0].get_ylim()[1] * 0.95),
            fontsize=8,
            color=SERVICE,
            xytext=(3, 0),
            textcoords="offset points",
        )
    ax.set_ylabel("brand mentions per hour\n(real people)")
    ax.set_title(f"{sc.name}: {len(reps)} replicates, median and 10-90% band")
    ax.legend(loc="upper right", frameon=False, fontsize=8)
    ax = axes[1]
    windowed = [t for t in sc.targets if t.by_h > 0]
    if windowed:
        t = windowed[0]
        column = t.metric[: -len("_scaled")] if t.metric.endswith("_scaled") else t.metric
        factor = scale if column != t.metric else 1.0
        plot_curve(
            ax,
            hours,
            _band(doc, column, cumulative=True, scale=factor),
            NEG,
            f"cumulative {column}",
        )
        ax.plot(
            [t.by_h],
            [t.documented],
            "o",
            color="black",
            label=f"documented: {t.documented:,.0f} by hour {t.by_h:g}",
        )
        ax.set_ylabel("cumulative\n(real people)")
    else:
        reach_panel(
            ax,
            hours,
            _band(doc, "reach_negative_cum", scale=scale),
            _band(doc, "reach_positive_cum", scale=scale),
            (f"reached by negative posts ({dname})", f"reached by positive posts ({dname})"),
            unit="real people",
        )
        if cf:
            reach_panel(
                ax,
                hours,
                _band(cf, "reach_negative_cum", scale=scale),
                _band(cf, "reach_positive_cum", scale=scale),
                (f"negative ({cname})", f"positive ({cname})"),
                dashed=True,
            )
    ax.legend(loc="upper left", frameon=False, fontsize=8)
    ax = axes[2]
    service = [
        c for c in ("backlog", "phone_queue") if any(f[c].max() > 0 for f in doc + cf if c in f)
    ]
    if service:
        for col, color in zip(service, (SERVICE, QUEUE)):
            plot_curve(ax, hours, _band(doc, col), color, f"{col.replace('_', ' ')} ({dname})")
            if cf:
                plot_curve(
                    ax,
                    hours,
                    _band(cf, col),
                    color,
                    f"{col.replace('_', ' ')} ({cname})",
                    dashed=True,
                )
        ax.set_ylabel("waiting\n(simulated cases)")
    else:
        plot_curve(
            ax, hours, _band(doc, "sentiment_mean"), SENT, f"mean customer sentiment ({dname})"
        )
        if cf:
            plot_curve(ax, hours, _band(cf, "sentiment_mean"), SENT, f"({cname})", dashed=True)
        ax.set_ylabel("sentiment")
    ax.legend(loc="upper right", frameon=False, fontsize=8)
    ax.set_xlabel("hours since start")
    for a in axes:
        a.spines[["top", "right"]].set_visible(False)
        a.set_xlim(0, float(hours.max()))
    fig.tight_layout()
    return fig
