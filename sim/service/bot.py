"""The bot: an instant canned first answer that resolves a few cases and angers some complainers.

A bot answers every found complaint one tick after it is found. It resolves the case with
probability `bot_resolution`; a complaint more severe than `bot_severity_threshold` backfires
with probability `bot_backfire` (the complainer is angered and posts again). Each contact costs
`bot_cost`.
"""

from __future__ import annotations

from dataclasses import dataclass

from sim.config.schema import StrategyConfig
from sim.service.cases import Case
from sim.service.draws import CaseDraws


@dataclass(frozen=True)
class BotAnswer:
    """What came of one bot contact."""

    backfire: bool  # the complainer was angered: their thread is not calmed, they post again
    resolved: bool  # the bot solved the problem


class Bot:
    """Answers cases first and counts its contacts."""

    def __init__(self, strategy: StrategyConfig, draws: CaseDraws):
        self.strategy = strategy
        self.draws = draws
        self.contacts = 0

    def answer(self, case: Case) -> BotAnswer:
        """Answer `case`: backfire, resolve, or neither (the case must then be escalated)."""
        s = self.strategy
        self.contacts += 1
        severe = case.severity > s.bot_severity_threshold
        backfire = severe and self.draws.uniform(case, "bot.backfire") < s.bot_backfire
        resolved = not backfire and self.draws.uniform(case, "bot.resolves") < s.bot_resolution
        return BotAnswer(backfire, resolved)

    def cost(self) -> float:
        """Money spent on bot contacts."""
        return self.contacts * self.strategy.bot_cost

    def reset(self) -> None:
        """Zero the counters (after the warm-up)."""
        self.contacts = 0

    def metrics(self) -> dict[str, float]:
        """The bot's own metric."""
        return {"bot_contacts": self.contacts}
