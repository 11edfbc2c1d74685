"""Shared plumbing of the Hydra apps: quiet logging, user errors with exit status 2, paths.

Every entry point ends with `run_app(main)`. Before Hydra starts (and before it creates any output
directory) `run_app` parses the command line, composes the configuration of every run it asks for
and checks it; a bad name, key, value or override stops with a one-paragraph message and exit
status 2. `--debug` (or HYDRA_FULL_ERROR=1, SIM_DEBUG=1) shows the Python traceback instead.
"""

from __future__ import annotations

import contextlib
import difflib
import logging
import os
import re
import sys
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Callable, Iterator, Sequence

from omegaconf import DictConfig, OmegaConf

from sim.errors import ConfigError
from sim.config.schema import RunConfig
from sim.config import presets
from sim.config.sections import SECTION_TYPES
from sim.errors import NetworkError

CONF_DIR = presets.conf_dir()  # the repository's conf/, or the installed package data
GROUPS = ("scenario", "strategy", "network")
INFO_FLAGS = ("help", "hydra_help", "info", "shell_completion", "experimental_rerun")
MAX_PREFLIGHT_CONFIGS = 256  # sweep points composed and checked before a multirun starts


class UserError(Exception):
    """A mistake on the command line; the message says what and how to fix it."""


USER_ERRORS = (ConfigError, NetworkError, FileNotFoundError, UserError)


def register_schema(name: str = "run", sections: Sequence[str] = tuple(SECTION_TYPES),
                    seed: bool = True) -> None:
    """Give Hydra typed run sections, so every knob can be overridden and is type-checked.

    A primary config lists `optional schema: <name>` first in its defaults: the presets of the
    scenario/strategy/network groups then merge onto typed sections that hold every field, so
    `strategy.triage=influence` works with any strategy preset and `strategy.staff=abc` fails.
    Other top-level keys (progress, figures, an app's own settings) stay free.

    Args:
        name: the schema's name in the `schema` group.
        sections: which RunConfig sections to type.
        seed: also type the top-level `seed` as an integer.
    """
    from dataclasses import field, make_dataclass

    from hydra.core.config_store import ConfigStore

    spec: list[tuple] = [("seed", int, field(default=1))] if seed else []
    for section in sections:
        cls = SECTION_TYPES[section]
        spec.append((section, cls, field(default_factory=cls)))
    node = OmegaConf.structured(make_dataclass(f"{name.title()}Schema", spec))
    OmegaConf.set_struct(node, False)  # typed sections and seed; other top-level keys stay free
    ConfigStore.instance().store(group="schema", name=name, package="_global_", node=node)


register_schema()


def quiet_mesa() -> None:
    """Mesa logs every step at INFO under Hydra; keep it to warnings."""
    logging.getLogger("MESA").setLevel(logging.WARNING)
    logging.getLogger("mesa").setLevel(logging.WARNING)


def choices(group: str) -> list[str]:
    """Preset names available in a config group."""
    return presets.names(group)


def fail(message: str) -> None:
    """Print a one-paragraph user error and exit with status 2."""
    text = " ".join(str(message).split())
    print(f"error: {text}", file=sys.stderr)
    sys.exit(2)


def group_override_problem(argv: Sequence[str]) -> str | None:
    """The message for the first unknown preset name (strategy=..., scenario=...), if any."""
    for arg in argv:
        if "=" not in arg or arg.startswith(("-", "+", "~", "hydra")):
            continue
        key, value = arg.split("=", 1)
        if key in GROUPS:
            names = [v.strip() for v in value.split(",")] if "," in value and "(" not in value else [value]
            for name in names:
                if name and name not in choices(key) and name != "all":
                    return (f"'{key}={name}' names no preset: {key} must be one of "
                            f"{', '.join(choices(key))} (files in conf/{key}/).")
    return None


def check_group_overrides(argv: list[str]) -> None:
    """Refuse unknown preset names (strategy=..., scenario=...) before Hydra starts."""
    problem = group_override_problem(argv)
    if problem:
        fail(problem)


def debug() -> bool:
    """Whether to show tracebacks of user errors (--debug, HYDRA_FULL_ERROR=1 or SIM_DEBUG=1)."""
    return os.environ.get("HYDRA_FULL_ERROR") == "1" or os.environ.get("SIM_DEBUG") == "1"


def _note_in_marker(outdir: str | os.PathLike | None, message: str) -> None:
    if outdir is None:
        return
    from sim.outputs.io import INCOMPLETE

    marker = Path(outdir) / INCOMPLETE
    if marker.exists():
        with open(marker, "a", encoding="utf-8") as fh:
            fh.write(f"It stopped with: {message}\n")


@contextmanager
def user_errors(outdir: str | os.PathLike | None = None) -> Iterator[None]:
    """Turn configuration and input errors into a clear message and exit status 2.

    Args:
        outdir: a run directory whose INCOMPLETE marker should record the error.
    """
    try:
        yield
    except USER_ERRORS as exc:
        if debug():
            raise
        _note_in_marker(outdir, str(exc))
        fail(str(exc))
    except MemoryError:
        if debug():
            raise
        message = ("The run ran out of memory. Lower population.size or network.mean_followers, "
                   "close other programs or use a larger machine.")
        _note_in_marker(outdir, message)
        fail(message)


def run_config(cfg: DictConfig) -> RunConfig:
    """The checked RunConfig inside a composed Hydra config."""
    return RunConfig.from_dict(OmegaConf.to_container(cfg, resolve=True))


def check_run(cfg: DictConfig) -> RunConfig:
    """Everything checked before one run starts: values, the documented strategy, memory."""
    from sim.engine.resources import check_memory

    rc = run_config(cfg)
    for key in ("strategy", "counterfactual"):  # preset names a scenario refers to
        name = getattr(rc.scenario, key, "")
        if name and name not in choices("strategy"):
            raise ConfigError(f"scenario.{key}", name,
                              "the name of a strategy preset: " + ", ".join(choices("strategy")))
    check_memory(rc)
    return rc


def output_dir(cfg: DictConfig) -> Path:
    """`output_dir` if the config sets it (compose API), else Hydra's run directory."""
    if cfg.get("output_dir"):
        return Path(cfg.output_dir)
    from hydra.core.hydra_config import HydraConfig

    return Path(HydraConfig.get().runtime.output_dir)


def resolved(cfg: DictConfig) -> dict[str, Any]:
    """The composed config as plain data without Hydra's own node."""
    data = OmegaConf.to_container(cfg, resolve=True)
    data.pop("hydra", None)
    return data


# ---------------------------------------------------------------------------------------------
# Checking a command line before Hydra runs it
# ---------------------------------------------------------------------------------------------


def _one_paragraph(text: str) -> str:
    lines = [ln.strip() for ln in str(text).splitlines()]
    lines = [ln for ln in lines if ln and not ln.startswith(("full_key:", "object_type=",
                                                            "reference_type=", "Config search path",
                                                            "provider="))]
    return " ".join(lines)


def _known_keys(node: Any) -> list[str]:
    return sorted(str(k) for k in node.keys()) if isinstance(node, DictConfig) else []


def _unknown_key_message(key: str, line: str, base: DictConfig | None) -> str:
    parent, _, leaf = key.rpartition(".")
    while parent and base is not None and not isinstance(OmegaConf.select(base, parent), DictConfig):
        parent, _, leaf = parent.rpartition(".")  # name the first part that does not exist
    node = OmegaConf.select(base, parent) if (base is not None and parent) else base
    known = _known_keys(node)
    where = f"section '{parent}'" if parent else "the configuration"
    text = f"Unknown key '{key}' in the override '{line}': {where} has no key '{leaf}'."
    close = difflib.get_close_matches(leaf, known, n=3)
    if close:
        text += " Did you mean " + " or ".join(f"'{f'{parent}.' if parent else ''}{c}'" for c in close) + "?"
    if known:
        text += f" Known keys of {where}: {', '.join(known)}."
    return text + f" (To add a new key on purpose, write +{line}.)"


def hydra_error_message(exc: BaseException, base: DictConfig | None = None) -> str:
    """A one-paragraph message for an error Hydra or OmegaConf raised while composing.

    Args:
        exc: the exception.
        base: the configuration composed without the offending overrides (lists known keys).
    """
    msg, cause = str(exc), exc.__cause__
    m = re.match(r"Could not override '([^']+)'", msg)
    if m:
        line = msg.split("use +", 1)[1].strip() if "use +" in msg else m.group(1)
        return _unknown_key_message(m.group(1), line, base)
    m = re.match(r"Error merging override (.+)", msg)
    if m and cause is not None:
        key = getattr(cause, "full_key", None) or m.group(1).split("=", 1)[0]
        value = m.group(1).split("=", 1)[1] if "=" in m.group(1) else ""
        return (f"Invalid configuration value for '{key}': got {value!r} in the override "
                f"'{m.group(1)}'. Allowed: a value of the declared type ({_one_paragraph(str(cause))}).")
    m = re.search(r"An item is already at '([^']+)'", msg)
    if m:
        return (f"The key '{m.group(1)}' already exists, so it cannot be added with '+': write "
                f"{m.group(1)}=VALUE to change it (or ++{m.group(1)}=VALUE to add or change it).")
    if type(exc).__name__ == "OverrideParseException":
        return (f"Malformed override: {_one_paragraph(msg)} Overrides look like key=value (e.g. "
                "strategy.staff=4), +key=value to add a key, ~key to delete one, key=[a,b] for a "
                "list; quote values with spaces or commas, e.g. 'strategy.shift=\"mon-fri 09:00-17:00\"'.")
    text = _one_paragraph(msg)
    if cause is not None and str(cause) not in msg:
        text += " " + _one_paragraph(str(cause))
    return "Invalid command line: " + text


def _split_argv(argv: Sequence[str]) -> tuple[Any, list[str]]:
    from hydra._internal.utils import get_args_parser

    args = get_args_parser().parse_args(list(argv))  # bad flags: argparse exits with status 2
    return args, list(args.overrides or [])


def _override_sets(overrides: list[str], multirun: bool) -> list[list[str]]:
    """The override lists to compose: each sweep value once, the other sweeps at their first value."""
    from hydra.core.override_parser.overrides_parser import OverridesParser
    from hydra.errors import OverrideParseException

    try:
        parsed = OverridesParser.create().parse_overrides(overrides)
    except OverrideParseException as exc:
        raise UserError(hydra_error_message(exc)) from None
    if not multirun:
        return [overrides]
    fixed: list[str] = []
    sweeps: list[list[str]] = []
    for o in parsed:
        if not o.is_sweep_override():
            fixed.append(o.input_line)
            continue
        try:
            values = [f"{o.get_key_element()}={v}" for v in o.sweep_string_iterator()]
        except Exception:  # interval sweeps of optimising sweepers cannot be enumerated
            continue
        if values:
            sweeps.append(values)
    sets = [fixed + [s[0] for s in sweeps]]
    for i, values in enumerate(sweeps):
        for v in values[1:]:
            sets.append(fixed + [s[0] if j != i else v for j, s in enumerate(sweeps)])
    return sets[:MAX_PREFLIGHT_CONFIGS]


def _compose(config_name: str, overrides: list[str]) -> DictConfig:
    from hydra import compose

    return compose(config_name=config_name, overrides=overrides)


def _with_one_value_changed(base: tuple[list[str], DictConfig] | None,
                            overrides: list[str]) -> DictConfig | None:
    """The config of `overrides` without composing, when it differs from `base` in one plain value.

    A sweep point that changes only a value (seed=3, strategy.staff=4), not a preset or a section,
    is the base config with that value set, which is what Hydra's composition would do, at a
    fiftieth of the cost. Returns None when the config has to be composed.
    """
    import copy

    from hydra.core.override_parser.overrides_parser import OverridesParser
    from hydra.core.override_parser.types import OverrideType
    from omegaconf import ValueNode

    if base is None or len(base[0]) != len(overrides):
        return None
    changed = [o for o, b in zip(overrides, base[0]) if o != b]
    if len(changed) != 1:
        return None
    try:
        override = OverridesParser.create().parse_override(changed[0])
        key, value = override.key_or_group, override.value()
        if (override.type != OverrideType.CHANGE or override.package is not None
                or override.is_sweep_override() or key.startswith("hydra")
                or not isinstance(value, (int, float, bool, str, type(None)))):
            return None
        parent, _, leaf = key.rpartition(".")
        node = OmegaConf.select(base[1], parent) if parent else base[1]
        if not isinstance(node, DictConfig) or not isinstance(node._get_node(leaf), ValueNode):
            return None  # a section, a preset or a missing key: Hydra composes (and explains)
        cfg = copy.deepcopy(base[1])
        OmegaConf.update(cfg, key, value, merge=True)
        return cfg
    except Exception:  # noqa: BLE001 - anything unusual: compose it the regular way
        return None


def _compose_base(config_name: str, overrides: list[str], bad: str) -> DictConfig | None:
    try:
        return _compose(config_name, [o for o in overrides if o != bad and not o.startswith(bad.split("=")[0] + "=")])
    except Exception:
        return None


def preflight(argv: Sequence[str], config_name: str = "config",
              check: Callable[[DictConfig], Any] | None = check_run) -> int:
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
    args, overrides = _split_argv(argv)
    if any(getattr(args, flag, None) for flag in INFO_FLAGS):
        return 0
    sets = _override_sets(overrides, bool(args.multirun))
    if args.config_path or args.config_dir:
        return 0  # another search path: Hydra itself reports composition errors
    name = args.config_name or config_name
    checked = 0
    with initialize_config_dir(version_base="1.3", config_dir=str(CONF_DIR), job_name="preflight"):
        first: tuple[list[str], DictConfig] | None = None  # the first composed sweep point
        for ovs in sets:
            try:
                cfg = _with_one_value_changed(first, ovs) or _compose(name, ovs)
                first = first or (ovs, cfg)
            except (HydraException, OmegaConfBaseException) as exc:
                bad = re.search(r"override '?([^'\s]+)'?", str(exc))
                base = _compose_base(name, ovs, bad.group(1)) if bad else None
                raise UserError(hydra_error_message(exc, base)) from None
            except Exception as exc:  # Hydra raises plain errors for some malformed overrides
                if debug():
                    raise
                raise UserError(f"Invalid command line {' '.join(ovs)!r}: {_one_paragraph(str(exc))}. "
                                "Overrides look like key=value, e.g. strategy.staff=4.") from None
            if check is not None and not args.cfg:
                try:
                    check(cfg)
                except InterpolationResolutionError as exc:
                    if "hydra" not in str(exc):
                        raise UserError(f"Invalid configuration: {_one_paragraph(str(exc))}") from None
                except OmegaConfBaseException as exc:
                    raise UserError(f"Invalid configuration: {_one_paragraph(str(exc))}") from None
                except (ValueError, TypeError, KeyError) as exc:  # an app's check met a bad value
                    if debug() or isinstance(exc, USER_ERRORS):
                        raise
                    raise UserError(f"Invalid configuration ({' '.join(ovs) or 'defaults'}): "
                                    f"{_one_paragraph(str(exc))} (--debug shows where).") from None
            checked += 1
    return checked


def run_app(main: Callable[[], Any], config_name: str = "config",
            check: Callable[[DictConfig], Any] | None = check_run,
            argv: Sequence[str] | None = None) -> None:
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
    with user_errors():
        warm = _warm_workers(argv, config_name)  # joblib's workers start while all is checked
        try:
            preflight(argv, config_name, check)
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
    """Start the joblib launcher's workers of a multirun in the background (experiments/workers.py)."""
    if "-m" not in argv and "--multirun" not in argv:
        return None
    try:
        with open(os.devnull, "w") as devnull, contextlib.redirect_stderr(devnull):
            args, overrides = _split_argv(argv)  # a bad command line is for preflight to report
        if args.config_path or args.config_dir or args.cfg or group_override_problem(argv):
            return None
        if any(getattr(args, flag, None) for flag in INFO_FLAGS):
            return None
        base = _override_sets(overrides, True)[0]
    except (Exception, SystemExit):
        return None
    from experiments.workers import warm_workers

    return warm_workers(str(CONF_DIR), args.config_name or config_name, base)
