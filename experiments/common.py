"""Shared plumbing of the Hydra apps: quiet logging, checked command lines, paths.

Every entry point ends with `run_app(main)`. Before Hydra starts (and before it creates any output
directory) `run_app` parses the command line (`experiments.hydra_adapter`), composes the
configuration of every run it asks for onto the app's typed schema (`experiments.schemas`) and
checks it; a bad name, key, value or override stops with a one-paragraph message
(`experiments.cli_messages`) and exit status 2 (`experiments.exit_errors`, re-exported here).
`--debug` (or HYDRA_FULL_ERROR=1, SIM_DEBUG=1) shows the Python traceback instead.
"""

from __future__ import annotations

import contextlib
import logging
import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from omegaconf import DictConfig, OmegaConf

from experiments import hydra_adapter, schemas, storage
from experiments.cli_messages import bad_override, hydra_error_message, one_paragraph
from experiments.exit_errors import (  # noqa: F401 - re-exported for the entry points
    USER_ERRORS,
    UserError,
    debug,
    fail,
    user_errors,
)
from experiments.preset_files import preset_file_problem, searchpath
from sim.config import presets
from sim.config.schema import RunConfig
from sim.errors import ConfigError

CONF_DIR = presets.conf_dir()  # the repository's conf/, or the installed package data
GROUPS = ("scenario", "strategy", "network")


def quiet_mesa() -> None:
    """Mesa logs every step at INFO under Hydra; keep it to warnings."""
    logging.getLogger("MESA").setLevel(logging.WARNING)
    logging.getLogger("mesa").setLevel(logging.WARNING)


def choices(group: str) -> list[str]:
    """Preset names available in a config group."""
    return presets.names(group)


def group_override_problem(argv: Sequence[str]) -> str | None:
    """The message for the first unknown preset name (strategy=..., scenario=...), if any.

    Presets in folders added with `hydra.searchpath=[file://DIR]` (DIR/<group>/NAME.yaml) count.
    """
    extra = searchpath(argv)
    for arg in argv:
        if "=" not in arg or arg.startswith(("-", "+", "~", "hydra")):
            continue
        key, value = arg.split("=", 1)
        if key in GROUPS:
            names = (
                [v.strip() for v in value.split(",")]
                if "," in value and "(" not in value
                else [value]
            )
            for name in names:
                if any((folder / key / f"{name}.yaml").is_file() for folder in extra):
                    continue
                if name and name not in choices(key) and name != "all":
                    return (
                        f"'{key}={name}' names no preset: {key} must be one of "
                        f"{', '.join(choices(key))} (files in conf/{key}/)."
                    )
    return None


def check_group_overrides(argv: list[str]) -> None:
    """Refuse unknown preset names (strategy=..., scenario=...) before Hydra starts."""
    problem = group_override_problem(argv)
    if problem:
        fail(problem)


def run_config(cfg: DictConfig) -> RunConfig:
    """The checked RunConfig inside a composed Hydra config."""
    return RunConfig.from_dict(resolved(cfg))


def check_run(cfg: DictConfig) -> RunConfig:
    """Everything checked before one run starts: values, the documented strategy, memory."""
    from sim.engine.resources import check_memory

    rc = run_config(cfg)
    for key in ("strategy", "counterfactual"):  # preset names a scenario refers to
        name = getattr(rc.scenario, key, "")
        if name and name not in choices("strategy"):
            raise ConfigError(
                f"scenario.{key}",
                name,
                "the name of a strategy preset: " + ", ".join(choices("strategy")),
            )
    check_memory(rc)
    _note_more_people_than_real(rc)
    return rc


_NOTED: set[tuple[int, int, str]] = set()


def _note_more_people_than_real(rc: RunConfig) -> None:
    """Say so (once) when a run simulates more people than the real audience it stands for."""
    size, ref = rc.population.size, rc.scenario.reference_population
    seen = (size, ref, rc.scenario.name)
    if size <= ref or seen in _NOTED:
        return
    _NOTED.add(seen)
    print(
        f"note: population.size={size:,} is more than the {ref:,} real people scenario "
        f"{rc.scenario.name} stands for (scenario.reference_population): each simulated person "
        f"counts as one real person, so {size - ref:,} of them have no real counterpart and "
        f"totals such as churned customers describe a larger audience than the real one; "
        f"population.size={ref} simulates the real audience.",
        file=sys.stderr,
    )


def output_dir(cfg: DictConfig) -> Path:
    """`output_dir` if the config sets it (compose API), else Hydra's run directory."""
    if cfg.get("output_dir"):
        return Path(cfg.output_dir)
    from hydra.core.hydra_config import HydraConfig

    return Path(HydraConfig.get().runtime.output_dir)


def resolved(cfg: DictConfig) -> dict[str, Any]:
    """The composed config as plain data without Hydra's own node."""
    data = OmegaConf.to_container(cfg, resolve=True, throw_on_missing=False)
    data.pop("hydra", None)
    return schemas.strip_unset(data)  # run sections: only what a preset or override set


# ---------------------------------------------------------------------------------------------
# Checking a command line before Hydra runs it
# ---------------------------------------------------------------------------------------------


def _compose(config_name: str, overrides: list[str]) -> DictConfig:
    from hydra import compose

    return compose(config_name=config_name, overrides=overrides)


def _compose_base(config_name: str, overrides: list[str], bad: str) -> DictConfig | None:
    try:
        return _compose(
            config_name,
            [o for o in overrides if o != bad and not o.startswith(bad.split("=")[0] + "=")],
        )
    except Exception:
        return None


def preflight(
    argv: Sequence[str],
    config_name: str = "config",
    check: Callable[[DictConfig], Any] | None = check_run,
) -> int:
    """Check a command line as Hydra would run it, without running anything.

    Args:
        argv: the arguments after the program name.
        config_name: the app's primary config in conf/.
        check: validates one composed config (raises ConfigError); None checks composition only.

    Returns:
        How many configurations were composed and checked.

    Raises:
        UserError, ConfigError, NetworkError: with a one-paragraph message.
    """
    from hydra import initialize_config_dir
    from hydra.errors import HydraException
    from omegaconf.errors import InterpolationResolutionError, OmegaConfBaseException

    problem = group_override_problem(argv)
    if problem:
        raise UserError(problem)
    schemas.register(config_name)  # the app's typed schema (experiments/schemas.py)
    line = hydra_adapter.parse_command_line(argv)  # a bad flag: argparse exits with status 2
    if line.info_only:
        return 0
    try:
        sets = hydra_adapter.preflight_sets(line.overrides, line.multirun)
    except HydraException as exc:
        raise UserError(hydra_error_message(exc)) from None
    if line.config_path or line.config_dir:
        return 0  # another search path: Hydra itself reports composition errors
    name = line.config_name or config_name
    checked = 0
    with initialize_config_dir(version_base="1.3", config_dir=str(CONF_DIR), job_name="preflight"):
        first: tuple[list[str], DictConfig] | None = None  # the first composed sweep point
        for ovs in sets:
            try:
                cfg = hydra_adapter.with_one_value_changed(first, ovs) or _compose(name, ovs)
                if first is None:
                    _FIRST.update(argv=list(argv), cfg=cfg)
                if first is None and any(o.startswith("+") for o in ovs):
                    schemas.check_keys(cfg, name)  # `+key=...` adds keys the schema lacks
                first = first or (ovs, cfg)
            except (HydraException, OmegaConfBaseException) as exc:
                file_problem = preset_file_problem(ovs, name)
                if file_problem is not None:
                    raise file_problem from None
                bad = bad_override(exc, ovs)
                base = _compose_base(name, ovs, bad) if bad else None
                raise UserError(hydra_error_message(exc, base, name, bad)) from None
            except Exception as exc:  # Hydra raises plain errors for some malformed overrides
                if debug():
                    raise
                file_problem = preset_file_problem(ovs, name)
                if file_problem is not None:
                    raise file_problem from None
                raise UserError(
                    f"Invalid command line {' '.join(ovs)!r}: {one_paragraph(str(exc))}. "
                    "Overrides look like key=value, e.g. strategy.staff=4."
                ) from None
            if check is not None and not line.cfg:
                try:
                    check(cfg)
                except InterpolationResolutionError as exc:
                    if "hydra" not in str(exc):
                        raise UserError(
                            f"Invalid configuration: {one_paragraph(str(exc))}"
                        ) from None
                except OmegaConfBaseException as exc:
                    raise UserError(f"Invalid configuration: {one_paragraph(str(exc))}") from None
                except (ValueError, TypeError, KeyError) as exc:  # an app's check met a bad value
                    if debug() or isinstance(exc, USER_ERRORS):
                        raise
                    raise UserError(
                        f"Invalid configuration ({' '.join(ovs) or 'defaults'}): "
                        f"{one_paragraph(str(exc))} (--debug shows where)."
                    ) from None
            checked += 1
    return checked


_FIRST: dict[str, Any] = {}  # the first config preflight composed: {"argv": ..., "cfg": ...}


def check_writable(folder: str | os.PathLike) -> None:
    """Refuse a folder that cannot take results: a full disk or a read-only folder (UserError).

    See `experiments.storage.writable_problem`.
    """
    problem = storage.writable_problem(folder)
    if problem:
        raise UserError(problem)


def output_folder(argv: Sequence[str], config_name: str = "config") -> Path | None:
    """The folder a command line writes into: `output_dir`, else Hydra's run (or sweep) folder.

    Uses the configuration `preflight` composed for the same command line (else composes it),
    with `hydra.run.dir` (`hydra.sweep.dir` for -m) from the overrides or the primary config.
    None when it cannot be told before Hydra runs (another config path, --help, ...).
    """
    try:
        with open(os.devnull, "w") as devnull, contextlib.redirect_stderr(devnull):
            line = hydra_adapter.parse_command_line(argv)
        if line.info_only or line.config_path or line.config_dir:
            return None
        name = line.config_name or config_name
        cfg = _FIRST.get("cfg") if _FIRST.get("argv") == list(argv) else None
        if cfg is None:
            from hydra import initialize_config_dir

            first = hydra_adapter.preflight_sets(line.overrides, line.multirun)[0]
            with initialize_config_dir(version_base="1.3", config_dir=str(CONF_DIR)):
                cfg = _compose(name, first)
        given = hydra_adapter.override_values(storage.dir_overrides(line.overrides))
        primary = presets.read(CONF_DIR / f"{name}.yaml")
        return storage.folder_of(cfg, primary, given, line.multirun)
    except (Exception, SystemExit):  # interpolations that need a running Hydra, ...
        return None


def _checking_folder_first(
    argv: Sequence[str], config_name: str, check: Callable[[DictConfig], Any] | None
) -> Callable[[DictConfig], Any]:
    """`check`, after a check that the output folder takes data (once, before any other check).

    A full disk or a read-only folder is refused before Hydra writes there, and before an app's
    own checks, which can take a while.
    """
    done: list[bool] = []

    def checked(cfg: DictConfig) -> Any:
        if not done:
            done.append(True)
            folder = output_folder(argv, config_name)
            if folder is not None:
                check_writable(folder)
        return check(cfg) if check is not None else None

    return checked


def run_app(
    main: Callable[[], Any],
    config_name: str = "config",
    check: Callable[[DictConfig], Any] | None = check_run,
    argv: Sequence[str] | None = None,
) -> None:
    """Run a Hydra entry point after checking its command line (exit status 2 on user errors).

    Args:
        main: the function decorated with `hydra.main`.
        config_name: its primary config in conf/.
        check: validates one composed config before anything runs (None: composition only).
        argv: the arguments (default: sys.argv[1:]); `--debug` is removed and turns on tracebacks.
    """
    from_command_line = argv is None
    argv = list(sys.argv[1:] if argv is None else argv)
    if "--debug" in argv:
        argv = [a for a in argv if a != "--debug"]
        os.environ["SIM_DEBUG"] = "1"
        os.environ["HYDRA_FULL_ERROR"] = "1"
    if from_command_line:
        sys.argv[1:] = argv  # Hydra reads sys.argv
    schemas.register(config_name)  # before anything composes; Hydra's launchers pass it on
    with user_errors():
        warm = _warm_workers(argv, config_name)  # joblib's workers start while all is checked
        try:
            preflight(argv, config_name, _checking_folder_first(argv, config_name, check))
        except BaseException:
            if warm is not None:
                from experiments.workers import stop_workers

                stop_workers()
            raise
    from hydra_plugins.socialcare_sim.checked_sweeper import set_command_line_checked

    set_command_line_checked()  # the multirun need not compose every job twice
    main()
    if from_command_line and os.environ.get("SIM_SLOW_EXIT", "") in ("", "0"):
        prepare_quick_exit()


def prepare_quick_exit() -> None:
    """Make the end of a finished command-line run quick; Python then exits the normal way.

    The interpreter's teardown runs several full garbage collections over everything the
    scientific stack has allocated (0.5-0.8 s after a sweep), and idle joblib workers are asked to
    finish and tear themselves down the same slow way. Freezing the collector's generations
    skips those collections (objects are still freed by reference counting, and every exit
    handler still runs); the idle workers are stopped at once. SIM_SLOW_EXIT=1 leaves it all to
    Python.
    """
    import gc

    from experiments.workers import stop_workers

    stop_workers(wait=True)
    gc.freeze()


def _warm_workers(argv: Sequence[str], config_name: str) -> Any:
    """Start the joblib launcher's workers of a multirun in the background (experiments.workers)."""
    if "-m" not in argv and "--multirun" not in argv:
        return None
    try:
        with open(os.devnull, "w") as devnull, contextlib.redirect_stderr(devnull):
            line = hydra_adapter.parse_command_line(argv)  # a bad one is for preflight to report
        if line.config_path or line.config_dir or line.cfg or group_override_problem(argv):
            return None
        if line.info_only:
            return None
        base = hydra_adapter.preflight_sets(line.overrides, True)[0]
    except (Exception, SystemExit):
        return None
    from experiments.workers import warm_workers

    return warm_workers(str(CONF_DIR), line.config_name or config_name, base)
