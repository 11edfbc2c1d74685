"""A grid sweeper on Hydra's public `Sweeper` base class, without a second composition of every job.

Hydra's basic sweeper composes the config of every job of a sweep once before the sweep starts,
only to check that it composes; the launcher then composes each job again to run it. Our entry
points already compose and check the command line before Hydra starts
(`experiments.common.preflight`: every swept value, with the run's own value checks), so for a
2x2x5 sweep of 1-second runs that check is 1.5 s of one core spent before the first job while
the other cores wait. `CheckedSweeper` runs the same grid (same jobs, same order, same job numbers
and directories, `multirun.yaml` in the sweep directory) and skips that check when the pre-flight
check has passed in this process. Outside our entry points, or with
`hydra.sweeper.validate_every_job=true`, it checks every batch as the `Sweeper` base class does.

While it runs, the sweep holds a lock in its directory (`sim.analysis.sweep_lock`): a second sweep
into the same directory stops with exit status 2 and names the holder. Runs that a launcher
reports lost (`array_launcher.py`: a cancelled or killed SLURM task) do not stop the sweep; after
the last batch they are named in one message (exit status 1), and rerunning the command redoes
exactly those.

Hydra finds plugins only in the `hydra_plugins` package, hence this module's place. It uses
public API only: `hydra.plugins.sweeper.Sweeper`, `hydra.core.plugins.Plugins` (to make the
launcher) and `experiments.hydra_adapter.grid_jobs` (Hydra's public override parser).
"""

import logging
import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from hydra.core.config_store import ConfigStore
from hydra.errors import CompactHydraException
from hydra.plugins.sweeper import Sweeper
from omegaconf import DictConfig, OmegaConf

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
class CheckedSweeperConf:
    """Settings of the checked sweeper (those of Hydra's basic sweeper, plus one switch)."""

    _target_: str = "hydra_plugins.socialcare_sim.checked_sweeper.CheckedSweeper"
    # jobs handed to the launcher at once (null: all); batches run one after another
    max_batch_size: int | None = None
    # sweeps given in the config instead of the command line, e.g. {seed: "range(5)"}
    params: dict[str, str] | None = None
    # true: compose every job before the sweep starts, as Hydra's basic sweeper does
    validate_every_job: bool = False


ConfigStore.instance().store(
    group="hydra/sweeper", name="checked", node=CheckedSweeperConf, provider="socialcare-sim"
)


class CheckedSweeper(Sweeper):
    """A grid sweep; it trusts the entry point's pre-flight check instead of composing twice."""

    def __init__(
        self,
        max_batch_size: int | None = None,
        params: dict[str, str] | None = None,
        validate_every_job: bool = False,
    ) -> None:
        super().__init__()
        if max_batch_size is not None and max_batch_size < 1 and max_batch_size != -1:
            raise ValueError(
                f"hydra.sweeper.max_batch_size={max_batch_size}: give a positive "
                "number of jobs, or null for all at once"
            )
        self.max_batch_size = None if max_batch_size == -1 else max_batch_size
        self.params = dict(params or {})
        self.validate_every_job = validate_every_job
        self.hydra_context: Any = None
        self.config: DictConfig | None = None
        self.launcher: Any = None

    def setup(self, *, hydra_context: Any, task_function: Any, config: DictConfig) -> None:
        """Keep the context and make the configured launcher."""
        from hydra.core.plugins import Plugins

        self.hydra_context = hydra_context
        self.config = config
        self.launcher = Plugins.instance().instantiate_launcher(
            hydra_context=hydra_context, task_function=task_function, config=config
        )

    def validate_batch_is_legal(self, batch: Sequence[Sequence[str]]) -> None:
        """Compose every job of the batch, unless the pre-flight check already covered the sweep."""
        if command_line_checked() and not self.validate_every_job:
            log.debug(
                "%d jobs: the command line was checked before the sweep; not composing them twice",
                len(batch),
            )
            return
        super().validate_batch_is_legal(batch)

    def sweep(self, arguments: list[str]) -> Any:
        """Launch the grid of `params` and `arguments` batch by batch; the launchers' returns.

        The sweep directory is locked for the whole sweep (`sim.analysis.sweep_lock`): a second
        sweep into it stops with exit status 2. Jobs that a launcher reports lost (cancelled,
        killed) do not stop the sweep; after the last batch they are named in one error.
        """
        from experiments.hydra_adapter import grid_jobs
        from sim.analysis.sweep_lock import SweepDirBusy, SweepLock

        assert self.config is not None and self.launcher is not None
        lines = [f"{k}={v}" for k, v in self.params.items()] + list(arguments)
        jobs, _ = grid_jobs(lines, config_loader=self.hydra_context.config_loader)
        sweep_dir = Path(self.config.hydra.sweep.dir)
        lock = SweepLock(sweep_dir, jobs_active=_jobs_active)
        try:
            lock.acquire()
        except SweepDirBusy as exc:
            from experiments.common import fail

            fail(str(exc))
        except OSError as exc:
            from experiments.common import fail

            fail(
                f"cannot write into hydra.sweep.dir={sweep_dir} ({exc.strerror or exc}): "
                "give a folder you can write to, with free space."
            )
        if lock.took_over is not None:
            log.warning(
                "took over the stale lock of %s: it no longer runs", lock.took_over.describe()
            )
        try:
            OmegaConf.save(self.config, sweep_dir / "multirun.yaml")
            size = self.max_batch_size or max(len(jobs), 1)
            returns = []
            lost: list[Any] = []
            for start in range(0, len(jobs), size):
                batch = jobs[start : start + size]
                self.validate_batch_is_legal(batch)
                results = self.launcher.launch(batch, initial_job_idx=start)
                for num, result in enumerate(results, start=start):
                    if _is_lost(result):
                        lost.append((num, result))
                    else:
                        _ = result.return_value  # raises the job's error, as Hydra's sweepers do
                returns.append(results)
        finally:
            lock.release()
        if lost:
            raise SweepIncomplete(_lost_message(lost, len(jobs), sweep_dir))
        return returns


class SweepIncomplete(CompactHydraException):
    """Some jobs of the sweep ended without a result; Hydra prints the message, exit status 1."""


def _jobs_active(jobs: Any) -> Any:
    """The cluster jobs of a dead sweep's lock still queued or running (array_launcher's squeue)."""
    try:
        from hydra_plugins.socialcare_sim.array_launcher import slurm_jobs_active
    except ImportError:
        return None
    return slurm_jobs_active(jobs)


def _is_lost(result: Any) -> bool:
    from hydra.core.utils import JobStatus

    # a mark, not isinstance: Hydra's plugin scan may execute array_launcher's module again
    return result.status == JobStatus.FAILED and getattr(result._return_value, "lost_job", False)


def _lost_message(lost: list[Any], total: int, sweep_dir: Path) -> str:
    lines = [f"{len(lost)} of {total} runs of the sweep ended without results:"]
    for num, result in lost:
        job = result._return_value
        overrides = " ".join(result.overrides or [])
        lines.append(f"  #{num} {overrides}: job {job.job_id} {job.state} (log {job.log_path})")
    lines.append(
        f"Rerun the same command with hydra.sweep.dir={sweep_dir} to redo exactly these (complete "
        f"runs are skipped); python -m experiments.collect {sweep_dir} lists every run's status."
    )
    return "\n".join(lines)
