"""Replicated, paired comparison of response strategies on one scenario, at one or more start times.

Replicate r uses seed `seed + r`. Its environment (network, population, chatter, incident) is
built once and shared by every strategy, and all later draws are keyed by post and person, so
the strategies of one replicate differ only by what they do (common random numbers). The runs go
through `sim.analysis.evaluator` (worker processes with joblib); the tables are put in
(start, replicate, strategy) order, so they do not depend on the number of workers.

With several incident start times (`sim.analysis.start_times`) the scenario is placed at each in
turn and every start time runs the same replicates (the same seeds, so the same network and
population). The summary has one block per start time and a pooled block over all runs, paired
by (start, replicate); since replicate r is one world seen at every start time, the pooled
intervals are taken over the replicates' averages across start times.

With `draws` (one override mapping per replicate, `sim.analysis.uncertainty.draws`), replicate r
also sets its uncertain parameters to `draws[r]`, the same for every strategy and start time:
the paired differences then compare strategies in the same world, and their intervals over
replicates include the uncertainty of the parameters. Without draws nothing changes.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from sim.analysis.calibration import with_values
from sim.analysis.evaluator import Case, evaluate
from sim.analysis.start_times import StartTime, first_incident_time, parse_start, shifted_start
from sim.analysis.stats import summarise, value_of_response
from sim.config.schema import RunConfig
from sim.errors import ConfigError

# Metrics summarised per strategy (mean, 95% CI, paired difference vs the baseline).
SUMMARY_METRICS = (
    "reach_negative",
    "reach_negative_scaled",
    "reach_positive",
    "reach_positive_scaled",
    "reach_positive_customers_scaled",
    "reach_brand_scaled",
    "impressions_negative_scaled",
    "net_sentiment",
    "sentiment_mean_final",
    "churned",
    "churned_scaled",
    "churn_baseline_scaled",
    "churn_excess_scaled",
    "revenue_at_risk",
    "revenue_at_risk_scaled",
    "reply_value_usd",
    "cost_total",
    "response_time_median_min",
    "response_time_p90_min",
    "responded_share",
    "resolved_share",
)
REPLY_KINDS = ("brand_reply", "peer_answer", "bot_reply")
HOURLY = ("hour", "mentions_negative", "mentions_positive")  # hourly columns a comparison keeps
POOLED = "pooled"  # the `start` of the summary rows over all start times
OWN_START = "scenario"  # the `start` label of a scenario without incidents run at its own start


@dataclass
class Comparison:
    """Everything a comparison produced, as tidy frames (each with a `start` column first)."""

    runs: pd.DataFrame  # one row per start, strategy and replicate: replicate, seed, metrics
    hourly: pd.DataFrame  # start, strategy, replicate, hour, mentions_negative, mentions_positive
    response_times: pd.DataFrame  # start, strategy, replicate, author, minutes (NaN: unanswered)
    strategies: list[str]
    baseline: str
    scale: float
    starts: list[str] = field(default_factory=list)  # start labels (mon10, ...) in order
    titles: dict[str, str] = field(default_factory=dict)  # start label -> "Monday 10:00"

    @property
    def replicates(self) -> int:
        """Replicates per start time."""
        return int(self.runs["replicate"].nunique())

    @property
    def headline(self) -> str:
        """The `start` of the summary rows that sum the comparison up: pooled, or the one start."""
        return POOLED if len(self.starts) > 1 else self.starts[0]

    def title(self, start: str) -> str:
        """A start label as readers see it ("Monday 10:00"; "pooled over start times")."""
        if start == POOLED:
            return "pooled over start times"
        return self.titles.get(start, start)

    def summary(self) -> pd.DataFrame:
        """Per start time (and pooled, when several): means, CIs, paired differences, ratios.

        Returns:
            The SUMMARY_COLUMNS of `sim.analysis.stats` with a `start` column in front: the
            pooled rows first (start `pooled`, only with several start times), then one block
            per start time.
        """
        # (start, its runs, the columns naming a pair, the cluster of the intervals)
        blocks: list[tuple[str, pd.DataFrame, tuple[str, ...], str | None]] = []
        if len(self.starts) > 1:
            blocks.append((POOLED, self.runs, ("start", "replicate"), "replicate"))
        for start in self.starts:
            blocks.append((start, self.runs[self.runs["start"] == start], ("replicate",), None))
        parts = []
        for start, runs, pair_by, cluster in blocks:
            table = pd.concat(
                [
                    summarise(
                        runs, SUMMARY_METRICS, self.baseline, pair_by=pair_by, cluster=cluster
                    ),
                    value_of_response(runs, self.baseline, pair_by=pair_by, cluster=cluster),
                ],
                ignore_index=True,
            )
            table.insert(0, "start", start)
            parts.append(table)
        return pd.concat(parts, ignore_index=True)


def at_start(summary: pd.DataFrame, start: str) -> pd.DataFrame:
    """The summary rows of one start (or `pooled`) without the `start` column."""
    if "start" not in summary.columns:
        return summary
    return summary[summary["start"] == start].drop(columns="start").reset_index(drop=True)


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


def placed(
    base: Mapping[str, Any], starts: Sequence[StartTime | str] | None
) -> tuple[dict[str, dict[str, Any]], dict[str, str]]:
    """The base run config placed at each start time, and the readable title of each.

    Args:
        base: run config without `strategy`.
        starts: start times (`StartTime` or short forms such as `mon10`); None or empty: the
            scenario's own start, labelled by the weekday and time of its first incident.

    Returns:
        (start label -> base config with `scenario.start` moved, start label -> title).

    Raises:
        ConfigError: a malformed start time, or start times for a scenario without incidents.
    """
    sc = RunConfig.from_dict(copy.deepcopy(dict(base))).scenario
    targets = [s if isinstance(s, StartTime) else parse_start(s) for s in (starts or [])]
    if not targets:
        if not sc.incidents:
            return {OWN_START: copy.deepcopy(dict(base))}, {OWN_START: "the scenario's start"}
        own = StartTime.at(first_incident_time(sc.start, sc.incidents[0].at_h))
        return {own.label: copy.deepcopy(dict(base))}, {own.label: own.title}
    if not sc.incidents:
        raise ConfigError(
            "starts",
            [t.label for t in targets],
            f"[] or null: the scenario {sc.name!r} has no incident to place at a start time",
        )
    configs, titles = {}, {}
    for target in targets:
        data = copy.deepcopy(dict(base))
        data["scenario"] = {
            **dict(data.get("scenario") or {}),
            "start": shifted_start(sc.start, sc.incidents[0].at_h, target),
        }
        configs[target.label], titles[target.label] = data, target.title
    return configs, titles


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
    starts: Sequence[StartTime | str] | None = None,
    n_jobs: int = -1,
    progress: bool = True,
    draws: Sequence[Mapping[str, Any]] | None = None,
) -> Comparison:
    """Run every strategy on `replicates` shared environments and collect the results.

    Args:
        base: run config without `strategy` (seed, scenario, network, population, ...); the seed
            of replicate r is `seed + r`.
        strategies: strategy name -> its knobs (a preset of conf/strategy/ or your own).
        replicates: number of replicates per start time (at least 2 for intervals).
        baseline: the strategy differences are taken against (must be among `strategies`).
        starts: incident start times (`mon10`, `wed03`, ... or `StartTime`s); each runs the same
            replicates (seeds). None or empty: the scenario's own start only.
        n_jobs: worker processes (-1: all cores; 1: no subprocesses).
        progress: show a progress bar.
        draws: per replicate, dotted key -> value of the uncertain parameters (as many as
            `replicates`); None: the configured values for every replicate.

    Returns:
        A Comparison; `comparison.summary()` gives the statistics.
    """
    if baseline not in strategies:
        raise ValueError(f"baseline {baseline!r} is not among the strategies {list(strategies)}")
    if replicates < 1:
        raise ValueError("replicates must be at least 1")
    bases, titles = placed(base, starts)
    for data in bases.values():  # fail early, in this process, on bad input
        configs = strategy_configs(data, strategies)
    scale = max(
        1.0, configs[baseline].scenario.reference_population / configs[baseline].population.size
    )
    names = list(strategies)
    if draws is not None and len(draws) != replicates:
        raise ValueError(f"{len(draws)} draws for {replicates} replicates")
    cases = [
        Case(
            f"{start}/{name}",
            {**copy.deepcopy(data), "strategy": {**dict(knobs), "name": name}},
            {"start": start, "strategy": name},
        )
        for start, data in bases.items()
        for name, knobs in strategies.items()
    ]
    runs_of: int | list[int] = replicates
    if draws is not None:  # one case per replicate: its seed and its draw (the same per strategy)
        seed0 = int(RunConfig.from_dict(copy.deepcopy(dict(base))).seed)
        cases = [
            Case(
                f"{case.id}/{r}",
                {**with_values(case.config, draws[r]), "seed": seed0 + r},
                {**case.labels, "draw": r},
            )
            for r in range(replicates)
            for case in cases
        ]
        runs_of = 1
    ev = evaluate(
        cases,
        runs_of,
        n_jobs=n_jobs,
        hourly=HOURLY,
        extract=_response_times,
        reuse_structure=len(bases) > 1,  # a seed's network and population serve every start
        progress=progress,
        desc=f"{len(names)} strategies x {replicates} replicates"
        + (f" x {len(bases)} start times" if len(bases) > 1 else ""),
    )
    order = {start: i for i, start in enumerate(bases)}
    tables = {"runs": ev.runs, "hourly": ev.hourly, "response_times": ev.frame("response_times")}
    for k, df in tables.items():  # (start, replicate, strategy) order
        if draws is not None:  # the replicate is the draw (every case ran once)
            df = df.assign(replicate=df.pop("draw"))
        df = df.drop(columns="config").assign(_order=df["start"].map(order))
        df = df.sort_values(["_order", "replicate"], kind="stable").drop(columns="_order")
        tables[k] = df.reset_index(drop=True)
    return Comparison(
        tables["runs"],
        tables["hourly"],
        tables["response_times"],
        names,
        baseline,
        scale,
        list(bases),
        titles,
    )
