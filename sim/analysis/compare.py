"""Replicated, paired comparison of response strategies on one scenario.

Replicate r uses seed `seed + r`. Its environment (network, population, chatter, incident) is
built once and shared by every strategy, and all later draws are keyed by post and person, so
the strategies of one replicate differ only by what they do (common random numbers). The runs go
through `sim.analysis.evaluator` (worker processes with joblib); the tables are put in
(replicate, strategy) order, so they do not depend on the number of workers.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from sim.analysis.evaluator import Case, evaluate
from sim.analysis.stats import summarise, value_of_response
from sim.config.schema import RunConfig
from sim.outputs.registry import get as get_metric
from sim.outputs.registry import heading, signed

# Metrics summarised per strategy (mean, 95% CI, paired difference vs the baseline).
SUMMARY_METRICS = (
    "reach_negative",
    "reach_negative_scaled",
    "reach_positive",
    "reach_positive_scaled",
    "impressions_negative_scaled",
    "net_sentiment",
    "sentiment_mean_final",
    "churned",
    "churned_scaled",
    "revenue_at_risk",
    "revenue_at_risk_scaled",
    "cost_total",
    "response_time_median_min",
    "response_time_p90_min",
    "responded_share",
    "resolved_share",
)
REPLY_KINDS = ("brand_reply", "peer_answer", "bot_reply")
HOURLY = ("hour", "mentions_negative", "mentions_positive")  # hourly columns a comparison keeps


@dataclass
class Comparison:
    """Everything a comparison produced, as tidy frames."""

    runs: pd.DataFrame  # one row per strategy and replicate: strategy, replicate, seed, metrics
    hourly: pd.DataFrame  # strategy, replicate, hour, mentions_negative, mentions_positive
    response_times: pd.DataFrame  # strategy, replicate, author, minutes (NaN: never answered)
    strategies: list[str]
    baseline: str
    scale: float

    def summary(self) -> pd.DataFrame:
        """Means, CIs, paired differences vs the baseline, cost per 1,000 averted and ROI."""
        table = summarise(self.runs, SUMMARY_METRICS, self.baseline)
        return pd.concat([table, value_of_response(self.runs, self.baseline)], ignore_index=True)


def strategy_configs(
    base: Mapping[str, Any], strategies: Mapping[str, Mapping[str, Any]]
) -> dict[str, RunConfig]:
    """Checked run configs of replicate 0, one per strategy (raises ConfigError on bad input)."""
    out = {}
    for name, knobs in strategies.items():
        data = copy.deepcopy(dict(base))
        data["strategy"] = {**dict(knobs), "name": name}
        out[name] = RunConfig.from_dict(data)
    return out


def first_response_times(events: pd.DataFrame) -> pd.DataFrame:
    """Per complainer: minutes from the first complaint to the first public answer (NaN if none)."""
    posts = events[events["post_id"] >= 0]
    complaints = posts[posts["kind"] == "complaint"]
    first = complaints.groupby("author")["t_min"].min()
    replies = posts[posts["kind"].isin(REPLY_KINDS)]
    author_of = posts.set_index("post_id")["author"]
    answered_author = author_of.reindex(replies["parent_id"].to_numpy()).to_numpy()
    reply_t = pd.Series(replies["t_min"].to_numpy()).groupby(answered_author).min()
    minutes = reply_t.reindex(first.index) - first
    return pd.DataFrame({"author": first.index.to_numpy(), "minutes": minutes.to_numpy()})


def _response_times(rc: RunConfig, result: Any) -> dict[str, pd.DataFrame]:
    """What a comparison keeps of a run's event log: each complainer's first response time."""
    return {"response_times": first_response_times(result.events)}


def compare(
    base: Mapping[str, Any],
    strategies: Mapping[str, Mapping[str, Any]],
    replicates: int,
    *,
    baseline: str,
    n_jobs: int = -1,
    progress: bool = True,
) -> Comparison:
    """Run every strategy on `replicates` shared environments and collect the results.

    Args:
        base: run config without `strategy` (seed, scenario, network, population, ...); the seed
            of replicate r is `seed + r`.
        strategies: strategy name -> its knobs (a preset of conf/strategy/ or your own).
        replicates: number of replicates (at least 2 for intervals).
        baseline: the strategy differences are taken against (must be among `strategies`).
        n_jobs: worker processes (-1: all cores; 1: no subprocesses).
        progress: show a progress bar.

    Returns:
        A Comparison; `comparison.summary()` gives the statistics.
    """
    if baseline not in strategies:
        raise ValueError(f"baseline {baseline!r} is not among the strategies {list(strategies)}")
    if replicates < 1:
        raise ValueError("replicates must be at least 1")
    configs = strategy_configs(base, strategies)  # fail early, in this process, on bad input
    scale = max(
        1.0, configs[baseline].scenario.reference_population / configs[baseline].population.size
    )
    names = list(strategies)
    cases = [
        Case(
            name,
            {**copy.deepcopy(dict(base)), "strategy": {**dict(knobs), "name": name}},
            {"strategy": name},
        )
        for name, knobs in strategies.items()
    ]
    ev = evaluate(
        cases,
        replicates,
        n_jobs=n_jobs,
        hourly=HOURLY,
        extract=_response_times,
        progress=progress,
        desc=f"{len(names)} strategies x {replicates} replicates",
    )
    tables = {"runs": ev.runs, "hourly": ev.hourly, "response_times": ev.frame("response_times")}
    for k, df in tables.items():  # (replicate, strategy) order
        df = df.drop(columns="config").sort_values("replicate", kind="stable")
        tables[k] = df.reset_index(drop=True)
    return Comparison(
        tables["runs"], tables["hourly"], tables["response_times"], names, baseline, scale
    )


# ---------------------------------------------------------------- tables
# columns of the tables: (metric, heading, format), from the metric registry
TABLE_COLUMNS = tuple(
    (k, heading(k), get_metric(k).fmt)
    for k in (
        "reach_negative_scaled",
        "reach_positive_scaled",
        "net_sentiment",
        "sentiment_mean_final",
        "churned_scaled",
        "revenue_at_risk_scaled",
        "cost_total",
        "response_time_median_min",
        "response_time_p90_min",
        "responded_share",
        "resolved_share",
    )
)
DIFF_COLUMNS = tuple(
    (k, heading(k), signed(get_metric(k).fmt))
    for k in (
        "reach_negative_scaled",
        "reach_positive_scaled",
        "sentiment_mean_final",
        "revenue_at_risk_scaled",
        "cost_total",
    )
)


def _cell(fmt: str, mean: float, low: float, high: float, n: int, total: int) -> str:
    if not np.isfinite(mean):
        return "n/a"
    text = fmt.format(mean)
    if np.isfinite(low):
        text += f" [{fmt.format(low)}, {fmt.format(high)}]"
    if n < total:
        text += f" (n={n})"
    return text


def _md_table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    lines += ["| " + " | ".join(r) + " |" for r in rows]
    return "\n".join(lines)


def summary_markdown(summary: pd.DataFrame, comparison: Comparison, title: str = "") -> str:
    """The summary as Markdown: outcomes with 95% CIs, then paired differences vs the baseline."""
    s = summary.set_index(["strategy", "metric"])
    total = int(comparison.runs["replicate"].nunique())
    base = comparison.baseline
    out = [f"# {title}" if title else "# Strategy comparison", ""]
    out.append(
        f"{total} replicates per strategy; mean [95% t-interval]; people and dollars at real scale "
        f"(1 simulated person = {comparison.scale:,.0f} real). n = replicates with a finite value "
        f"when some had none (no complaint answered)."
    )
    out += ["", "## Outcomes", ""]
    rows = []
    for name in comparison.strategies:
        rows.append(
            [name]
            + [
                _cell(f, *s.loc[(name, k), ["mean", "ci_low", "ci_high", "n"]], total)
                for k, _, f in TABLE_COLUMNS
            ]
        )
    out.append(_md_table(["strategy"] + [label for _, label, _ in TABLE_COLUMNS], rows))
    out += [
        "",
        f"## Paired difference vs {base}",
        "",
        f"Strategy minus {base} in the same replicate, mean [95% CI]. Negative reach and revenue "
        "at risk: lower is better. Cost per 1,000 negative impressions averted and ROI = (revenue "
        "at risk saved - extra cost) / extra cost are ratios of the mean paired differences.",
        "",
    ]
    rows = []
    for name in comparison.strategies:
        if name == base:
            continue
        cells = [
            _cell(f, *s.loc[(name, k), ["diff", "diff_ci_low", "diff_ci_high", "n_pairs"]], total)
            for k, _, f in DIFF_COLUMNS
        ]
        per = s.loc[(name, "cost_per_1000_negative_impressions_averted")]
        roi = s.loc[(name, "roi")]
        cells.append(_cell("${:,.2f}", per["mean"], per["ci_low"], per["ci_high"], total, total))
        cells.append(_cell("{:+.1f}", roi["mean"], roi["ci_low"], roi["ci_high"], total, total))
        rows.append([name] + cells)
    out.append(
        _md_table(
            ["strategy"]
            + [f"Δ {label}" for _, label, _ in DIFF_COLUMNS]
            + ["$ per 1,000 negative impressions averted", "ROI"],
            rows,
        )
    )
    return "\n".join(out) + "\n"


def console_table(summary: pd.DataFrame, comparison: Comparison) -> str:
    """A compact text table for the terminal (the full one is in summary.md)."""
    s = summary.set_index(["strategy", "metric"])
    base = comparison.baseline
    header = [
        "strategy",
        "negative reach",
        f"Δ vs {base} [95% CI]",
        "sentiment",
        "churned",
        "cost $",
        "median reply",
        "answered",
        "resolved",
        "ROI [95% CI]",
    ]
    rows = []
    for name in comparison.strategies:
        g = lambda metric, col="mean", name=name: s.loc[(name, metric), col]  # noqa: E731
        diff = (
            ""
            if name == base
            else (
                f"{g('reach_negative_scaled', 'diff'):+,.0f} "
                f"[{g('reach_negative_scaled', 'diff_ci_low'):+,.0f}, "
                f"{g('reach_negative_scaled', 'diff_ci_high'):+,.0f}]"
            )
        )
        reply = g("response_time_median_min")
        roi = (
            ""
            if name == base or not np.isfinite(g("roi"))
            else (f"{g('roi'):+.1f} [{g('roi', 'ci_low'):+.1f}, {g('roi', 'ci_high'):+.1f}]")
        )
        rows.append(
            [
                name,
                f"{g('reach_negative_scaled'):,.0f}",
                diff,
                f"{g('sentiment_mean_final'):+.3f}",
                f"{g('churned_scaled'):,.0f}",
                f"{g('cost_total'):,.0f}",
                "none" if not np.isfinite(reply) else f"{reply:,.0f} min",
                f"{g('responded_share'):.0%}",
                f"{g('resolved_share'):.0%}",
                roi,
            ]
        )
    widths = [max(len(str(r[i])) for r in [header] + rows) for i in range(len(header))]
    line = lambda r: "  ".join(
        str(c).ljust(w) if i == 0 else str(c).rjust(w)  # noqa: E731
        for i, (c, w) in enumerate(zip(r, widths))
    )
    out = [line(header), "  ".join("-" * w for w in widths)] + [line(r) for r in rows]
    out.append(
        "Means over replicates; people and dollars at real scale. Negative reach: people who saw a "
        "negative post about the brand. ROI = (revenue at risk saved - extra cost) / extra cost."
    )
    return "\n".join(out)
