"""Loyalty and value: excess churn, revenue at risk and the value of a reply, in real units.

* Churn is reported against its baseline: `churn_baseline` is who would leave over the horizon at
  their starting sentiment (the same keyed draw per person as the run's churn), `churn_excess`
  the run's churn minus that baseline (negative when the run made customers more loyal on net).
  Revenue at risk is the excess times the customer lifetime value.
* The `_scaled` twins of these counts multiply ordinary simulated people by the scale factor but
  count each named account (a scenario's real complainers, placed in the network rather than drawn
  from the population) once: Ryan Sarver is one customer at any population size.
* The value of a reply follows the Twitter / Applied Marketing Science airline study (2015-16):
  a complainer who got a reply within `reply_fast_min` (6 min) was willing to pay about
  `reply_value_fast` ($20) more, after more than `reply_slow_min` (60 min) only
  `reply_value_slow` ($2.33); in between the curve is linear in the logarithm of the minutes.
  `reply_value_usd` sums it over the complainers the brand's staff replied to during the run
  (bot and super-user answers earn nothing), real ones: the desk's whole workload (the unseen
  complaints of a down-scaled run included), each complainer once.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import numpy as np

from sim.config.schema import BrandConfig
from sim.customers.opinion import churn
from sim.customers.population import BRAND_NODE
from sim.engine.rng import keyed_uniform

if TYPE_CHECKING:  # pragma: no cover
    from sim.engine.protocols import HubModel


def wtp(minutes: float | np.ndarray, brand: BrandConfig) -> np.ndarray:
    """Extra willingness to pay ($) of a complainer answered after `minutes`.

    `reply_value_fast` up to `reply_fast_min`, `reply_value_slow` from `reply_slow_min` on, and
    linear in log(minutes) in between: monotone decreasing and continuous.

    Args:
        minutes: minutes from complaint to first reply (one value or an array).
        brand: the scenario's brand section (the curve's four parameters).

    Returns:
        Dollars per complainer, an array of the shape of `minutes`.
    """
    t = np.asarray(minutes, dtype=np.float64)
    lo, hi = brand.reply_fast_min, brand.reply_slow_min
    frac = np.log(np.clip(t, lo, hi) / lo) / math.log(hi / lo)
    return brand.reply_value_fast + (brand.reply_value_slow - brand.reply_value_fast) * frac


def reply_minutes(model: HubModel) -> np.ndarray:
    """Minutes to the brand's first reply to every complainer it replied to (unseen ones too).

    A bot's answer or a super-user's is not a reply of the airline the study asked about, so
    it earns nothing; a complainer escalated from them counts from the staff's reply.
    """
    desk = model.desk
    cases = [c for c in desk.cases if not c.duplicate] + [
        c for c in desk.unseen_cases if c.tick >= 0
    ]
    return np.array(
        [(c.brand_reply - c.tick) * model.tick_min for c in cases if c.brand_reply >= 0],
        dtype=np.float64,
    )


def _named_once(count: np.ndarray, n_named: int, scale: float) -> float:
    """Real people: ordinary people times `scale`, named accounts (nodes 1..n_named) once."""
    named = int(count[1 : 1 + n_named].sum())
    return float((int(count.sum()) - named) * scale + named)


def value_metrics(model: HubModel) -> dict[str, float]:
    """Churn against its baseline, revenue at risk and the value of replies (`_scaled` twins
    included, named accounts counted once)."""
    pop, cfg = model.pop, model.cfg
    u = keyed_uniform(model.streams.key("churn"), np.arange(pop.size), 0)
    left = churn(model.opinion.loyalty(), pop.is_customer, u, cfg.population)
    base = churn(pop.sentiment0, pop.is_customer, u, cfg.population)
    left[BRAND_NODE] = base[BRAND_NODE] = False
    k, f, clv = len(cfg.scenario.accounts), model.scale, cfg.scenario.brand.clv
    m = {
        "churned": float(left.sum()),
        "churned_scaled": _named_once(left, k, f),
        "churn_baseline": float(base.sum()),
        "churn_baseline_scaled": _named_once(base, k, f),
    }
    m["churn_excess"] = m["churned"] - m["churn_baseline"]
    m["churn_excess_scaled"] = m["churned_scaled"] - m["churn_baseline_scaled"]
    m["revenue_at_risk"] = m["churn_excess"] * clv
    m["revenue_at_risk_scaled"] = m["churn_excess_scaled"] * clv
    minutes = reply_minutes(model)
    m["reply_value_usd"] = float(wtp(minutes, cfg.scenario.brand).sum()) if minutes.size else 0.0
    return m
