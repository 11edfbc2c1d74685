"""Customers as arrays: sentiment, activity, propensities, roles and influence scores."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sim.config.schema import ROLES, DiffusionConfig, PopulationConfig

ROLE_INDEX = {name: i for i, name in enumerate(ROLES)}
BRAND_NODE = 0  # the brand's own account is node 0; named accounts follow it


@dataclass
class Population:
    """Per-person traits, one array each (index = node of the follower graph)."""

    sentiment0: np.ndarray  # float64 in [-1, 1], before the run
    activity: np.ndarray  # float64 in (0, 1): share of time online
    post_propensity: np.ndarray  # float64 > 0: relative rate of original posts
    susceptibility: np.ndarray  # float64 in (0, 1): how much seen posts move them
    is_customer: np.ndarray  # bool
    role: np.ndarray  # int8 index into ROLES
    influence: np.ndarray  # int16 Klout-like score 1..100 from reach and engagement
    followers: np.ndarray  # int64 audience size

    @property
    def size(self) -> int:
        """Number of people (including the brand's node 0)."""
        return int(self.sentiment0.shape[0])

    def role_counts(self) -> dict[str, int]:
        """How many people hold each role."""
        counts = np.bincount(self.role, minlength=len(ROLES))
        return {name: int(counts[i]) for i, name in enumerate(ROLES)}


def _top_weighted(
    rng: np.random.Generator, weights: np.ndarray, eligible: np.ndarray, k: int
) -> np.ndarray:
    """Indices of k eligible items sampled without replacement in proportion to weights."""
    idx = np.flatnonzero(eligible)
    k = min(k, idx.size)
    if k <= 0:
        return idx[:0]
    w = np.maximum(weights[idx], 1e-12)
    keys = np.log(w) + rng.gumbel(size=idx.size)  # Gumbel-top-k trick
    return idx[np.argpartition(-keys, k - 1)[:k]]


def build_population(
    cfg: PopulationConfig,
    diffusion: DiffusionConfig,
    followers: np.ndarray,
    rng: np.random.Generator,
    named_roles: list[str] | None = None,
    named_sentiments: list[float] | None = None,
    brand_followers: np.ndarray | None = None,
    customer_share: float = 0.5,
) -> Population:
    """Draw the traits of every person.

    Args:
        cfg: population parameters.
        diffusion: gives the role multipliers of posting propensity.
        followers: audience size per node (out-degree of the follower graph).
        rng: the "population" stream.
        named_roles: roles of named accounts (nodes 1..k); node 0 is the brand.
        named_sentiments: their starting sentiment.
        brand_followers: nodes following the brand; they are customers.
        customer_share: share of everyone else who are customers.

    Returns:
        A Population with roles assigned so that they change behaviour: networkers have the
        largest audiences, opinion leaders persuade, trendsetters post first, amplifiers reshare.
    """
    n = int(followers.shape[0])
    named_roles = named_roles or []
    named_sentiments = named_sentiments or []
    fixed = 1 + len(named_roles)
    activity = rng.beta(cfg.activity_a, cfg.activity_b, size=n)
    susceptibility = rng.beta(cfg.susceptibility_a, cfg.susceptibility_b, size=n)
    sentiment = np.clip(rng.normal(cfg.sentiment_mean, cfg.sentiment_sd, size=n), -1.0, 1.0)
    base_post = rng.lognormal(0.0, 0.8, size=n)
    credibility = rng.random(n)
    is_customer = rng.random(n) < customer_share
    if brand_followers is not None:
        is_customer[brand_followers] = True

    role = np.zeros(n, dtype=np.int8)
    free = np.ones(n, dtype=bool)
    free[:fixed] = False
    shares = cfg.roles
    logf = np.log1p(followers.astype(np.float64))
    # networkers: the largest audiences
    k = int(round(shares.networker * n))
    if k > 0:
        cand = np.flatnonzero(free)
        top = cand[np.argsort(-followers[cand], kind="stable")[:k]]
        role[top] = ROLE_INDEX["networker"]
        free[top] = False
    # opinion leaders: credible people with some reach
    chosen = _top_weighted(
        rng, credibility**3 * (1.0 + logf), free, int(round(shares.opinion_leader * n))
    )
    role[chosen], free[chosen] = ROLE_INDEX["opinion_leader"], False
    # trendsetters and amplifiers: the most active
    chosen = _top_weighted(rng, activity**2, free, int(round(shares.trendsetter * n)))
    role[chosen], free[chosen] = ROLE_INDEX["trendsetter"], False
    chosen = _top_weighted(rng, activity**2, free, int(round(shares.amplifier * n)))
    role[chosen], free[chosen] = ROLE_INDEX["amplifier"], False
    for i, (name, s0) in enumerate(zip(named_roles, named_sentiments), start=1):
        role[i] = ROLE_INDEX[name]
        sentiment[i] = s0
        activity[i] = max(activity[i], 0.5)
    sentiment[0] = 1.0  # the brand likes itself; it is never counted among customers
    is_customer[0] = False

    post_mult = np.array([diffusion.role_post[r] for r in ROLES])
    post_propensity = base_post * post_mult[role]
    reshare_mult = np.array([diffusion.role_reshare[r] for r in ROLES])
    engagement = activity * (post_propensity + reshare_mult[role])
    influence = influence_score(followers, engagement)
    return Population(
        sentiment0=sentiment,
        activity=activity,
        post_propensity=post_propensity,
        susceptibility=susceptibility,
        is_customer=is_customer,
        role=role,
        influence=influence,
        followers=followers.astype(np.int64),
    )


def influence_score(followers: np.ndarray, engagement: np.ndarray) -> np.ndarray:
    """Klout-like score 1..100: percentile of 0.6 * reach + 0.4 * engagement (both log-scaled).

    A large audience with little engagement scores below the same audience with much engagement
    (SOURCES.md, seed 001: activity x reach marks an influencer, but not always).
    """
    reach = np.log1p(followers.astype(np.float64))
    eng = np.log1p(engagement)
    raw = 0.6 * reach / max(reach.max(), 1e-12) + 0.4 * eng / max(eng.max(), 1e-12)
    order = np.argsort(raw, kind="stable")
    ranks = np.empty(raw.size, dtype=np.float64)
    ranks[order] = np.arange(raw.size)
    return (1 + np.floor(99.0 * ranks / max(raw.size - 1, 1))).astype(np.int16)
