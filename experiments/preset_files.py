"""Config files a command line selects (conf/ and `hydra.searchpath`), checked when they fail.

When Hydra cannot compose a command line, `experiments.common.preflight` asks
`preset_file_problem` whether one of the files it reads is malformed, so that the message names
the file and its line (`sim.config.user_files`) instead of Hydra's wording.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import fields
from pathlib import Path

from sim.config.presets import conf_dir
from sim.config.sections import SECTION_TYPES
from sim.config.user_files import load_user_yaml
from sim.errors import UserFileError


def searchpath(overrides: Sequence[str]) -> list[Path]:
    """The folders a `hydra.searchpath=[file://...]` override adds."""
    dirs: list[Path] = []
    for o in overrides:
        if o.lstrip("+").startswith("hydra.searchpath="):
            for part in o.split("=", 1)[1].strip("[]").split(","):
                part = part.strip().strip("'\"")
                if part.startswith("file://"):
                    dirs.append(Path(part.removeprefix("file://")))
    return dirs


def preset_file_problem(overrides: Sequence[str], config_name: str) -> UserFileError | None:
    """The problem of a config file a command line selects (a YAML syntax error, ...), if any.

    Looks at the app's primary config, the presets of its defaults list and those the overrides
    choose (`group=name`), in conf/ and the folders of `hydra.searchpath`.
    """
    dirs = [conf_dir(), *searchpath(overrides)]
    chosen: dict[str, str] = {}
    for folder in dirs:
        primary = folder / f"{config_name}.yaml"
        if primary.is_file():
            try:
                data = load_user_yaml(primary, "primary config", allow_empty=True)
            except UserFileError as exc:
                return exc
            for item in data.get("defaults") or []:
                if isinstance(item, dict):
                    chosen.update({str(k): str(v) for k, v in item.items() if " " not in str(k)})
    for o in overrides:
        key, sep, value = o.lstrip("+").partition("=")
        if sep and "." not in key and not key.startswith(("hydra", "~")):
            chosen[key] = value
    for group, name in chosen.items():
        cls = SECTION_TYPES.get(group)
        keys = None if cls is None else [f.name for f in fields(cls)] + ["defaults"]
        for folder in dirs:
            file = folder / group / f"{name}.yaml"
            if file.is_file():
                try:
                    load_user_yaml(file, f"{group} preset", keys, allow_empty=True)
                except UserFileError as exc:
                    return exc
    return None
