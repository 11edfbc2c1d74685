"""An app's own numeric options (seed, replicates, size, ...) read with messages naming the key.

`int(cfg.seed)` on `seed=abc` reports Python's "invalid literal for int()"; these helpers raise a
ConfigError instead ("Invalid configuration value for 'seed': got 'abc'. Allowed: a whole
number, e.g. seed=1."), which the entry points print as one paragraph with exit status 2.
"""

from __future__ import annotations

import math
from typing import Any

from omegaconf import DictConfig, OmegaConf

from sim.errors import ConfigError

_ABSENT = object()


def _value(cfg: DictConfig, key: str, default: Any) -> Any:
    value = OmegaConf.select(cfg, key, default=_ABSENT)
    return default if value is _ABSENT else value


def int_option(
    cfg: DictConfig, key: str, example: int, default: Any = None, null: str | None = None
) -> int | None:
    """The whole-number option `key` of an app's config.

    Args:
        cfg: the composed config.
        key: dotted key, e.g. "seed" or "sla.max_staff".
        example: a valid value, shown in the message.
        default: the value when the key is absent.
        null: what null means, if null is allowed (then None is returned for it).

    Returns:
        The integer (None for an allowed null).

    Raises:
        ConfigError: naming the key, the value and what is allowed.
    """
    value = _value(cfg, key, default)
    if value is None and null is not None:
        return None
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str):
        try:
            return int(value.strip())
        except ValueError:
            pass
    allowed = f"a whole number, e.g. {key}={example}"
    raise ConfigError(key, value, allowed + (f", or null ({null})" if null is not None else ""))


def float_option(cfg: DictConfig, key: str, example: float, default: Any = None) -> float:
    """The numeric option `key` of an app's config, as a finite float.

    Args:
        cfg: the composed config.
        key: dotted key, e.g. "stop_loss" or "sla.share".
        example: a valid value, shown in the message.
        default: the value when the key is absent.

    Returns:
        The number.

    Raises:
        ConfigError: naming the key, the value and what is allowed.
    """
    value = _value(cfg, key, default)
    if not isinstance(value, bool):
        try:
            number = float(value)
        except (TypeError, ValueError):
            pass
        else:
            if math.isfinite(number):
                return number
    raise ConfigError(key, value, f"a finite number, e.g. {key}={example:g}")
