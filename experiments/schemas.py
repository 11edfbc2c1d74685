"""Typed schemas of the apps' primary configs, registered in Hydra's ConfigStore.

Every primary config in conf/ lists `schema: <app>` first in its defaults. The schema is a
dataclass holding every key the app reads, the run sections included (typed with the library's
own dataclasses of `sim.config.schema`), so Hydra refuses an unknown key or a value of the wrong
type at composition, and `check_keys` refuses keys added with `+` that the schema does not know.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields, is_dataclass
from typing import Any, Optional, get_args, get_origin, get_type_hints

from experiments.schema_parts import (  # noqa: F401 (re-exported: the apps' building blocks)
    UNSET,
    Animation,
    AppSchema,
    ModelSections,
    Morris,
    NetworkConfig,
    Objective,
    ParameterRange,
    ParameterSet,
    ScenarioConfig,
    Sla,
    Sobol,
    StrategyConfig,
    strip_unset,
    unset,
)
from sim.scenario.ingest_options import MeasureOptions


@dataclass
class RunSchema(AppSchema, ModelSections):
    """`experiments.run` (conf/config.yaml): one run."""

    scenario: ScenarioConfig = field(default_factory=ScenarioConfig)
    strategy: StrategyConfig = field(default_factory=StrategyConfig)
    progress: bool = True
    figures: bool = True
    resume: bool = True


@dataclass
class CompareSchema(AppSchema, ModelSections):
    """`experiments.compare`: strategies x replicates (no `strategy` section: a list instead)."""

    scenario: ScenarioConfig = field(default_factory=ScenarioConfig)
    replicates: int = 7  # per start time
    strategies: Any = "all"  # "all", a preset name, or a list of preset names and YAML paths
    baseline: str = "ignore"
    starts: Any = None  # incident start times [mon10,wed03,sat20:30]; [] or None: the scenario's
    n_jobs: int = -1
    progress: bool = True
    figures: bool = True
    uncertainty: str = "none"  # none, posterior, a conf/sensitivity/ set, or a YAML path
    uncertainty_reference: bool = True  # also run the seeds fixed: which rankings survive


@dataclass
class ReplaySchema(AppSchema):
    """`experiments.replay`: documented cases against their figures."""

    scenario: ScenarioConfig = field(default_factory=ScenarioConfig)
    network: NetworkConfig = field(default_factory=NetworkConfig)
    scenarios: str = "all"
    replicates: int | None = None
    size: int | None = None
    n_jobs: int = 2
    figures: bool = True
    sizes: list[int] | None = None
    crossval: bool = False
    crossval_evals: int = 12


@dataclass
class Abc:
    """`calibrate method=abc`: ABC-SMC options (sim.analysis.posterior)."""

    population: int = 20
    generations: int = 4
    min_epsilon: float = 0.5
    initial_epsilon: float = 4.0
    seeds: int = 2
    seed_pool: int = 10
    predictive_draws: int = 20
    predictive_seeds: int = 2


@dataclass
class CalibrateSchema(AppSchema):
    """`experiments.calibrate`: fit a scenario's free parameters (or its staffing)."""

    scenario: ScenarioConfig = field(default_factory=ScenarioConfig)
    network: NetworkConfig = field(default_factory=NetworkConfig)
    scenarios: str | None = None
    method: str = "point"  # point (differential evolution + Nelder-Mead) or abc (ABC-SMC)
    replicates: int | None = None
    size: int | None = None
    maxiter: int = 8
    popsize: int = 6
    stop_loss: float = 0.02
    max_evals: int = 80
    n_jobs: int = 2
    apply: bool = False
    posterior_file: str | None = None
    abc: Abc = field(default_factory=Abc)
    figures: bool = True
    staffing: bool = False
    sla: Sla = field(default_factory=Sla)


@dataclass
class SensitivitySchema(AppSchema, ModelSections):
    """`experiments.sensitivity`: Morris or Sobol over conf/sensitivity/<set>.yaml."""

    scenario: ScenarioConfig = field(default_factory=ScenarioConfig)
    strategy: StrategyConfig = field(default_factory=StrategyConfig)
    sensitivity: ParameterSet = field(default_factory=ParameterSet)
    method: str = "morris"
    metrics: list[str] = field(default_factory=lambda: ["reach_negative"])
    replicates: int = 2
    morris: Morris = field(default_factory=Morris)
    sobol: Sobol = field(default_factory=Sobol)
    sample_seed: int = 1
    n_jobs: int = -1
    progress: bool = True
    figures: bool = True


@dataclass
class RobustnessSchema(AppSchema, ModelSections):
    """`experiments.robustness`: every strategy over the same sampled futures."""

    scenario: ScenarioConfig = field(default_factory=ScenarioConfig)
    strategy: StrategyConfig = field(default_factory=StrategyConfig)
    sensitivity: ParameterSet = field(default_factory=ParameterSet)
    strategies: Any = "all"  # "all" or a list of preset names
    samples: int = 32
    replicates: int = 2
    objectives: list[Objective] = field(default_factory=list)
    sample_seed: int = 1
    n_jobs: int = -1
    progress: bool = True
    figures: bool = True


@dataclass
class Curve:
    """A named dose-response curve: the strategy knob and its doses."""

    knob: str = "strategy.staff"
    doses: list[Any] = field(default_factory=list)


@dataclass
class DoseResponseSchema(AppSchema, ModelSections):
    """`experiments.dose_response`: one strategy knob at several doses, paired over replicates."""

    scenario: ScenarioConfig = field(default_factory=ScenarioConfig)
    strategy: StrategyConfig = field(default_factory=StrategyConfig)
    replicates: int = 6
    curve: str = "staff"  # a key of `curves`
    curves: dict[str, Curve] = field(default_factory=dict)
    knob: str | None = None  # overrides the curve's knob (then give doses)
    doses: list[Any] | None = None  # overrides the curve's doses
    metrics: list[str] = field(default_factory=lambda: ["reach_negative"])
    n_jobs: int = -1
    progress: bool = True
    figures: bool = True


@dataclass
class RankRobustnessSchema(AppSchema, ModelSections):
    """`experiments.rank_robustness`: the strategies' ranking, one parameter moved at a time."""

    scenario: ScenarioConfig = field(default_factory=ScenarioConfig)
    sensitivity: ParameterSet = field(default_factory=ParameterSet)
    strategies: Any = "all"  # "all", or a list of preset names and YAML paths
    metric: str = "reach_negative"
    better: str | None = None  # lower | higher; None: as the metric registry says
    factors: list[float] = field(default_factory=lambda: [0.5, 1.5])
    starts: Any = None  # incident start times [mon10,wed03]; [] or None: the scenario's own
    replicates: int = 4
    n_jobs: int = -1
    progress: bool = True
    figures: bool = True


@dataclass
class FiguresSchema(AppSchema, ModelSections):
    """`experiments.figures`: teaching figures of one scenario."""

    scenario: ScenarioConfig = field(default_factory=ScenarioConfig)
    strategy: StrategyConfig = field(default_factory=StrategyConfig)
    compare_with: str | None = "ignore"
    animation: Animation = field(default_factory=Animation)


@dataclass
class IngestSchema(AppSchema):
    """`experiments.ingest`: a scenario file from a social-listening export."""

    scenario: ScenarioConfig = field(default_factory=ScenarioConfig)  # template of assumptions
    path: str | None = None
    out: str | None = None
    name: str | None = None
    overwrite: bool = False
    brand_id: str | None = None
    brand_followers: int | None = None
    reference_population: int | None = None
    size: int = 20000
    replicates: int = 5
    tick_min: float = 1.0
    neutral_band: float = 0.05
    # the burst and complainer heuristics: defaults of sim.scenario.ingest_options.MeasureOptions
    accounts: int = MeasureOptions.accounts
    burst_sigma: float = MeasureOptions.burst_sigma
    burst_ratio: float = MeasureOptions.burst_ratio
    burst_min: int = MeasureOptions.burst_min


@dataclass
class Robust:
    """Robust mode of a policy-design study: candidates face samples of the uncertain inputs."""

    samples: int = 0  # 0: off (the nominal scenario at each start time)
    source: str = "ranges"  # ranges (a parameter set of conf/sensitivity/) or posterior (hook)
    parameters: str = "uncertain"  # the parameter set of `ranges`
    sample_seed: int = 1


@dataclass
class Fresh:
    """The independent check of a recommendation: a comparison on other seeds."""

    seed: int = 1001
    replicates: int = 8
    starts: Any = None
    compare_with: list[str] = field(default_factory=lambda: ["ignore", "fast_social_care"])


@dataclass
class Confirm:
    """The best feasible trials checked on other seeds before one is recommended."""

    top: int = 5  # 0: off (the best trial is recommended as it is)
    seed: int = 501
    replicates: int = 8


@dataclass
class OptimizeSchema(AppSchema, ModelSections):
    """`experiments.optimize`: the cheapest strategy that meets a target (Optuna)."""

    scenario: ScenarioConfig = field(default_factory=ScenarioConfig)
    optimize: Any = None  # the study (conf/optimize/*.yaml), checked by experiments.optimize
    study_file: str | None = None  # a study YAML file replacing `optimize`
    trials: int = 40
    replicates: int = 6
    starts: Any = None
    presets: Any = None  # library presets on the same seeds (a list of names or YAML paths)
    robust: Robust = field(default_factory=Robust)
    confirm: Confirm = field(default_factory=Confirm)
    fresh: Fresh = field(default_factory=Fresh)
    sampler_seed: int = 1
    startup_trials: int = 10
    n_jobs: int = 1
    progress: bool = True
    figures: bool = True


# the schema of each primary config of conf/ (the name is the one its defaults list uses)
SCHEMAS: dict[str, type] = {
    "config": RunSchema,
    "compare": CompareSchema,
    "replay": ReplaySchema,
    "calibrate": CalibrateSchema,
    "sensitivity": SensitivitySchema,
    "robustness": RobustnessSchema,
    "dose_response": DoseResponseSchema,
    "rank_robustness": RankRobustnessSchema,
    "figures": FiguresSchema,
    "ingest": IngestSchema,
    "optimize": OptimizeSchema,
}
SCHEMA_NAMES = {"config": "run"}  # conf/config.yaml uses `schema: run`


_REGISTERED: set[str] = set()


def register(*config_names: str) -> None:
    """Store apps' schemas as `schema/<app>` (package _global_) in Hydra's ConfigStore.

    Args:
        config_names: primary configs whose schemas to store (none: all). Each schema is stored
            once per process (it takes about 10 ms); Hydra's launchers hand the ConfigStore to
            their job processes, so those need not store it again.
    """
    from hydra.core.config_store import ConfigStore

    store = ConfigStore.instance()
    for config_name in config_names or tuple(SCHEMAS):
        cls = SCHEMAS.get(config_name)
        if cls is None or config_name in _REGISTERED:
            continue
        store.store(
            group="schema",
            name=SCHEMA_NAMES.get(config_name, config_name),
            package="_global_",
            node=cls,
        )
        _REGISTERED.add(config_name)


def declared_type(schema: type, key: str) -> tuple[Any, bool] | None:
    """(type, whether null is allowed) of a dotted key in a schema; None if it declares no such key.

    List items are addressed by index (`scenario.incidents.0.severity`).
    """
    cls: Any = schema
    declared: Any = None
    optional = False
    for part in key.split("."):
        if part.isdigit() and get_origin(declared) is list:
            declared, optional = get_args(declared)[0], False
            cls = declared
            continue
        if not (isinstance(cls, type) and is_dataclass(cls)):
            return None
        hints = get_type_hints(cls)
        if part not in {f.name for f in fields(cls)}:
            return None
        declared, optional = hints[part], False
        if get_origin(declared) is Optional or type(None) in get_args(declared):
            optional = True
            declared = next(a for a in get_args(declared) if a is not type(None))
        cls = declared
    return declared, optional


def check_keys(cfg: Any, config_name: str) -> None:
    """Refuse keys a composed config holds that its app's schema does not declare.

    Hydra adds a key written with `+` even where the schema has none; merging the config onto
    the schema (Hydra's own node left out) finds it.

    Raises:
        omegaconf.errors.ConfigKeyError: naming the first unknown key.
    """
    from omegaconf import OmegaConf

    schema = SCHEMAS.get(config_name)
    if schema is None:
        return
    data = OmegaConf.to_container(cfg, resolve=False)
    data.pop("hydra", None)
    OmegaConf.merge(OmegaConf.structured(schema), data)
