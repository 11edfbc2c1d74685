"""Your own incident: `python -m experiments.ingest path=FILE [out=PATH] [name=NAME]`.

Reads a social-listening export (CSV or Parquet; the columns are in docs/ingest.md and
`sim.scenario.ingest_read`), measures it (`sim.scenario.ingest_measure`: hourly mentions by
valence, the first negative burst and its complainers, the quiet-hour chatter rates, the
negative audience, the brand's first replies) and writes a scenario file
(`sim.scenario.ingest_scenario`) to `conf/scenario/<name>.yaml` or `out=`, checked by the
project's validation and written atomically. Values the file cannot tell (brand customer share
and lifetime value, complaint severities) come from the template scenario (`scenario=`,
default baseline_week). The output directory gets `hourly.csv` (what was measured, hour by
hour), `config.yaml` and `provenance.json`. A file that cannot be read stops everything with a
message naming the file, line and column, and exit status 2, before anything is written.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import hydra
from omegaconf import DictConfig

from experiments.common import UserError, output_dir, resolved, run_app, user_errors
from experiments.options import float_option, int_option
from experiments.scenarios import CONF_DIR
from sim.config.presets import conf_dir
from sim.errors import ConfigError
from sim.scenario.ingest_measure import VALENCE_NAMES, Measured, MeasureOptions, measure
from sim.scenario.ingest_read import ExportError, Posts, read_export
from sim.scenario.ingest_scenario import ScenarioOptions, check_scenario, scenario_text

NAME = re.compile(r"^[a-z][a-z0-9_]*$")


@dataclass
class Prepared:
    """A file read, measured and turned into a checked scenario text, not yet written."""

    posts: Posts
    measured: Measured
    text: str
    data: dict[str, Any]
    destination: Path
    name: str


_PREPARED: dict[tuple, Prepared] = {}  # the check and the run of one command share the work


def scenario_name(cfg: DictConfig, path: Path) -> str:
    """The scenario's name: `name=`, else the file's stem made a valid name."""
    given = cfg.get("name")
    if given is not None:
        if not NAME.match(str(given)):
            raise ConfigError(
                "name", given, "lower-case letters, digits and _, starting with a letter"
            )
        return str(given)
    stem = re.sub(r"[^a-z0-9_]+", "_", path.stem.lower()).strip("_")
    return stem if stem[:1].isalpha() else f"ingested_{stem}".rstrip("_")


def destination(cfg: DictConfig, name: str) -> Path:
    """Where the scenario file goes: `out=` (a file, or a folder for <name>.yaml), else conf/."""
    out = cfg.get("out")
    if out is None:
        return CONF_DIR / "scenario" / f"{name}.yaml"
    target = Path(str(out))
    return target / f"{name}.yaml" if target.is_dir() else target


def _options(cfg: DictConfig, name: str) -> tuple[ScenarioOptions, MeasureOptions]:
    template = resolved(cfg).get("scenario") or {}
    brand, chatter = template.get("brand") or {}, template.get("chatter") or {}
    incidents = template.get("incidents") or [{}]
    scen = ScenarioOptions(
        name=name,
        reference_population=int_option(cfg, "reference_population", 1000000, null="the rule"),
        size=int_option(cfg, "size", 20000) or 20000,
        replicates=int_option(cfg, "replicates", 5) or 5,
        tick_min=float_option(cfg, "tick_min", 1.0),
        brand_followers=int_option(cfg, "brand_followers", 50000, null="the file's"),
        template=str(template.get("name", "")),
        customer_share=float(brand.get("customer_share", 0.5)),
        clv=float(brand.get("clv", 300.0)),
        complaint_severity=float(chatter.get("complaint_severity", 0.3)),
        incident_severity=float(incidents[0].get("severity", 0.7)),
    )
    for key, value in (("size", scen.size), ("replicates", scen.replicates)):
        if value < 1:
            raise ConfigError(key, value, "a whole number >= 1")
    if not 0 < scen.tick_min <= 60:
        raise ConfigError("tick_min", scen.tick_min, "minutes in (0, 60]")
    default = MeasureOptions()
    meas = MeasureOptions(
        accounts=int_option(cfg, "accounts", default.accounts) or 0,
        burst_sigma=float_option(cfg, "burst_sigma", default.burst_sigma),
        burst_ratio=float_option(cfg, "burst_ratio", default.burst_ratio),
        burst_min=int_option(cfg, "burst_min", default.burst_min) or 0,
    )
    if meas.accounts < 0:
        raise ConfigError("accounts", meas.accounts, "a whole number >= 0")
    for key in ("burst_sigma", "burst_ratio"):
        if getattr(meas, key) < 0:
            raise ConfigError(key, getattr(meas, key), "a number >= 0")
    return scen, meas


def prepare(cfg: DictConfig) -> Prepared:
    """Read, measure and check everything, writing nothing (UserError or ConfigError)."""
    if cfg.get("path") is None:
        raise UserError("path=FILE is required: the social-listening export (CSV or Parquet).")
    path = Path(str(cfg.path))
    name = scenario_name(cfg, path)
    scen, meas = _options(cfg, name)
    band = float_option(cfg, "neutral_band", 0.05)
    if not 0.0 <= band < 1.0:
        raise ConfigError("neutral_band", band, "a number in [0, 1)")
    brand_id = cfg.get("brand_id")
    dest = destination(cfg, name)
    stat = path.stat() if path.is_file() else None
    key = (str(path.resolve()), stat and (stat.st_mtime_ns, stat.st_size), repr(resolved(cfg)))
    if key in _PREPARED:
        return _PREPARED[key]
    if dest.is_dir():
        raise UserError(f"out={dest} is a folder holding a folder {name}.yaml; give a file path.")
    if dest.exists() and not cfg.get("overwrite", False):
        raise UserError(
            f"{dest} exists: overwrite=true replaces it, or choose another name= or out=."
        )
    try:
        posts = read_export(
            path, brand_id=None if brand_id is None else str(brand_id), neutral_band=band
        )
    except ExportError as exc:
        raise UserError(str(exc)) from None
    measured = measure(posts, meas)
    text = scenario_text(posts, measured, scen)
    data = check_scenario(text)
    _PREPARED[key] = Prepared(posts, measured, text, data, dest, name)
    return _PREPARED[key]


def _shown(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(Path.cwd()))
    except ValueError:
        return str(path)


def next_steps(prep: Prepared) -> list[str]:
    """The commands that calibrate and compare the written scenario."""
    n = prep.name
    lines = []
    home = (CONF_DIR / "scenario").resolve()
    if prep.destination.resolve().parent != home:
        lines.append(
            f"  cp {_shown(prep.destination)} conf/scenario/{n}.yaml   "
            "# the apps read scenarios from conf/scenario/"
        )
    steps = [
        (f"replay scenario={n}", "its targets at the measured values"),
        (f"calibrate scenario={n}", "fit the free parameters"),
        (f"calibrate scenario={n} apply=true", "... and write them into the file"),
        (f"replay scenario={n}", "the targets at the fitted values"),
        (f"compare scenario={n} starts=[]", "compare the strategies on it"),
    ]
    width = max(len(cmd) for cmd, _ in steps)
    return lines + [f"  python -m experiments.{cmd:<{width}}   # {why}" for cmd, why in steps]


def summary(prep: Prepared) -> list[str]:
    """What was measured, in a few lines."""
    m, d = prep.measured, prep.data
    rates = ", ".join(f"{VALENCE_NAMES[v]} {r:.3g}/h" for v, r in m.chatter.items())
    out = [
        f"read {prep.posts.path}: {m.posts:,} posts by {m.authors:,} authors, from "
        f"{m.start:%Y-%m-%d %H:%M} UTC over {m.horizon_h} h",
        f"chatter ({m.quiet_note}): {rates}",
    ]
    if m.complainers:
        who = ", ".join(f"{c.author} ({c.followers:,} followers)" for c in m.complainers)
        out.append(f"incident at hour {m.incident_h:.2f} (burst in hour {m.burst_hour}): {who}")
    else:
        out.append("no negative burst: no incident, no named accounts")
    if m.reply_minutes:
        out.append(f"the brand replied to {len(m.reply_minutes)} posts")
    out.append(
        f"{len(d.get('targets') or [])} targets (label calibrated), "
        f"{len(d.get('free') or [])} free parameters"
    )
    return out


def execute(cfg: DictConfig) -> Prepared:
    """Ingest one export from a composed config."""
    from sim.outputs.io import write_csv, write_json, write_text, write_yaml
    from sim.outputs.provenance import provenance

    with user_errors():
        prep = prepare(cfg)
    outdir = output_dir(cfg)
    with user_errors(outdir):
        write_text(prep.destination, prep.text)
        config = {k: v for k, v in resolved(cfg).items() if k != "scenario"}
        config["template"] = (resolved(cfg).get("scenario") or {}).get("name", "")
        config["written"] = str(prep.destination)
        config["sha256"] = prep.posts.sha256
        write_yaml(outdir / "config.yaml", config)
        write_json(outdir / "provenance.json", provenance(config, int(cfg.get("seed", 1))))
        write_csv(outdir / "hourly.csv", prep.measured.hourly)
    for line in summary(prep):
        print(line)
    print(f"wrote {_shown(prep.destination)}; measured hour by hour: {outdir / 'hourly.csv'}")
    print("next:")
    for line in next_steps(prep):
        print(line)
    return prep


def check_ingest(cfg: DictConfig) -> None:
    """Pre-flight check: the whole file is read and the scenario checked before Hydra starts."""
    prepare(cfg)


@hydra.main(version_base="1.3", config_path=str(conf_dir()), config_name="ingest")
def main(cfg: DictConfig) -> None:
    """Hydra entry point."""
    execute(cfg)


if __name__ == "__main__":
    run_app(main, config_name="ingest", check=check_ingest)
