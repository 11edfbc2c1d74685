"""The decision variables of a policy-design study: strategy knobs with ranges or choices.

A study (`conf/optimize/*.yaml`, key `variables`) lists the strategy knobs it may set, each as a
mapping:

* `{key: strategy.staff, low: 0, high: 12}`: a whole number in [low, high] (the knob's type
  decides whole or real; `step` sets a grid, `log: true` a log scale);
* `{key: strategy.shift, choices: ["24/7", "mon-fri 09:00-17:00"]}`: one of the listed values;
* `{key: strategy.listening_latency_min, choices: [2, 5, 30], price: [600, 300, 0]}`: listening
  levels with a price in dollars a day each. Listening has no cost in the model unless a
  strategy sets `strategy.listening_cost_per_day`; a candidate's prices are summed into that
  knob, so faster or wider listening shows up in `cost_listening` and `cost_total`. The library
  presets a study is compared with are charged the same prices (`Space.priced_preset`: the level
  nearest to their own value; nothing for a preset that does not listen).

Every other knob keeps the value of the study's `base` strategy (a preset or a mapping of knobs).
A candidate is the base knobs with the variables' values (`Space.knobs`).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, fields
from typing import Any

from sim.config.schema import StrategyConfig
from sim.errors import ConfigError

PREFIX = "strategy."
PRICED = ("listening_recall", "listening_latency_min")  # knobs whose levels may carry a price
PRICE_KNOB = "listening_cost_per_day"
ENTRY_KEYS = ("key", "low", "high", "step", "log", "choices", "price")
_KNOB_TYPES = {f.name: f.type for f in fields(StrategyConfig)}


def _is_number(value: Any) -> bool:
    return (
        isinstance(value, (int, float))
        and not isinstance(value, bool)
        and math.isfinite(float(value))
    )


@dataclass(frozen=True)
class Variable:
    """One decision variable: a strategy knob and the values it may take."""

    knob: str  # the strategy field, without "strategy."
    kind: str  # "int", "float" or "choice"
    low: float | None = None
    high: float | None = None
    step: float | None = None
    log: bool = False
    choices: tuple[Any, ...] = ()
    price: tuple[float, ...] | None = None  # $/day per choice (listening levels only)

    @property
    def key(self) -> str:
        """The dotted config key (strategy.<knob>)."""
        return PREFIX + self.knob

    def suggest(self, trial: Any) -> Any:
        """The value an Optuna trial proposes for this variable."""
        if self.kind == "choice":
            return trial.suggest_categorical(self.knob, list(self.choices))
        if self.kind == "int":
            return trial.suggest_int(
                self.knob,
                int(self.low or 0),
                int(self.high or 0),
                step=int(self.step or 1),
                log=self.log,
            )
        return trial.suggest_float(
            self.knob,
            float(self.low or 0.0),
            float(self.high or 0.0),
            step=self.step,
            log=self.log,
        )

    def extremes(self) -> list[Any]:
        """Values to check against the strategy schema: both ends, or every choice."""
        if self.kind == "choice":
            return list(self.choices)
        low, high = float(self.low or 0.0), float(self.high or 0.0)
        return [int(low), int(high)] if self.kind == "int" else [low, high]

    def price_of(self, value: Any) -> float:
        """The listening price ($/day) of a value (0 without prices)."""
        if self.price is None:
            return 0.0
        return float(self.price[list(self.choices).index(value)])


@dataclass(frozen=True)
class Space:
    """The variables of a study and the base strategy they modify."""

    variables: tuple[Variable, ...]
    base: Mapping[str, Any]  # the base strategy's knobs

    @property
    def priced(self) -> bool:
        """Whether any variable carries a listening price."""
        return any(v.price is not None for v in self.variables)

    def knobs(self, params: Mapping[str, Any], name: str = "candidate") -> dict[str, Any]:
        """The strategy knobs of a candidate (its variables' values over the base)."""
        out = {**dict(self.base), "name": name}
        for v in self.variables:
            value = params[v.knob]
            value = value.item() if hasattr(value, "item") else value  # numpy scalars: plain
            out[v.knob] = (
                float(value) if v.kind == "float" else int(value) if v.kind == "int" else value
            )
        if self.priced:
            out[PRICE_KNOB] = float(self.base.get(PRICE_KNOB, 0.0) or 0.0) + sum(
                v.price_of(params[v.knob]) for v in self.variables
            )
        return out

    def priced_preset(self, knobs: Mapping[str, Any]) -> dict[str, Any]:
        """A library preset charged the study's listening prices, so costs compare like for like.

        Each priced knob is charged the price of the study's level nearest to the preset's value;
        a preset that does not listen (`listening_recall` 0) pays nothing.
        """
        from sim.config.schema import StrategyConfig as Defaults

        out = dict(knobs)
        if not self.priced or float(out.get("listening_recall", 0.0) or 0.0) <= 0:
            return out
        extra = 0.0
        for v in self.variables:
            if v.price is None:
                continue
            value = float(out.get(v.knob, getattr(Defaults(), v.knob)))
            near = min(range(len(v.choices)), key=lambda i: abs(float(v.choices[i]) - value))
            extra += v.price[near]
        out[PRICE_KNOB] = float(out.get(PRICE_KNOB, 0.0) or 0.0) + extra
        return out

    def base_params(self) -> dict[str, Any] | None:
        """The base strategy's own values of the variables, if each lies in its variable's range.

        A study starts with this candidate (a warm start): the base is often a preset that meets
        the target, and the sampler then knows a feasible point from the first trial on.
        """
        from sim.config.schema import StrategyConfig as Defaults

        out = {}
        for v in self.variables:
            value = self.base.get(v.knob, getattr(Defaults(), v.knob))
            if v.kind == "choice":
                if value not in v.choices:
                    return None
            elif not (float(v.low or 0.0) <= float(value) <= float(v.high or 0.0)):
                return None
            elif (
                v.step is not None
                and not float((float(value) - (v.low or 0.0)) / v.step).is_integer()
            ):
                return None
            out[v.knob] = value
        return out

    def suggest(self, trial: Any) -> dict[str, Any]:
        """Every variable's value proposed by an Optuna trial, by knob name."""
        return {v.knob: v.suggest(trial) for v in self.variables}

    def check_values(self, check: Any) -> None:
        """Call `check(knobs, where)` with each variable at its extremes (the rest at the base)."""
        for i, v in enumerate(self.variables):
            for value in v.extremes():
                knobs = {**dict(self.base), v.knob: value}
                check(knobs, f"optimize.variables[{i}] ({v.key}={value!r})")


def _variable(entry: Any, where: str) -> Variable:
    if not isinstance(entry, Mapping):
        raise ConfigError(where, entry, "a mapping such as {key: strategy.staff, low: 0, high: 12}")
    unknown = sorted(set(map(str, entry)) - set(ENTRY_KEYS))
    if unknown:
        raise ConfigError(
            f"{where}.{unknown[0]}", entry[unknown[0]], "one of " + ", ".join(ENTRY_KEYS)
        )
    key = entry.get("key")
    knob = str(key)[len(PREFIX) :] if isinstance(key, str) and key.startswith(PREFIX) else None
    if knob is None or knob not in _KNOB_TYPES or knob in ("name", "description", PRICE_KNOB):
        raise ConfigError(
            f"{where}.key",
            key,
            "a strategy knob, strategy.<knob> (docs/strategies.md lists them), e.g. strategy.staff",
        )
    kind_of_knob = _KNOB_TYPES[knob]
    price = entry.get("price")
    if "choices" in entry:
        choices = entry.get("choices")
        if isinstance(choices, (str, bytes)) or not isinstance(choices, Sequence) or not choices:
            raise ConfigError(f"{where}.choices", choices, "a non-empty list of values")
        if len({repr(c) for c in choices}) != len(choices):
            raise ConfigError(f"{where}.choices", list(choices), "each value once")
        if any(isinstance(c, (Mapping, list)) for c in choices):
            raise ConfigError(
                f"{where}.choices", list(choices), "plain values (numbers, text, true/false)"
            )
        if price is not None:
            if knob not in PRICED:
                raise ConfigError(
                    f"{where}.price",
                    price,
                    "no price: only listening levels ("
                    + ", ".join(PREFIX + k for k in PRICED)
                    + ") carry one; other knobs cost what the model charges (wages, bot_cost, ...)",
                )
            if (
                isinstance(price, (str, bytes))
                or not isinstance(price, Sequence)
                or len(price) != len(choices)
                or not all(_is_number(p) and p >= 0 for p in price)
            ):
                raise ConfigError(
                    f"{where}.price",
                    price,
                    f"a list of {len(choices)} prices >= 0 ($/day), one per choice",
                )
            price = tuple(float(p) for p in price)
        extra = sorted(k for k in ("low", "high", "step", "log") if k in entry)
        if extra:
            raise ConfigError(
                f"{where}.{extra[0]}", entry[extra[0]], "either choices or low/high, not both"
            )
        return Variable(knob, "choice", choices=tuple(choices), price=price)
    if price is not None:
        raise ConfigError(f"{where}.price", price, "prices per level need choices: [...]")
    if kind_of_knob not in ("int", "float", int, float):
        raise ConfigError(f"{where}", dict(entry), f"choices: [...] ({key} is not a number)")
    low: Any = entry.get("low")
    high: Any = entry.get("high")
    step: Any = entry.get("step")
    if not (_is_number(low) and _is_number(high) and low < high):
        raise ConfigError(f"{where}", f"low={low!r}, high={high!r}", "numbers with low < high")
    if step is not None and not (_is_number(step) and step > 0):
        raise ConfigError(f"{where}.step", step, "a number > 0, or no step")
    log = entry.get("log", False)
    if not isinstance(log, bool) or (log and (low <= 0 or step is not None)):
        raise ConfigError(f"{where}.log", log, "true (with low > 0 and no step) or false")
    integer = kind_of_knob in ("int", int)
    if integer and not (float(low).is_integer() and float(high).is_integer()):
        raise ConfigError(
            f"{where}", f"low={low!r}, high={high!r}", f"whole numbers ({key} counts)"
        )
    if integer and step is not None and not float(step).is_integer():
        raise ConfigError(f"{where}.step", step, f"a whole number ({key} counts)")
    return Variable(
        knob,
        "int" if integer else "float",
        float(low),
        float(high),
        None if step is None else float(step),
        log,
    )


def parse_variables(entries: Any, where: str = "optimize.variables") -> tuple[Variable, ...]:
    """The checked variables of a study (ConfigError naming the entry and key)."""
    if (
        isinstance(entries, Mapping)
        or not isinstance(entries, Sequence)
        or isinstance(entries, str)
    ):
        raise ConfigError(where, entries, "a list of {key, low, high} or {key, choices} entries")
    if not entries:
        raise ConfigError(
            where, [], "at least one variable, e.g. {key: strategy.staff, low: 0, high: 12}"
        )
    out, seen = [], set()
    for i, entry in enumerate(entries):
        v = _variable(entry, f"{where}[{i}]")
        if v.knob in seen:
            raise ConfigError(f"{where}[{i}].key", v.key, "each knob once")
        seen.add(v.knob)
        out.append(v)
    return tuple(out)
