"""Submitit launchers that wait for every job of the array and report the lost ones.

Hydra's submitit plugin submits a sweep as one job array and then reads the results in job
order; the first job that ended without a result (cancelled with `scancel`, killed, out of time
or memory) raises, and the sweep command stops with a traceback while the rest of the array
still runs on the cluster. These launchers (`conf/hydra/launcher/slurm.yaml` and `local.yaml`
name them) run the job itself exactly as the plugin does (they subclass its launchers), but wait
for every job and hand the lost ones back as failed job returns carrying a `LostJob`; the
project's sweeper (`checked_sweeper.py`) finishes every batch and then names them in one
message: which run, the scheduler's state, where the log is, and that rerunning the same command
redoes exactly those. The SLURM launcher also records the array's job id in the sweep's lock
(`sim.analysis.sweep_lock.note_jobs`), so that a rerun waits while an array whose launching command
died still runs (`slurm_jobs_active`).

Public API only: `submitit.AutoExecutor`, `Job.results`/`state`/`paths`, Hydra's `Launcher`
through the plugin's launcher classes and its documented config (`BaseQueueConf`).
"""

from __future__ import annotations

import logging
import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from hydra.core.utils import JobReturn, JobStatus, filter_overrides
from omegaconf import OmegaConf

try:  # the `sweep` extra; without it these launchers are simply not there
    from hydra_plugins.hydra_submitit_launcher import submitit_launcher as plugin
except ImportError:  # pragma: no cover - Hydra's plugin scan would warn on every command
    plugin = None

log = logging.getLogger(__name__)


class LostJob(RuntimeError):
    """A job of the array that ended without a result (its message says how and where)."""

    lost_job = True  # what the sweeper looks for

    def __init__(self, job_id: str, state: str, log_path: str, reason: str) -> None:
        super().__init__(f"job {job_id} ended without a result (state {state}); log: {log_path}")
        self.job_id = job_id
        self.state = state
        self.log_path = log_path
        self.reason = reason


def _executor(launcher: Any) -> Any:
    """A submitit executor with the launcher's settings (the plugin's own mapping of keys)."""
    import submitit

    from hydra_plugins.hydra_submitit_launcher.config import BaseQueueConf

    kind = launcher._EXECUTOR
    params = dict(launcher.params)
    init = {"folder": params.pop("submitit_folder")}
    if "max_num_timeout" in params:
        init[f"{kind}_max_num_timeout"] = params.pop("max_num_timeout")
    executor = submitit.AutoExecutor(cluster=kind, **init)
    generic = set(OmegaConf.structured(BaseQueueConf).keys())
    executor.update_parameters(
        **{k if k in generic else f"{kind}_{k}": v for k, v in params.items()}
    )
    return executor


def _state(job: Any) -> str:
    try:
        return str(job.state)
    except Exception:  # noqa: BLE001 - the scheduler could not be asked
        return "UNKNOWN"


# states in which a SLURM job has ended (squeue may still list it for a few minutes)
ENDED = {
    "COMPLETED",
    "CANCELLED",
    "FAILED",
    "TIMEOUT",
    "OUT_OF_MEMORY",
    "NODE_FAIL",
    "PREEMPTED",
    "BOOT_FAIL",
    "DEADLINE",
    "REVOKED",
    "SPECIAL_EXIT",
}


def slurm_jobs_active(jobs: Sequence[str]) -> list[str] | None:
    """The SLURM jobs (array ids) of `jobs` still queued or running; None if squeue cannot tell."""
    import subprocess

    try:
        out = subprocess.run(
            ["squeue", "-h", "-r", "-o", "%F %T", "-j", ",".join(jobs)],
            capture_output=True,
            text=True,
            timeout=60,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    if out.returncode != 0:
        return [] if "Invalid job id" in out.stderr else None
    active = set()
    for line in out.stdout.splitlines():
        parts = line.split()
        if len(parts) == 2 and parts[1] not in ENDED:
            active.add(parts[0])
    return sorted(active)


def launch_and_wait(
    launcher: Any, job_overrides: Sequence[Sequence[str]], initial_job_idx: int
) -> list[JobReturn]:
    """Submit the jobs as one array, wait for all of them; lost ones come back as failed."""
    from hydra.core.singleton import Singleton
    from submitit.core.utils import UncompletedJobError

    assert launcher.config is not None and job_overrides
    executor = _executor(launcher)
    sweep_dir = Path(str(launcher.config.hydra.sweep.dir))
    sweep_dir.mkdir(parents=True, exist_ok=True)
    if "mode" in launcher.config.hydra.sweep:  # as the plugin does
        os.chmod(sweep_dir, mode=int(str(launcher.config.hydra.sweep.mode), 8))
    log.info(f"Submitit '{launcher._EXECUTOR}' sweep output dir : {sweep_dir}")
    params = []
    for idx, overrides in enumerate(job_overrides, start=initial_job_idx):
        log.info(f"\t#{idx} : {' '.join(filter_overrides(overrides))}")
        params.append(
            (list(overrides), "hydra.sweep.dir", idx, f"job_id_for_{idx}", Singleton.get_state())
        )
    jobs = executor.map_array(launcher, *zip(*params))
    if launcher._EXECUTOR == "slurm":  # the array outlives this process: say so in the lock
        from sim.analysis.sweep_lock import note_jobs

        note_jobs(sweep_dir, sorted({str(job.job_id).split("_")[0] for job in jobs}))
    returns: list[JobReturn] = []
    for job, overrides in zip(jobs, job_overrides):
        try:
            returns.append(job.results()[0])
        except UncompletedJobError as exc:
            lost = LostJob(job.job_id, _state(job), str(job.paths.stderr), str(exc))
            returns.append(
                JobReturn(overrides=list(overrides), status=JobStatus.FAILED, _return_value=lost)
            )
    return returns


if plugin is not None:

    class SlurmArrayLauncher(plugin.SlurmLauncher):
        """The plugin's SLURM launcher, waiting for every job of the array (see the module)."""

        def launch(
            self, job_overrides: Sequence[Sequence[str]], initial_job_idx: int
        ) -> Sequence[JobReturn]:
            """Run the jobs as one SLURM array; lost jobs come back as failed returns."""
            return launch_and_wait(self, job_overrides, initial_job_idx)

    class LocalArrayLauncher(plugin.LocalLauncher):
        """The plugin's local launcher (one process per job), waiting for every job."""

        def launch(
            self, job_overrides: Sequence[Sequence[str]], initial_job_idx: int
        ) -> Sequence[JobReturn]:
            """Run the jobs as local processes; lost jobs come back as failed returns."""
            return launch_and_wait(self, job_overrides, initial_job_idx)
