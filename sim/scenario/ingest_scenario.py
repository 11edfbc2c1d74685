"""A scenario file from what an export measured: its YAML text, with comments that say what was
measured from the file and what is assumed, checked by the project's own validation.

The targets are what the scenario will be fitted to (label `calibrated`): mentions by valence
summed over the quiet hours and over the whole file (`by_h` sums of the hourly flows), negative
reshares, the summed followers of the authors of negative mentions (a potential-reach proxy,
`audience_negative`) and, when the brand replied, the median minutes to its first reply. The free
parameters are the chatter rates (half to twice the measured rate; a quarter to twice when no
quiet hours precede the incident) and the incident's appeal (0.2-20).
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass
from typing import Any

import yaml

from sim.config import presets
from sim.config.schema import RunConfig
from sim.scenario.ingest_measure import VALENCE_NAMES, Measured
from sim.scenario.ingest_read import Posts

DEFAULT_REFERENCE = 1_000_000
DEFAULT_BRAND_FOLLOWERS = 100_000
REPLY_STRATEGY = "fast_social_care"  # the library's 24/7 desk, for a brand that replied


@dataclass(frozen=True)
class ScenarioOptions:
    """What the file cannot tell (each a stated assumption in the written file)."""

    name: str
    reference_population: int | None = None  # None: the rule of `reference_population`
    size: int = 20_000
    replicates: int = 5
    tick_min: float = 1.0
    brand_followers: int | None = None  # None: the brand's largest follower count in the file
    brand_name: str | None = None
    template: str = ""  # the scenario the assumed values below come from
    customer_share: float = 0.5
    clv: float = 300.0
    complaint_severity: float = 0.3
    incident_severity: float = 0.7


def nice_ceil(x: float) -> int:
    """The smallest 1, 2 or 5 times a power of ten that is at least x."""
    if x <= 1:
        return 1
    p = 10 ** math.floor(math.log10(x))
    return int(next(m * p for m in (1, 2, 5, 10) if m * p >= x))


def reference_population(m: Measured, opts: ScenarioOptions) -> tuple[int, str]:
    """The reference population and the reason given for it in the file."""
    if opts.reference_population is not None:
        return opts.reference_population, "assumed: given on the command line"
    brand = opts.brand_followers or m.brand_followers or 0
    biggest = max([c.followers for c in m.complainers] + [brand])
    ref = max(DEFAULT_REFERENCE, nice_ceil(2 * biggest))
    return ref, (
        f"assumed: {DEFAULT_REFERENCE:,} or twice the largest named audience, whichever is more"
    )


def account_name(author: str, taken: set[str]) -> str:
    """A scenario name for an author id (letters, digits and _; unique)."""
    base = "acct_" + (re.sub(r"[^A-Za-z0-9_]+", "_", author).strip("_").lower() or "x")
    name, k = base, 2
    while name in taken:
        name, k = f"{base}_{k}", k + 1
    taken.add(name)
    return name


def _q(text: str) -> str:
    return json.dumps(text, ensure_ascii=False)  # a JSON string is a YAML double-quoted scalar


def _num(x: float) -> str:
    return f"{x:.4g}" if abs(x) < 1e4 else f"{x:.0f}"


def count_tolerance(n: float) -> tuple[float, bool]:
    """(tolerance, absolute) of a count target: about two Poisson standard deviations."""
    if n >= 25:
        return round(min(0.5, max(0.1, 2.0 / math.sqrt(n))), 3), False
    return round(max(3.0, 2.0 * math.sqrt(n)), 1), True


def _target(
    name: str, metric: str, documented: float, tol: float, absolute: bool, by_h: float, source: str
) -> list[str]:
    lines = [
        f"  - name: {_q(name)}",
        f"    metric: {metric}",
        f"    documented: {_num(documented)}   # measured",
        f"    tolerance: {tol:g}" + ("\n    absolute: true" if absolute else ""),
    ]
    if by_h:
        lines.append(f"    by_h: {by_h:g}")
    lines += ["    label: calibrated        # the fit uses it", f"    source: {_q(source)}"]
    return lines


def scenario_text(posts: Posts, m: Measured, opts: ScenarioOptions) -> str:
    """The scenario file's text (YAML with comments)."""
    ref, ref_why = reference_population(m, opts)
    scale = ref / opts.size
    src = f"{posts.path.name} (sha256 {posts.sha256[:12]})"
    first = m.start.strftime("%Y-%m-%dT%H:%M")
    brand_f = opts.brand_followers or m.brand_followers
    brand_why = (
        "assumed: given on the command line"
        if opts.brand_followers
        else "measured: the brand's largest follower count in the file"
        if m.brand_followers
        else "assumed: the file has no brand posts"
    )
    brand_f = min(brand_f or DEFAULT_BRAND_FOLLOWERS, ref)
    brand_name = opts.brand_name or (m.brand_authors[0] if m.brand_authors else "brand")
    replied = bool(m.reply_minutes)
    assumed = f"assumed: as in scenario {opts.template}" if opts.template else "assumed"
    out = [
        f"# Ingested from {src} by experiments.ingest: {m.posts:,} posts by {m.authors:,} authors",
        f"# from {first} UTC over {m.horizon_h} h.",
        "# Measured from the file: start, horizon, brand followers (if the brand posted), the",
        "# named accounts and the incident (the first negative burst), the chatter rates (quiet",
        '# hours) and every target\'s documented value. Assumed: everything marked "assumed".',
        "# Calibrate, then compare (docs/ingest.md):",
        f"#   python -m experiments.calibrate scenario={opts.name} apply=true",
        f"#   python -m experiments.compare scenario={opts.name} starts=[]",
        f"name: {opts.name}",
        "description: >",
        f"  Brand mentions ingested from the social-listening export {posts.path.name}: "
        f"{m.posts} posts, {int(m.hourly['negative'].sum())} of them negative.",
        "sources:",
        f"  - {_q('export ' + src + ', read by experiments.ingest')}",
        f"reference_population: {ref}   # {ref_why}",
        f"start: {_q(first)}   # measured: the first post, to the hour (UTC)",
        f"horizon_h: {m.horizon_h}   # measured: to the last post",
        f"tick_min: {opts.tick_min:g}   # assumed: the simulator's time step (minutes)",
        f"strategy: {REPLY_STRATEGY if replied else 'ignore'}"
        + (
            "   # assumed: the library's 24/7 desk (the brand replied)"
            if replied
            else "   # measured: the brand replied to nobody"
        ),
        f"replicates: {opts.replicates}   # assumed: seeds per candidate of the fit",
        "brand:",
        f"  name: {_q(brand_name)}",
        f"  followers: {brand_f}   # {brand_why}",
        f"  customer_share: {opts.customer_share:g}   # {assumed}",
        f"  clv: {opts.clv:g}   # {assumed}",
    ]
    taken: set[str] = set()
    names = [account_name(c.author, taken) for c in m.complainers]
    if m.complainers:
        out.append("accounts:")
        for c, name in zip(m.complainers, names):
            out += [
                f"  - name: {name}",
                f"    followers: {min(c.followers, ref)}   # measured",
                "    role: networker   # assumed",
                "    sentiment: 0.0    # assumed",
                f"    source: {_q(f'author {c.author} in {posts.path.name}')}",
            ]
        gaps = [60 * (b.first_h - a.first_h) for a, b in zip(m.complainers, m.complainers[1:])]
        gap = max(1.0, round(sum(gaps) / len(gaps), 1)) if gaps else 5.0
        waits = [f"{c.followup_after_h:.1f}" for c in m.complainers if c.followup_after_h]
        most = min(5, max(c.followups for c in m.complainers))
        out += [
            "incidents:",
            "  - name: first_negative_burst",
            f"    at_h: {round(m.complainers[0].first_h, 3)}   # measured: the first complaint"
            f" of the burst in hour {m.burst_hour}",
            f"    complainers: [{', '.join(names)}]",
            f"    severity: {opts.incident_severity:g}   # {assumed}",
            "    appeal: 1.0          # assumed: an ordinary complaint (free: fitted)",
            f"    complainer_gap_min: {gap:g}   # "
            + ("measured: mean gap between the complainers" if gaps else "assumed"),
            "    followup_after_h: 3.0   # assumed: the library's hazard scale"
            + (f" (second posts came after {', '.join(waits)} h)" if waits else ""),
            f"    max_followups: {most}   # measured: most later negative posts of a complainer",
        ]
    out += [f"chatter:   # measured: original posts per hour in {m.quiet_note}, diurnal removed"]
    for v, word in VALENCE_NAMES.items():
        out.append(f"  {word}_per_hour: {_num(m.chatter[v])}")
    out += [f"  complaint_severity: {opts.complaint_severity:g}   # {assumed}", "targets:"]
    quiet_h = int(m.incident_h) if m.incident_h is not None and m.incident_h >= 1 else 0
    windows = ([quiet_h] if quiet_h else []) + [m.horizon_h]
    for word in VALENCE_NAMES.values():
        total = float(m.hourly[word].sum())
        if total == 0:
            continue
        for by_h in windows:
            n = float(m.hourly.loc[m.hourly["hour"] <= by_h, word].sum())
            tol, absolute = count_tolerance(n)
            what = "before the incident" if by_h == quiet_h and by_h != m.horizon_h else "in all"
            out += _target(
                f"{word} mentions {what} (first {by_h} h)",
                f"mentions_{word}_scaled",
                n,
                tol,
                absolute,
                by_h,
                f"{src}: {word} posts not by the brand, replies and shares included",
            )
    n_neg = float(m.hourly["negative"].sum())
    shares = float(m.hourly["reshares_negative"].sum())
    if shares > 0:
        tol, absolute = count_tolerance(shares)
        out += _target(
            f"negative reshares in all (first {m.horizon_h} h)",
            "reshares_negative_scaled",
            shares,
            tol,
            absolute,
            m.horizon_h,
            f"{src}: negative posts with shared_from, not by the brand",
        )
    audience = float(m.hourly["audience_negative"].sum())
    if audience > 0:
        out += _target(
            "summed followers of the authors of negative mentions (potential reach)",
            "audience_negative_scaled",
            audience,
            round(min(0.5, max(0.25, 2.0 / math.sqrt(max(n_neg, 1.0)))), 3),
            False,
            m.horizon_h,
            f"{src}: author_followers summed over negative posts and shares",
        )
    if replied:
        median = float(sorted(m.reply_minutes)[len(m.reply_minutes) // 2])
        out += _target(
            "median minutes to the brand's first reply",
            "response_time_median_min",
            median,
            0.25,
            False,
            0,
            f"{src}: {len(m.reply_minutes)} posts the brand replied to",
        )
    if out[-1] == "targets:":
        out[-1] = "targets: []   # no mentions in the file"
    out.append("free:   # what calibration fits (experiments.calibrate)")
    low = 4.0 if m.quiet_note.startswith("every hour (") else 2.0  # rates that hold the incident
    for v, word in VALENCE_NAMES.items():
        rate = m.chatter[v]
        if rate > 0:
            out.append(
                f"  - {{key: scenario.chatter.{word}_per_hour, low: {_num(rate / low)}, "
                f"high: {_num(rate * 2)}}}"
            )
    if m.complainers:
        out.append("  - {key: scenario.incidents.0.appeal, low: 0.2, high: 20.0}")
    if out[-1].startswith("free:"):
        out[-1] = "free: []   # nothing to fit"
    out += [
        "settings:",
        f"  population.size: {opts.size}   # assumed: replay size (1 simulated person = "
        f"{_num(scale)} real ones)",
    ]
    return "\n".join(out) + "\n"


def check_scenario(text: str) -> dict[str, Any]:
    """Parse a scenario text and check it as a run would (ConfigError naming a bad key)."""
    data = yaml.safe_load(text)
    strategy = presets.load("strategy", str(data.get("strategy", "ignore")))
    size = int((data.get("settings") or {}).get("population.size", 20_000))
    RunConfig.from_dict({"scenario": data, "strategy": strategy, "population": {"size": size}})
    return data
