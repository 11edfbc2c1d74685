"""Community support: super-users answer peers quickly and for free, but resolve less.

A super-user answers in public (a peer answer) after an exponential delay of mean
`community_response_min`, then resolves the case with probability `community_resolution` (up to
`community_max_severity`) or `community_severe_resolution` (more severe cases); an unresolved
case is escalated to the care staff, if there are any. Each answer costs the brand
`community_cost_per_answer` (moderation, rewards), and the programme costs
`community_programme_cost_per_day`. Super-users answer during `community_hours` only.
"""

from __future__ import annotations

from sim.config.schema import StrategyConfig
from sim.service.cases import Case, TriageQueue
from sim.service.draws import CaseDraws
from sim.service.staff import Responder

RESOLVED, ESCALATED, UNRESOLVED = "resolved", "escalated", "unresolved"


class Community:
    """The super-users, their queue, their answers and what they cost."""

    def __init__(
        self,
        strategy: StrategyConfig,
        draws: CaseDraws,
        queue: TriageQueue,
        members: list[Responder],
    ):
        self.strategy = strategy
        self.draws = draws
        self.queue = queue
        self.members = members
        self.answers = 0

    def __bool__(self) -> bool:
        return bool(self.members)

    def answered(self) -> None:
        """A super-user answered a case in public."""
        self.answers += 1

    def outcome(self, case: Case) -> str:
        """After a super-user's answer: RESOLVED, ESCALATED (to staff) or UNRESOLVED."""
        s = self.strategy
        if case.severity <= s.community_max_severity:
            p = s.community_resolution
        else:
            p = s.community_severe_resolution
        if self.draws.uniform(case, "community.resolves") < p:
            return RESOLVED
        return ESCALATED if s.staff > 0 else UNRESOLVED

    def step(self) -> None:
        """Super-users with a case, or with cases waiting, work."""
        for agent in self.members:
            if agent.case is not None or self.queue:
                agent.step()

    def cost(self, days: float = 0.0) -> float:
        """Money spent on community answers and, over `days`, on running the programme."""
        s = self.strategy
        programme = s.community_programme_cost_per_day * days if self.members else 0.0
        return self.answers * s.community_cost_per_answer + programme

    def reset(self) -> None:
        """Zero the counters (after the warm-up)."""
        self.answers = 0
        for agent in self.members:
            agent.busy_ticks = agent.cases_closed = 0

    def metrics(self) -> dict[str, float]:
        """The community's own metric."""
        return {"community_answers": self.answers}
