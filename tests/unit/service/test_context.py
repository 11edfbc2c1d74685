"""The model Protocols describe what SocialCareModel really offers."""

from __future__ import annotations

import inspect

import pytest

from sim.config.schema import RunConfig
from sim.engine.model import SocialCareModel
from sim.engine.protocols import HubModel
from sim.service.context import DeskModel
from tests.conftest import make_config


def _members(protocol: type) -> set[str]:
    names: set[str] = set()
    for klass in protocol.__mro__:
        if klass is object or klass.__name__ in ("Protocol", "Generic"):
            continue
        names |= set(getattr(klass, "__annotations__", {}))
        names |= {n for n, v in vars(klass).items()
                  if inspect.isfunction(v) and not n.startswith("_")}
    return names


@pytest.fixture(scope="module")
def model() -> SocialCareModel:
    cfg = RunConfig.from_dict(make_config(strategy="fast_social_care", size=2_000, horizon_h=2.0))
    return SocialCareModel(cfg)


@pytest.mark.parametrize("protocol", [HubModel, DeskModel], ids=lambda p: p.__name__)
def test_the_model_has_every_member_of_the_protocol(model, protocol):
    members = _members(protocol)
    assert {"tick", "cfg"} <= members  # the introspection sees the Protocol's own fields
    missing = sorted(n for n in members if not hasattr(model, n))
    assert not missing, f"SocialCareModel lacks {missing} of {protocol.__name__}"
