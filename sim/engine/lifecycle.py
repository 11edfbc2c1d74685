"""The complaint life cycle: when a waiting complainer posts again, as a hazard, not a timer.

A complainer's urge to post again grows with waiting time and severity and depends on what they
last received. The cumulative hazard at waiting time w (hours since the complaint) is

    H(w) = ln 2 * severity^e * sum over stretches of factor * ((w1 / T)^k - (w0 / T)^k)

with shape k (`complainer.followup_shape`), scale T (the incident's or the chatter's
`followup_after_h`: the median wait to a first follow-up at severity 1 with nothing received),
and the factor of what was last received (`complainer.after_*`; 1 for nothing, 0 once
resolved). Follow-up n is posted when H crosses E1 + ... + En, sums of keyed unit exponentials
(the draw "lifecycle.followup", n), so a strategy that leaves a complainer waiting longer sees
the same thresholds crossed later. Follow-ups stop at `max_followups`, on resolution, or when
the complainer gives up (the case's patience, drawn by the desk, runs out before any answer):
then the desk no longer answers them and their sentiment takes the unresolved penalty.

No single reply switches the thread off: a personal reply only lowers the hazard (factor
`after_personal`), and the reply's damping of the thread's reshare appeal is applied by
`sim.service.outcomes`. The old switch (`incidents[i].quiet_on_reply`) sets the factor of a
personal reply and of a closed case to 0.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING

from sim.config.model_schema import ComplainerConfig
from sim.service.cases import Case

if TYPE_CHECKING:
    from sim.service.draws import CaseDraws

LN2 = math.log(2.0)
# what a complainer may receive -> the ComplainerConfig field of its hazard factor
RECEIVED = {
    "nothing": None,
    "canned": "after_canned",
    "bot": "after_bot",
    "peer": "after_peer",
    "redirect": "after_redirect",
    "personal": "after_personal",
    "unresolved": "after_unresolved",
    "resolved": None,
}


@dataclass(frozen=True)
class FollowupRule:
    """When one kind of complaint is followed up: scale `after_h`, at most `max_followups`."""

    after_h: float
    max_followups: int
    quiet_on_reply: bool = False


@dataclass
class Thread:
    """One complainer waiting for an answer, and the hazard accumulated so far."""

    case: Case  # the complaint that opened the thread (follow-ups are its replies)
    rule: FollowupRule
    rate: float  # ln 2 * severity^e: the hazard's scale at factor 1
    factor: float = 1.0
    hazard: float = 0.0  # cumulative hazard up to `since_h`
    since_h: float = 0.0  # waiting hours at the last change of factor (or follow-up)
    posted: int = 0
    threshold: float = 0.0  # cumulative hazard at which the next follow-up is posted
    version: int = 0  # bumped on every change; stale scheduled checks are ignored
    done: bool = False


class Lifecycle:
    """The threads of every waiting complainer, and the follow-ups they post."""

    def __init__(self, model, cfg: ComplainerConfig, draws: CaseDraws):
        self.model = model
        self.cfg = cfg
        self.draws = draws
        self.threads: dict[int, Thread] = {}  # author -> their open thread
        self.followups = 0
        self.gave_up = 0
        self.threads_started = 0

    # ------------------------------------------------------------ opening and news
    def start(self, case: Case | None, rule: FollowupRule) -> None:
        """A complaint was posted: open its thread (one open thread per complainer)."""
        if case is None or case.unseen or rule.max_followups <= 0:
            return
        old = self.threads.get(case.author)
        if old is not None and not old.done:
            return
        sev = max(case.severity, 0.0) ** self.cfg.severity_exponent
        thread = Thread(case=case, rule=rule, rate=LN2 * sev)
        thread.threshold = self._exp(thread, 0)
        self.threads[case.author] = thread
        self.threads_started += 1
        self._schedule(thread)
        if case.patience_tick >= 0:
            self.model.schedule(max(case.patience_tick, self.model.tick + 1), self._give_up, thread)

    def received(self, case: Case, what: str) -> None:
        """The complainer of `case` received `what` (a key of RECEIVED)."""
        thread = self.threads.get(case.author)
        if case.unseen or thread is None or thread.done:
            return
        if what not in RECEIVED:
            raise ValueError(f"unknown answer {what!r}; one of {', '.join(RECEIVED)}")
        self._advance(thread)
        if what == "resolved":
            thread.factor = 0.0
        elif thread.rule.quiet_on_reply and what in ("personal", "unresolved", "redirect"):
            thread.factor = 0.0  # the old rule: a personal reply or a closed case ends it
        else:
            name = RECEIVED[what]
            thread.factor = 1.0 if name is None else float(getattr(self.cfg, name))
        self._schedule(thread)

    # ------------------------------------------------------------ the clock
    def _hours(self, tick: int, case: Case) -> float:
        return max(0.0, (tick - case.tick) * self.model.tick_min / 60.0)

    def _advance(self, thread: Thread) -> None:
        """Accumulate the hazard from the last change up to now at the current factor."""
        now_h = self._hours(self.model.tick, thread.case)
        thread.hazard += self._cum(thread, thread.since_h, now_h)
        thread.since_h = now_h
        thread.version += 1

    def _cum(self, thread: Thread, w0: float, w1: float) -> float:
        k, t = self.cfg.followup_shape, thread.rule.after_h
        return thread.rate * thread.factor * ((w1 / t) ** k - (w0 / t) ** k)

    def _exp(self, thread: Thread, n: int) -> float:
        u = self.draws.uniform(thread.case, "lifecycle.followup", n)
        return -math.log(max(1.0 - u, 1e-300))

    def _schedule(self, thread: Thread) -> None:
        """Schedule the next follow-up at the tick its threshold is crossed (none at factor 0)."""
        m, case = self.model, thread.case
        if thread.factor <= 0 or thread.rate <= 0:
            return
        k, t = self.cfg.followup_shape, thread.rule.after_h
        need = thread.threshold - thread.hazard
        w = t * (need / (thread.rate * thread.factor) + (thread.since_h / t) ** k) ** (1 / k)
        due = case.tick + max(1, math.ceil(w * 60.0 / m.tick_min - 1e-9))
        m.schedule(max(due, m.tick + 1), self._due, thread, thread.version)

    def _due(self, thread: Thread, version: int) -> None:
        if thread.done or version != thread.version:
            return
        self._advance(thread)
        thread.hazard = max(thread.hazard, thread.threshold)
        thread.posted += 1
        self.followups += 1
        self.model.post_followup(thread.case)
        if thread.posted >= thread.rule.max_followups:
            thread.done = True
            return
        thread.threshold += self._exp(thread, thread.posted)
        self._schedule(thread)

    def _give_up(self, thread: Thread) -> None:
        """The case's patience ran out: a complainer nobody answered stops waiting."""
        case = thread.case
        if thread.done or case.first_response >= 0 or case.resolved:
            return
        thread.done = True
        self.gave_up += 1
        self.model.complainer_gave_up(case)

    # ------------------------------------------------------------ results
    def reset(self) -> None:
        """Zero the counters (after the warm-up)."""
        self.followups = self.gave_up = self.threads_started = 0

    def metrics(self) -> dict[str, float]:
        """How many complainers posted again, and how many gave up waiting."""
        started = self.threads_started
        return {
            "followups_posted": self.followups,
            "complainers_gave_up": self.gave_up,
            "complainers_gave_up_share": self.gave_up / started if started else 0.0,
        }
