"""Which runs can share an environment, and a per-process cache of networks and populations.

`build_environment` draws the network, the population, the background chatter and the incident
victims from the seed and the sections `seed`, `scenario`, `network`, `population` and
`diffusion` of a run config; it never reads `strategy` or `opinion`. Two runs with the same
`environment_key` therefore get equal environments, and one built environment serves both
(this is how every strategy of one replicate meets the same world: common random numbers).

Runs that differ in what is drawn after the network and the population (chatter rates, incident
appeal, diffusion rates other than the role multipliers) can still share those two, the costly
part: `environment(rc, reuse_structure=True)` keeps them per `(seed, structure_key)` in a small
per-process cache and redraws only the chatter and incident draws, with the same named streams
`build_environment` uses, so a reused environment equals a fresh one.
"""

from __future__ import annotations

import json
from dataclasses import asdict, replace
from typing import Any

from sim.config.schema import RunConfig
from sim.engine import model as engine_model
from sim.engine.model import Environment
from sim.engine.rng import Streams
from sim.scenario.schedule import Clock, chatter_schedule, incident_victims

# Sections of a run config that `build_environment` reads.
ENVIRONMENT_SECTIONS = ("seed", "scenario", "network", "population", "diffusion")
CACHE_MAX_NODES = 3_000_000  # total simulated people whose networks a process may keep
_CACHE: dict[tuple[int, str], Environment] = {}


def environment_key(rc: RunConfig, *, with_seed: bool = True) -> str:
    """A key equal for two runs exactly when `build_environment` gives them equal environments."""
    parts: dict[str, Any] = {k: asdict(getattr(rc, k)) for k in ENVIRONMENT_SECTIONS if k != "seed"}
    if with_seed:
        parts["seed"] = rc.seed
    return json.dumps(parts, default=repr, sort_keys=True)


def structure_key(rc: RunConfig) -> str:
    """What shapes the network and the population (same key and seed: they can be reused)."""
    sc = rc.scenario
    parts = {
        "network": rc.network,
        "population": rc.population,
        "reference": sc.reference_population,
        "brand": (sc.brand.followers, sc.brand.customer_share),
        "accounts": sc.accounts,
        "roles": (rc.diffusion.role_post, rc.diffusion.role_reshare),
    }
    return json.dumps(parts, default=repr, sort_keys=True)


def environment(rc: RunConfig, reuse_structure: bool = False) -> Environment:
    """The environment of a run; with `reuse_structure`, network and population may come cached."""
    if not reuse_structure:
        return engine_model.build_environment(rc)
    key = (rc.seed, structure_key(rc))
    base = _CACHE.get(key)
    if base is None:
        base = engine_model.build_environment(rc)
        if sum(e.pop.size for e in _CACHE.values()) + base.pop.size > CACHE_MAX_NODES:
            _CACHE.clear()
        _CACHE[key] = base
        return base
    streams = Streams(rc.seed)
    chatter = chatter_schedule(rc, base.pop, Clock(rc.scenario), streams.generator("chatter"))
    victims = incident_victims(rc, base.pop, streams.generator("incident"))
    return replace(base, chatter=chatter, victims=victims)


def clear_cache() -> None:
    """Forget the cached networks and populations of this process."""
    _CACHE.clear()
