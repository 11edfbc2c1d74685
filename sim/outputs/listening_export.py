"""A run's posts as a social-listening export: the file format `experiments.ingest` reads.

One row per post of the event log (service events are not posts and are left out), with the
columns of docs/ingest.md: `post_id`, `timestamp` (ISO 8601, UTC), `author_id`,
`author_followers`, `valence` (negative / neutral / positive), `in_reply_to` (replies, follow-ups
and thanks name the post they answer), `shared_from` (reshares name the post they share) and
`is_brand` (the brand's own posts). Follower counts are the simulated people's, so a run at its
scenario's reference population (scale factor 1) gives an export at real scale.
"""

from __future__ import annotations

from datetime import datetime

import numpy as np
import pandas as pd

from sim.customers.population import BRAND_NODE

EXPORT_COLUMNS = (
    "post_id",
    "timestamp",
    "author_id",
    "author_followers",
    "valence",
    "in_reply_to",
    "shared_from",
    "is_brand",
)
VALENCE_WORDS = {-1: "negative", 0: "neutral", 1: "positive"}
# kinds of post that answer another post (their parent); a reshare shares its parent instead
REPLY_KINDS = ("brand_reply", "peer_answer", "bot_reply", "thanks", "followup")


def _post_ref(ids: np.ndarray, keep: np.ndarray) -> list[str]:
    return [f"p{int(i)}" if k else "" for i, k in zip(ids, keep)]


def listening_export(events: pd.DataFrame, start: str) -> pd.DataFrame:
    """The posts of a run's event log in the export format.

    Args:
        events: `Result.events` (columns of `sim.outputs.metrics.EVENT_COLUMNS`).
        start: the scenario's start (`scenario.start`, ISO date-time of tick 0, read as UTC).

    Returns:
        One row per post, in time order, with the columns of EXPORT_COLUMNS.
    """
    posts = events[events["post_id"] >= 0].sort_values(["t_min", "post_id"], kind="stable")
    t0 = pd.Timestamp(datetime.fromisoformat(start))
    when = t0 + pd.to_timedelta(posts["t_min"].to_numpy(), unit="min")
    kind = posts["kind"].to_numpy()
    parent = posts["parent_id"].to_numpy()
    has_parent = parent >= 0
    return pd.DataFrame(
        {
            "post_id": [f"p{int(i)}" for i in posts["post_id"]],
            "timestamp": [t.strftime("%Y-%m-%dT%H:%M:%SZ") for t in when],
            "author_id": [f"u{int(a)}" for a in posts["author"]],
            "author_followers": posts["author_followers"].astype(np.int64).to_numpy(),
            "valence": [VALENCE_WORDS[int(v)] for v in posts["valence"]],
            "in_reply_to": _post_ref(parent, has_parent & np.isin(kind, REPLY_KINDS)),
            "shared_from": _post_ref(parent, has_parent & (kind == "reshare")),
            "is_brand": (posts["author"].to_numpy() == BRAND_NODE),
        },
        columns=list(EXPORT_COLUMNS),
    )
