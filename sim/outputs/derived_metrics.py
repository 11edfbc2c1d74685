"""Metrics that documented cases are measured by, beyond the standard set.

* Incident handling: did the brand answer / resolve the incident's named complainers, and how fast
  (Comcast: found and solved within 20 minutes).
* The incident's impressions (views of the complaint and its reshares; United Breaks Guitars).
* The delight campaign: unique reach and impressions of delighted customers' posts and their
  reshares, and the share of those posts that are positive (Da Grasso).
* Brand mentions of every valence, valenced mentions, and valenced mentions by the brand's own
  followers, all of them or only their own posts (not reshares): talk on the brand's page.
* Direct contacts and channels: calls and web transactions served per hour at the peak, waiting
  times, queue peaks and the cost per contact (Alaska Air).
* Timing of reshares (about half within an hour of the original, Kwak et al. 2010) and the
  power-law exponent of follower counts (about 2.28).
* The held-out checks' cascade and answer metrics (`sim.outputs.evidence_metrics`).

Count metrics get `_scaled` twins (times the scale factor: real people), like the standard ones.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from sim.customers.diffusion import KIND, TOPIC_CAMPAIGN
from sim.customers.population import BRAND_NODE
from sim.outputs.evidence_metrics import evidence_metrics
from sim.outputs.registry import scaled_counts
from sim.scenario.scripted import contact_waits_min

if TYPE_CHECKING:  # pragma: no cover
    from sim.engine.protocols import HubModel

NOT_MENTIONS = (
    KIND["brand_reply"],
    KIND["peer_answer"],
    KIND["bot_reply"],
    KIND["brand_statement"],
)
SCALED = scaled_counts("derived")  # counts with a `_scaled` twin (sim/outputs/registry.py)
EXPONENT_XMIN = 10  # smallest follower count the power-law fit may start from


def _nan_median(x: list[float]) -> float:
    return float(np.median(x)) if x else float("nan")


def _per_hour_peak(model: HubModel, kind: str) -> float:
    ticks = [t for t, k, _, _ in model.service_events if k == kind]
    if not ticks:
        return 0.0
    return float(np.bincount(np.asarray(ticks) // model.ticks_per_hour).max())


def incident_handling(model: HubModel) -> dict[str, float]:
    """Answers and resolutions of the incidents' named complainers."""
    sc, desk = model.cfg.scenario, model.desk
    index = {a.name: i + 1 for i, a in enumerate(sc.accounts)}
    named = {index[n] for inc in sc.incidents if inc.valence < 0 for n in inc.complainers}
    cases = [desk.case_of_author[p] for p in sorted(named) if p in desk.case_of_author]
    roots = [c.original or c for c in cases]
    responded = [
        (r.first_response - r.tick) * model.tick_min for r in roots if r.first_response >= 0
    ]
    resolved = [c for c in cases if c.resolved]
    minutes = [((c.closed - (c.original or c).tick) * model.tick_min) for c in resolved]
    n = len(named)
    return {
        "incident_responded_share": len(responded) / n if n else float("nan"),
        "incident_resolved_share": len(resolved) / n if n else float("nan"),
        "incident_response_min": _nan_median(responded),
        "incident_resolution_min": _nan_median(minutes),
    }


def mention_metrics(model: HubModel) -> dict[str, float]:
    """Brand mentions by valence group and by the brand's own followers."""
    posts, g = model.diffusion.posts, model.graph
    author, kind, valence = posts.column("author"), posts.column("kind"), posts.column("valence")
    mention = (author != BRAND_NODE) & ~np.isin(kind, NOT_MENTIONS)
    fans = np.zeros(g.n_nodes, dtype=bool)
    fans[g.followers(BRAND_NODE)] = True
    valenced = mention & (valence != 0)
    return {
        "mentions_total": float(sum(int(model.mentions_tick[v].sum()) for v in (-1, 0, 1))),
        "mentions_brand": float(
            int(model.mentions_tick[-1].sum()) + int(model.mentions_tick[1].sum())
        ),
        "fan_mentions": float(np.count_nonzero(valenced & fans[author])),
        "fan_posts": float(np.count_nonzero(valenced & fans[author] & (kind != KIND["reshare"]))),
        "brand_followers": float(g.followers(BRAND_NODE).size),
    }


def campaign_metrics(model: HubModel) -> dict[str, float]:
    """Reach and tone of the delight campaign's posts (delighted customers and their reshares)."""
    d = model.diffusion
    topic, valence = d.posts.column("topic"), d.posts.column("valence")
    camp = topic == TOPIC_CAMPAIGN
    n = int(np.count_nonzero(camp))
    return {
        "reach_campaign": float(d.reach_campaign),
        "impressions_campaign": float(d.impressions_campaign),
        "campaign_posts": float(n),
        "campaign_positive_share": float(np.count_nonzero(camp & (valence > 0)) / n)
        if n
        else float("nan"),
    }


def channel_metrics(model: HubModel) -> dict[str, float]:
    """Direct contacts and the phone line / web self-service under load."""
    desk = model.desk
    out = {"direct_contacts": float(len(model.direct_contacts))}
    for ch in (desk.phone, desk.web):
        waits = contact_waits_min(model, ch.name)
        out[f"{ch.name}_peak_per_hour"] = _per_hour_peak(model, f"{ch.name}_contact")
        out[f"{ch.name}_wait_mean_min"] = float(waits.mean()) if waits.size else 0.0
        out[f"{ch.name}_wait_max_min"] = float(waits.max()) if waits.size else 0.0
        out[f"{ch.name}_queue_peak"] = float(ch.peak)
        out[f"cost_per_{ch.name}_contact"] = ch.spent / ch.served if ch.served else float("nan")
    return out


def workload_sla(model: HubModel) -> dict[str, float]:
    """Share of the run's complaints (unseen workload included, its warm-up week not) answered
    within the strategy's response target."""
    desk = model.desk
    cases = [c for c in desk.cases if not c.duplicate] + [
        c for c in desk.unseen_cases if c.tick >= 0
    ]
    target = model.cfg.strategy.response_target_min
    met = sum(
        1
        for c in cases
        if c.first_response >= 0 and (c.first_response - c.tick) * model.tick_min <= target
    )
    return {"workload_sla_met_share": met / len(cases) if cases else float("nan")}


def reshare_timing(model: HubModel) -> dict[str, float]:
    """Share of reshares posted within an hour of their cascade's original post."""
    posts = model.diffusion.posts
    kind, tick, cascade = posts.column("kind"), posts.column("tick"), posts.column("cascade")
    re = kind == KIND["reshare"]
    if not re.any():
        return {"reshare_within_1h_share": float("nan"), "reshare_delay_median_min": float("nan")}
    delay = (tick[re] - tick[cascade[re]]) * model.tick_min
    return {
        "reshare_within_1h_share": float(np.mean(delay <= 60.0)),
        "reshare_delay_median_min": float(np.median(delay)),
    }


def follower_exponent(model: HubModel) -> float:
    """Maximum-likelihood power-law exponent of ordinary accounts' follower counts in the tail.

    The discrete approximation of Clauset, Shalizi and Newman (2009),
    alpha = 1 + n / sum(ln(x / (xmin - 0.5))), over counts x >= xmin, where xmin is the median
    count (at least EXPONENT_XMIN): above it the generated counts follow the power law. The brand
    and the named accounts are left out.
    """
    x = model.graph.follower_counts()[1 + len(model.cfg.scenario.accounts) :].astype(np.float64)
    if x.size == 0:
        return float("nan")
    xmin = max(float(EXPONENT_XMIN), float(np.median(x)))
    x = x[x >= xmin]
    if x.size < 10:
        return float("nan")
    return float(1.0 + x.size / np.log(x / (xmin - 0.5)).sum())


def derived_metrics(model: HubModel) -> dict[str, float]:
    """All metrics of this module, with `_scaled` twins of the counts."""
    m: dict[str, float] = {}
    for part in (
        incident_handling,
        mention_metrics,
        campaign_metrics,
        channel_metrics,
        workload_sla,
        reshare_timing,
        evidence_metrics,
    ):
        m.update(part(model))
    m["impressions_incident"] = float(model.diffusion.impressions_incident_tick.sum())
    m["follower_exponent"] = follower_exponent(model)
    for k in SCALED:
        m[f"{k}_scaled"] = m[k] * model.scale
    return m
