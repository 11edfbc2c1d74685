"""Metrics for held-out checks against published studies (never fitted).

* Cascades (Kwak et al. 2010; Goel, Watts and Goldstein 2012): the share of reshares within a
  day of their original, the mean number of people who saw a post of a cascade that was reshared
  at least once, the share of cascades never reshared and the share that end within one degree
  of their original (no reshare of a reshare).
* Who gets answered (Gunarathne, Rui and Seidmann 2014): the answer rate of the complainers with
  the most followers (top tenth) over that of the rest.
* What answered complainers do (Twitter / Applied Marketing Science 2015): the share of answered
  complainers who post a positive follow-up (a public thanks).

Cascades are counted from their originals: posts by people (not the brand) that start a cascade.
A cascade's reach is the sum of its posts' unique viewers, a per-post quantity that does not
depend on the scale factor (an ordinary account's followers are the same at any size).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from sim.customers.diffusion import KIND
from sim.customers.population import BRAND_NODE

if TYPE_CHECKING:  # pragma: no cover
    from sim.engine.protocols import HubModel

NAN = float("nan")
TOP_SHARE = 0.1  # the top tenth of complainers by followers


def _depths(parent: np.ndarray, kind: np.ndarray, cascade: np.ndarray) -> np.ndarray:
    """Reshare depth of every post: 0 for a cascade's original, parent's depth + 1 for a reshare."""
    depth = np.zeros(parent.size, dtype=np.int64)
    re = np.flatnonzero((kind == KIND["reshare"]) & (cascade != np.arange(parent.size)))
    for _ in range(64):  # parents come before children; a few passes settle any real cascade
        new = depth[parent[re]] + 1
        if np.array_equal(new, depth[re]):
            break
        depth[re] = new
    return depth


def cascade_metrics(model: HubModel) -> dict[str, float]:
    """Timing, reach and depth of the cascades started by people."""
    posts, tick_min = model.diffusion.posts, model.tick_min
    n = posts.n
    if n == 0:
        return dict.fromkeys(
            (
                "reshare_within_24h_share",
                "reach_per_reshared_post",
                "cascade_unshared_share",
                "cascade_one_degree_share",
            ),
            NAN,
        )
    kind, tick = posts.column("kind"), posts.column("tick")
    author, cascade = posts.column("author"), posts.column("cascade")
    parent, reached = posts.column("parent"), posts.column("reached")
    ids = np.arange(n)
    re = (kind == KIND["reshare"]) & (cascade != ids)
    delay = (tick[re] - tick[cascade[re]]) * tick_min
    originals = (cascade == ids) & (author != BRAND_NODE) & (kind != KIND["reshare"])
    size = np.bincount(cascade[re], minlength=n)  # reshares per cascade
    reach = np.bincount(cascade, weights=reached.astype(np.float64), minlength=n)
    depth = _depths(parent, kind, cascade)
    deep = np.zeros(n, dtype=bool)
    deep[cascade[depth >= 2]] = True
    shared = originals & (size > 0)
    n_orig = int(np.count_nonzero(originals))
    return {
        "reshare_within_24h_share": float(np.mean(delay <= 1440.0)) if delay.size else NAN,
        "reach_per_reshared_post": float(reach[shared].mean()) if shared.any() else NAN,
        "cascade_unshared_share": float(np.mean(size[originals] == 0)) if n_orig else NAN,
        "cascade_one_degree_share": float(np.mean(~deep[originals])) if n_orig else NAN,
    }


def answer_metrics(model: HubModel) -> dict[str, float]:
    """Who of the simulated complainers gets answered, and who of the answered posts thanks."""
    desk, posts = model.desk, model.diffusion.posts
    cases = [c for c in desk.cases if not c.duplicate and c.author >= 0]
    out = {"answer_rate_top_followers_ratio": NAN, "answered_thanks_share": NAN}
    if not cases:
        return out
    followers = np.array([c.followers for c in cases], dtype=np.float64)
    answered = np.array([c.first_response >= 0 for c in cases])
    order = np.argsort(-followers, kind="stable")
    k = max(1, int(round(TOP_SHARE * len(cases))))
    top, rest = answered[order[:k]], answered[order[k:]]
    if rest.size and rest.mean() > 0:
        out["answer_rate_top_followers_ratio"] = float(top.mean() / rest.mean())
    thanked = set(posts.column("author")[posts.column("kind") == KIND["thanks"]].tolist())
    authors = {c.author for c, a in zip(cases, answered) if a}
    if authors:
        out["answered_thanks_share"] = len(authors & thanked) / len(authors)
    return out


def evidence_metrics(model: HubModel) -> dict[str, float]:
    """All metrics of this module."""
    return {**cascade_metrics(model), **answer_metrics(model)}
