"""Hydra's basic sweeper without its second composition of every job.

Before a multirun starts, Hydra's `BasicSweeper` composes the config of every job of the sweep
once, only to check that it composes; the launcher then composes each job again to run it. Our
entry points already compose and check the command line before Hydra starts
(`experiments.common.preflight`: every swept value, with the run's own value checks), so for a
2x2x5 sweep of 1-second runs Hydra's check is 1.5 s of one core spent before the first job,
while the other cores wait. `CheckedSweeper` is the basic sweeper (same job list, same order,
same output directories) that skips that check when the pre-flight check has passed in this
process. Outside our entry points, or with `hydra.sweeper.validate_every_job=true`, it checks every
job as Hydra does.
"""

import logging
import os
from dataclasses import dataclass
from typing import Sequence

from hydra._internal.core_plugins.basic_sweeper import BasicSweeper, BasicSweeperConf
from hydra.core.config_store import ConfigStore

log = logging.getLogger(__name__)

# Hydra's plugin discovery executes this module again on every scan, so the mark lives in the
# environment, tagged with the process id (child processes inherit it but are not this process).
CHECKED_ENV = "SIM_COMMAND_LINE_CHECKED"


def set_command_line_checked() -> None:
    """Record that this process's command line was composed and checked before Hydra started."""
    os.environ[CHECKED_ENV] = str(os.getpid())


def command_line_checked() -> bool:
    """Whether the pre-flight check of this process's command line has passed."""
    return os.environ.get(CHECKED_ENV) == str(os.getpid())


@dataclass
class CheckedSweeperConf(BasicSweeperConf):
    """Settings of the checked sweeper: those of Hydra's basic sweeper, plus one switch."""

    _target_: str = "hydra_plugins.socialcare_sim.checked_sweeper.CheckedSweeper"
    # true: compose every job before the sweep starts, as Hydra's basic sweeper does
    validate_every_job: bool = False


ConfigStore.instance().store(group="hydra/sweeper", name="checked", node=CheckedSweeperConf,
                             provider="socialcare-sim")


class CheckedSweeper(BasicSweeper):
    """The basic sweeper; it trusts the entry point's pre-flight check instead of composing twice."""

    def __init__(self, max_batch_size: int | None = None, params: dict[str, str] | None = None,
                 validate_every_job: bool = False) -> None:
        super().__init__(max_batch_size=max_batch_size, params=params)
        self.validate_every_job = validate_every_job

    def validate_batch_is_legal(self, batch: Sequence[Sequence[str]]) -> None:
        """Compose every job of the batch, unless the pre-flight check already covered the sweep."""
        if command_line_checked() and not self.validate_every_job:
            log.debug("%d jobs: the command line was checked before the sweep; not composing "
                      "them twice", len(batch))
            return
        super().validate_batch_is_legal(batch)
