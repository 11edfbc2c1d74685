"""The tables of a strategy comparison: markdown summary, where the ranking changes, console.

Reads the summary of a `sim.analysis.compare.Comparison` (one block per start time and a pooled
one); ranks come from `sim.analysis.ranking`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from sim.analysis.compare import POOLED, Comparison, at_start
from sim.analysis.ranking import in_order, moved, rank_by
from sim.outputs.registry import get as get_metric
from sim.outputs.registry import heading, signed

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
        "churn_excess_scaled",
        "revenue_at_risk_scaled",
        "reply_value_usd",
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
        "reply_value_usd",
        "cost_total",
    )
)


def _cell(fmt: str, values: Sequence[float], total: int) -> str:
    """`mean [low, high]` (and `(n=...)` when fewer than `total` runs had a value)."""
    mean, low, high, n = (float(v) for v in values)
    if not np.isfinite(mean):
        return "n/a"
    text = fmt.format(mean)
    if np.isfinite(low):
        text += f" [{fmt.format(low)}, {fmt.format(high)}]"
    if n < total:
        text += f" (n={int(n)})"
    return text


def _md_table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    lines += ["| " + " | ".join(r) + " |" for r in rows]
    return "\n".join(lines)


def _blocks(s: pd.DataFrame, comparison: Comparison, total: int, level: str) -> list[str]:
    """The outcomes table and the paired-difference table of one start (or pooled)."""
    base = comparison.baseline
    out = [f"{level} Outcomes", ""]
    rows = []
    for name in comparison.strategies:
        rows.append(
            [name]
            + [
                _cell(f, s.loc[(name, k), ["mean", "ci_low", "ci_high", "n"]], total)
                for k, _, f in TABLE_COLUMNS
            ]
        )
    out.append(_md_table(["strategy"] + [label for _, label, _ in TABLE_COLUMNS], rows))
    out += [
        "",
        f"{level} Paired difference vs {base}",
        "",
        f"Strategy minus {base} in the same replicate, mean [95% CI]. Negative reach and revenue "
        "at risk: lower is better. Cost per 1,000 negative impressions averted and ROI = (revenue "
        "at risk saved + value of replies gained - extra cost) / extra cost are ratios of the "
        "mean paired differences.",
        "",
    ]
    rows = []
    for name in comparison.strategies:
        if name == base:
            continue
        cells = [
            _cell(f, s.loc[(name, k), ["diff", "diff_ci_low", "diff_ci_high", "n_pairs"]], total)
            for k, _, f in DIFF_COLUMNS
        ]
        per = s.loc[(name, "cost_per_1000_negative_impressions_averted")]
        roi = s.loc[(name, "roi")]
        cells.append(_cell("${:,.2f}", [per["mean"], per["ci_low"], per["ci_high"], total], total))
        cells.append(_cell("{:+.1f}", [roi["mean"], roi["ci_low"], roi["ci_high"], total], total))
        rows.append([name] + cells)
    out.append(
        _md_table(
            ["strategy"]
            + [f"Δ {label}" for _, label, _ in DIFF_COLUMNS]
            + ["$ per 1,000 negative impressions averted", "ROI"],
            rows,
        )
    )
    return out


def summary_markdown(summary: pd.DataFrame, comparison: Comparison, title: str = "") -> str:
    """The summary as Markdown: outcomes with 95% CIs, then paired differences vs the baseline.

    With several start times: the pooled tables first, then the tables of each start time, then
    "Where the ranking changes" (`ranking_markdown`).
    """
    reps, starts = comparison.replicates, comparison.starts
    out = [f"# {title}" if title else "# Strategy comparison", ""]
    scale = (
        f"people and dollars at real scale (1 simulated person = {comparison.scale:,.0f} real). "
        "n = runs with a finite value when some had none (no complaint answered)."
    )
    if len(starts) == 1:
        out.append(
            f"{reps} replicates per strategy; mean [95% t-interval]; {scale} The first incident "
            f"happens on {comparison.title(starts[0])}."
        )
        out.append("")
        out += _blocks(
            at_start(summary, starts[0]).set_index(["strategy", "metric"]), comparison, reps, "##"
        )
        return "\n".join(out) + "\n"
    titles = ", ".join(f"{comparison.title(t)} (`{t}`)" for t in starts)
    out.append(
        f"{reps} replicates per strategy at each of {len(starts)} start times of the first "
        f"incident: {titles}. Every start time runs the same replicates (replicate r: seed + r, "
        f"the same network and population). Mean [95% t-interval]; {scale}"
    )
    out += [
        "",
        f"The pooled tables hold all {reps * len(starts)} runs of each strategy, paired by start "
        f"time and replicate. Replicate r is one world seen at every start time, so the pooled "
        f"intervals are taken over the {reps} replicates' averages across start times.",
        "",
        "## Pooled over start times",
        "",
    ]
    out += _blocks(
        at_start(summary, POOLED).set_index(["strategy", "metric"]),
        comparison,
        reps * len(starts),
        "###",
    )
    for start in starts:
        out += ["", f"## {comparison.title(start)} (`{start}`)", ""]
        out += _blocks(
            at_start(summary, start).set_index(["strategy", "metric"]), comparison, reps, "###"
        )
    out += ["", "## Where the ranking changes", ""]
    out.append(
        ranking_markdown(
            summary, comparison.strategies, starts, comparison.titles, baseline=comparison.baseline
        )
    )
    return "\n".join(out) + "\n"


# ---------------------------------------------------------------- rankings over start times
# (metric, what the rank is by, lower is better)
RANKED = (
    ("reach_negative_scaled", "mean negative reach", True),
    ("sentiment_mean_final", "mean final sentiment", False),
)


def ordinal(n: int) -> str:
    """1st, 2nd, 3rd, 4th, ..., 11th, 12th, 13th, ..., 21st."""
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def ranks(
    summary: pd.DataFrame, strategies: Sequence[str], start: str, metric: str, lower_better: bool
) -> dict[str, int]:
    """Each strategy's rank (1 = best) by its mean of `metric` at `start` (or `pooled`).

    Equal means share a rank (1, 2, 2, 4); strategies without a finite mean come last.
    """
    s = at_start(summary, start).set_index(["strategy", "metric"])["mean"]
    return rank_by({name: float(s.loc[(name, metric)]) for name in strategies}, lower_better)


def rank_changes(
    summary: pd.DataFrame,
    strategies: Sequence[str],
    starts: Sequence[str],
    metric: str,
    lower_better: bool,
) -> dict[str, list[tuple[str, int, int]]]:
    """Per start time, the strategies whose rank differs from the pooled one.

    Returns:
        start -> [(strategy, rank at that start, pooled rank), ...] in the start's rank order
        (an empty list where the ranking is the pooled one).
    """
    pooled = ranks(summary, strategies, POOLED, metric, lower_better)
    out = {}
    for start in starts:
        here = ranks(summary, strategies, start, metric, lower_better)
        out[start] = [(n, r, p) for n, p, r in moved(pooled, here)]
    return out


def _place(rank: int, shared: bool) -> str:
    return f"joint {ordinal(rank)}" if shared else ordinal(rank)


def _changes_sentence(
    changed: Sequence[tuple[str, int, int]], here: Mapping[str, int], pooled: Mapping[str, int]
) -> str:
    """`a 3rd (pooled 4th), b joint 5th (pooled 6th)`, or `the pooled ranking`."""
    if not changed:
        return "the pooled ranking"
    shared = lambda rank, r: sum(v == r for v in rank.values()) > 1  # noqa: E731
    return ", ".join(
        f"{n} {_place(r, shared(here, r))} (pooled {_place(p, shared(pooled, p))})"
        for n, r, p in changed
    )


def ranking_markdown(
    summary: pd.DataFrame,
    strategies: Sequence[str],
    starts: Sequence[str],
    titles: Mapping[str, str] | None = None,
    baseline: str = "",
) -> str:
    """The section "Where the ranking changes" of a comparison over start times.

    For each ranked outcome (RANKED) a table of the rank order at every start time, pooled first,
    with the strategies whose rank differs from the pooled rank in bold, and a sentence per start
    time naming them, or one saying the ranking is the same at every start time.

    Args:
        summary: a comparison summary with `pooled` rows and one block per start time.
        strategies: the strategies, in the comparison's order.
        starts: the start labels, in order.
        titles: start label -> readable title (default: the label).
        baseline: the baseline's name, for the closing advice.
    """
    titles = dict(titles or {})
    name = lambda start: str(titles.get(start, start))  # noqa: E731
    out = [
        "Strategies in order of their mean at each start time (1 = best); a name in bold has "
        "another rank than in the pooled ranking.",
    ]
    for metric, what, lower_better in RANKED:
        order = "lowest" if lower_better else "highest"
        out += ["", f"### By {what} ({order} first)", ""]
        columns = [POOLED, *starts]
        rank = {c: ranks(summary, strategies, c, metric, lower_better) for c in columns}
        lists = {c: in_order(rank[c]) for c in columns}
        rows = []
        for i in range(len(strategies)):
            cells = [str(i + 1)]
            for c in columns:
                n = lists[c][i]
                cell = f"**{n}**" if c != POOLED and rank[c][n] != rank[POOLED][n] else n
                if rank[c][n] != i + 1 or sum(r == rank[c][n] for r in rank[c].values()) > 1:
                    cell += f" (joint {ordinal(rank[c][n])})"
                cells.append(cell)
            rows.append(cells)
        out.append(_md_table(["rank", "pooled"] + [name(c) for c in starts], rows))
        out.append("")
        changes = rank_changes(summary, strategies, starts, metric, lower_better)
        if not any(changes.values()):
            out.append(f"By {what}, the ranking is the same at every start time.")
            continue
        out.append(f"By {what}, ranks that differ from the pooled ranking:")
        out.append("")
        out += [
            f"- {name(start)}: {_changes_sentence(c, rank[start], rank[POOLED])}."
            for start, c in changes.items()
        ]
    out += [
        "",
        "Ranks follow the means. Strategies whose means are close may swap places by chance; "
        "before reading a change of rank as an effect of the start time, check that the two "
        f"strategies' paired differences vs {baseline or 'the baseline'} at that start time "
        "(the tables above) are clearly apart.",
    ]
    return "\n".join(out)


def ranking_text(summary: pd.DataFrame, comparison: Comparison) -> str:
    """A few lines for the terminal: where the ranking by negative reach and sentiment changes."""
    if len(comparison.starts) < 2:
        return ""
    out = ["Where the ranking changes (rank by the mean at each start time vs pooled):"]
    for metric, what, lower_better in RANKED:
        changes = rank_changes(
            summary, comparison.strategies, comparison.starts, metric, lower_better
        )
        rank = {
            c: ranks(summary, comparison.strategies, c, metric, lower_better)
            for c in [POOLED, *comparison.starts]
        }
        pooled = in_order(rank[POOLED])
        out.append(f"  by {what}, pooled order: {', '.join(pooled)}")
        if not any(changes.values()):
            out.append("    the ranking is the same at every start time")
            continue
        for start, changed in changes.items():
            sentence = _changes_sentence(changed, rank[start], rank[POOLED])
            out.append(f"    {comparison.title(start)}: {sentence}")
    return "\n".join(out)


def console_table(summary: pd.DataFrame, comparison: Comparison) -> str:
    """A compact text table for the terminal, pooled over start times (the full one: summary.md)."""
    s = at_start(summary, comparison.headline).set_index(["strategy", "metric"])
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
        "negative post about the brand. ROI = (revenue at risk saved + value of replies gained "
        "- extra cost) / extra cost."
    )
    return "\n".join(out)
