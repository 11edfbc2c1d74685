"""The closed-loop knowledge base: resolution improves as cases close (seed 003).

Every resolved case adds `kb_gain_per_case` to the staff's resolution probability, up to
`kb_max_skill`; the handling time falls with the progress made, by up to `kb_speedup` (a share,
30% by default) at the cap.
"""

from __future__ import annotations

from sim.config.schema import StrategyConfig


class KnowledgeBase:
    """Counts resolved cases and turns them into skill and speed."""

    def __init__(self, strategy: StrategyConfig):
        self.strategy = strategy
        self.resolved = 0  # cases resolved so far (warm-up included)

    def record(self) -> None:
        """A case was resolved."""
        self.resolved += 1

    def skill(self) -> float:
        """Resolution probability of staff, raised by the knowledge base as cases close."""
        s = self.strategy
        if not s.knowledge_base:
            return s.resolution_skill
        cap = max(s.kb_max_skill, s.resolution_skill)
        return min(cap, s.resolution_skill + s.kb_gain_per_case * self.resolved)

    def speed(self) -> float:
        """Handling-time factor: 1 without progress, 1 - `kb_speedup` at the skill cap."""
        s = self.strategy
        if not s.knowledge_base or s.kb_max_skill <= s.resolution_skill:
            return 1.0
        progress = (self.skill() - s.resolution_skill) / (s.kb_max_skill - s.resolution_skill)
        return 1.0 - s.kb_speedup * progress

    def metrics(self) -> dict[str, float]:
        """The knowledge base's own metric."""
        return {"kb_resolution_final": self.skill()}
