"""What an export says about an incident: hourly mentions, the first negative burst, the biggest
complainers, the quiet-hour chatter rates, the negative audience and the brand's first replies.

Hours are counted from `start`, the first post's time rounded down to the hour; hour h (0-based)
holds the posts of [start + h, start + h + 1). Every post not by the brand is a mention of its
valence, replies and shares included (as the simulator counts `mentions_negative`).

* **Burst**: the first hour whose negative mentions reach all of `burst_min`, `burst_ratio` x
  and `burst_sigma` Poisson standard deviations above what the 12 hours before it lead one to
  expect (their rate shaped by the default diurnal rhythm; the first three hours are compared
  with the whole file); none: no incident.
* **Complainers**: negative original posts (neither reply nor share) from `lookback_h` hours
  before the burst hour to its end, ranked by the shares and replies their threads drew (down
  the whole chain), then by followers; at most `accounts` of them, each with a thread of at least
  `min_thread` posts, `thread_ratio` x the mean thread of the earlier negative originals and
  `top_share` of the largest. A file without replies and shares ranks them by followers instead
  (at least `follower_ratio` x the median of negative originals). The incident starts at the
  first complainer's post.
* **Quiet hours**: the hours before the incident's hour (no incident: every hour; an incident in
  the first hour: the hours from 24 h after it, else every hour). Chatter rates are original
  posts by valence in those hours, per hour, divided by the simulator's default diurnal rhythm
  (`sim.scenario.schedule.diurnal`), so they are the rates the scenario's chatter takes.
* **First replies**: for each post the brand replied to, minutes to its first brand reply.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import datetime

import numpy as np
import pandas as pd

from sim.scenario.ingest_options import MeasureOptions
from sim.scenario.ingest_read import Posts
from sim.scenario.schedule import diurnal

VALENCE_NAMES = {-1: "negative", 0: "neutral", 1: "positive"}


@dataclass
class Complainer:
    """An author of the incident's first complaints."""

    author: str
    followers: int
    first_h: float  # hours from the start to the first complaint
    thread: int  # shares and replies its thread drew
    followups: int  # later negative posts of the same author
    followup_after_h: float | None  # hours from the first complaint to the second post


@dataclass
class Measured:
    """What was measured in one export."""

    start: datetime
    horizon_h: int
    hourly: pd.DataFrame  # hour (1-based), negative, neutral, positive, audience_negative, ...
    posts: int
    authors: int
    brand_authors: list[str]
    brand_followers: int | None
    burst_hour: int | None  # 0-based
    complainers: list[Complainer]
    quiet_hours: list[int]  # 0-based
    quiet_note: str
    chatter: dict[int, float]  # valence -> original posts per hour (diurnal removed)
    reply_minutes: list[float] = field(default_factory=list)

    @property
    def incident_h(self) -> float | None:
        """Hours from the start to the incident's first complaint (None: no incident)."""
        return self.complainers[0].first_h if self.complainers else None


def _roots(table: pd.DataFrame) -> np.ndarray:
    """For each row, the row index of the original post its reply/share chain leads to."""
    index = {pid: i for i, pid in enumerate(table["post_id"]) if pid}
    parent = np.array(
        [index.get(s or r, -1) for s, r in zip(table["shared_from"], table["in_reply_to"])],
        dtype=np.int64,
    )
    root = np.arange(len(table))
    step = parent.copy()
    for _ in range(64):  # threads deeper than 64 levels stop there
        moved = step >= 0
        if not moved.any():
            break
        root[moved] = step[moved]
        step = np.where(moved, parent[np.maximum(step, 0)], -1)
        step[~moved] = -1
    return root


def _burst(negative: np.ndarray, start_hour: int, opts: MeasureOptions) -> int | None:
    """The first hour well above what the 12 hours before it lead one to expect.

    The expectation is their mean rate shaped by the default diurnal rhythm; the first three
    hours are compared with the whole file's.
    """
    shape = diurnal((start_hour + np.arange(negative.size, dtype=float)) % 24)
    whole = float(negative.sum() / shape.sum()) if negative.size else 0.0
    for h, count in enumerate(negative):
        lo = max(0, h - 12)
        rate = float(negative[lo:h].sum() / shape[lo:h].sum()) if h >= 3 else whole
        expected = rate * float(shape[h])
        need = max(
            opts.burst_min,
            opts.burst_ratio * expected,
            expected + opts.burst_sigma * math.sqrt(expected),
        )
        if count >= need:
            return h
    return None


def _quiet(hours: int, incident_hour: int | None) -> tuple[list[int], str]:
    if incident_hour is None:
        return list(range(hours)), "no incident: every hour of the file"
    if incident_hour >= 1:
        return list(range(incident_hour)), f"the {incident_hour} h before the incident"
    later = list(range(incident_hour + 24, hours))
    if later:
        return later, "the hours from 24 h after the incident (it starts in the first hour)"
    return list(range(hours)), "every hour (the incident starts in the first hour): rates high"


DEFAULT_OPTIONS = MeasureOptions()  # frozen: safe as a shared default


def measure(posts: Posts, opts: MeasureOptions = DEFAULT_OPTIONS) -> Measured:
    """Measure an export (see the module doc for every rule)."""
    t = posts.table
    start = t["time"].iloc[0].floor("h").to_pydatetime()
    offset_h = ((t["time"] - pd.Timestamp(start)).dt.total_seconds() / 3600.0).to_numpy()
    hours = max(1, math.ceil(float(offset_h[-1]) + 1e-9))
    hour = np.minimum(offset_h.astype(np.int64), hours - 1)
    brand = t["is_brand"].to_numpy(bool)
    valence = t["valence"].to_numpy()
    followers = t["followers"].to_numpy()
    is_share = (t["shared_from"] != "").to_numpy()
    original = (t["in_reply_to"] == "").to_numpy() & ~is_share
    hourly = pd.DataFrame({"hour": np.arange(1, hours + 1)})
    for v, name in VALENCE_NAMES.items():
        hourly[name] = np.bincount(hour[~brand & (valence == v)], minlength=hours)
    neg = ~brand & (valence == -1)
    hourly["audience_negative"] = np.bincount(hour[neg], weights=followers[neg], minlength=hours)
    hourly["reshares_negative"] = np.bincount(hour[neg & is_share], minlength=hours)
    hourly["brand_posts"] = np.bincount(hour[brand], minlength=hours)

    root = _roots(t)
    thread = np.bincount(root, minlength=len(t)) - 1  # posts below each original
    burst = _burst(hourly["negative"].to_numpy(), start.hour, opts)
    complainers: list[Complainer] = []
    if burst is not None:
        cand = neg & original
        pre_quiet = cand & (hour < max(0, burst - opts.lookback_h))
        if posts.threads:  # the posts' threads tell who drew the burst
            score = thread.astype(float)
            typical = float(thread[pre_quiet].mean()) if pre_quiet.any() else 0.0
            need = max(opts.min_thread, opts.thread_ratio * typical)
        else:  # no replies or shares in the file: the loudest voices
            score = followers.astype(float)
            need = opts.follower_ratio * float(np.median(followers[cand])) if cand.any() else 0.0
        window = cand & (offset_h >= burst - opts.lookback_h) & (offset_h < burst + 1)
        rows = [int(i) for i in np.flatnonzero(window) if score[i] >= max(need, 1.0)]
        top = max((score[i] for i in rows), default=0.0)
        rows = [i for i in rows if score[i] >= opts.top_share * top]
        rows.sort(key=lambda i: (-score[i], -followers[i], offset_h[i]))
        chosen: list[int] = []
        for i in rows:
            if t["author"].iloc[i] not in {t["author"].iloc[j] for j in chosen}:
                chosen.append(i)
            if len(chosen) == opts.accounts:
                break
        for i in sorted(chosen, key=lambda i: offset_h[i]):
            author = t["author"].iloc[i]
            later = np.flatnonzero(
                (t["author"].to_numpy() == author) & neg & (offset_h > offset_h[i]) & ~is_share
            )
            complainers.append(
                Complainer(
                    author=str(author),
                    followers=int(followers[i]),
                    first_h=float(offset_h[i]),
                    thread=int(thread[i]),
                    followups=int(later.size),
                    followup_after_h=(
                        float(offset_h[later[0]] - offset_h[i]) if later.size else None
                    ),
                )
            )
    incident_hour = int(complainers[0].first_h) if complainers else None
    quiet, note = _quiet(hours, incident_hour)
    shape = diurnal(np.array([(start.hour + h) % 24 for h in quiet], dtype=float)).sum()
    named = t["author"].isin([c.author for c in complainers]).to_numpy()
    in_quiet = np.isin(hour, quiet)
    chatter = {
        v: float(np.count_nonzero(original & ~brand & ~named & in_quiet & (valence == v)) / shape)
        if shape > 0
        else 0.0
        for v in VALENCE_NAMES
    }
    index = {pid: i for i, pid in enumerate(t["post_id"]) if pid}
    first_reply: dict[int, float] = {}
    for i in (int(k) for k in np.flatnonzero(brand)):
        j = index.get(t["in_reply_to"].iloc[i], -1)
        if j >= 0 and not brand[j] and j not in first_reply:
            first_reply[j] = (offset_h[i] - offset_h[j]) * 60.0
    brand_authors = sorted(set(t["author"][brand]))
    return Measured(
        start=start,
        horizon_h=hours,
        hourly=hourly,
        posts=len(t),
        authors=int(t["author"].nunique()),
        brand_authors=brand_authors,
        brand_followers=int(followers[brand].max()) if brand.any() else None,
        burst_hour=burst,
        complainers=complainers,
        quiet_hours=quiet,
        quiet_note=note,
        chatter=chatter,
        reply_minutes=sorted(first_reply.values()),
    )
