"""Named streams and draws: every purpose has its own key, and a new one must be registered."""

from __future__ import annotations

import re
from itertools import combinations
from pathlib import Path

import numpy as np
import pytest

from sim.engine.rng import derive, keyed_uniform_one
from sim.engine.streams import DRAWS, STREAMS, name_key, salt
from sim.service.cases import Case
from sim.service.draws import CaseDraws

SIM = Path(__file__).resolve().parents[3] / "sim"


def test_no_two_registered_draws_share_a_salt():
    salts = {name: salt(name) for name in DRAWS}
    clashes = [(a, b) for a, b in combinations(salts, 2) if salts[a] == salts[b]]
    assert not clashes
    assert len(DRAWS) >= 40  # every keyed draw of the model is listed (see the next test)


def test_no_two_streams_share_a_spawn_key():
    keys = [name_key(name) for name in STREAMS]
    assert len(set(keys)) == len(keys)


def test_an_unregistered_draw_is_refused():
    with pytest.raises(KeyError, match="not registered"):
        salt("listening.dealy")
    draws = CaseDraws(1)
    with pytest.raises(KeyError):
        draws.uniform(Case(0, 1, 1, 0, 0.5, 1, 1, key=7), "staff.resolve")  # typo of staff.resolves


def test_every_registered_draw_is_used_and_every_used_name_is_registered():
    source = "\n".join(p.read_text(encoding="utf-8") for p in SIM.rglob("*.py")
                       if p.name != "streams.py")
    used = set(re.findall(r"salt\(\"([a-z_.]+)\"\)", source))
    used |= set(re.findall(r"draws\.(?:uniform|key|delay_ticks)\([^\"]*\"([a-z_.]+)\"", source))
    assert used <= set(DRAWS), f"unregistered: {sorted(used - set(DRAWS))}"
    assert set(DRAWS) <= used, f"registered but never drawn: {sorted(set(DRAWS) - used)}"


def test_the_third_follow_up_no_longer_reuses_the_reply_posts_key():
    """The listening delay once had the salt 2 + follow-ups: 5 at the third follow-up, which was
    also the salt of the reply post's key, so that draw and that key were the same number."""
    draws = CaseDraws(derive(1, 2))
    case = Case(0, author=5, post=9, tick=0, severity=0.5, followers=1, influence=1, key=1234)
    reply = draws.key(case, "post.reply")
    delays = {draws.key(case, "listening.delay", n) for n in range(100)}
    assert reply not in delays and len(delays) == 100
    others = {draws.key(case, name) for name in DRAWS}
    assert not delays & others and len(others) == len(DRAWS)
    base = draws.case_key(case)
    old_delay, old_reply = keyed_uniform_one(base, 2 + 3), derive(base, 5)
    assert old_delay == (old_reply >> 11) / 2**53  # the collision that was fixed


def test_hand_offs_have_their_own_keys_for_any_number_of_them():
    draws = CaseDraws(3)
    case = Case(0, author=5, post=9, tick=0, severity=0.5, followers=1, influence=1, key=99)
    loss = {draws.key(case, "handoff.loss", n) for n in range(1, 50)}
    delay = {draws.key(case, "handoff.delay", n) for n in range(1, 50)}
    assert len(loss | delay) == 98


def test_vectorised_keys_are_the_scalar_keys():
    from sim.engine.rng import derive, derive_array

    ids = np.array([0, 1, 7, -3, 2**62, 123_456_789], dtype=np.int64)
    big = np.array([2**64 - 1, 2**63, 5], dtype=np.uint64)
    for prefix in [(7,), (2**64 - 3, 11), (1, 2, 3)]:
        for arr in (ids, big):
            # the array last, first and in the middle
            assert [int(k) for k in derive_array(*prefix, arr)] == [derive(*prefix, int(i)) for i in arr]
            assert [int(k) for k in derive_array(arr, *prefix)] == [derive(int(i), *prefix) for i in arr]
            assert [int(k) for k in derive_array(5, arr, *prefix)] == [
                derive(5, int(i), *prefix) for i in arr]


def test_draws_made_ahead_in_arrays_are_the_draws_made_one_by_one():
    from sim.service.draws import AHEAD

    def cases():
        return [Case(i, author=-1, post=i, tick=0, severity=0.3, followers=1, influence=1,
                     key=derive(77, i), unseen=True) for i in range(50)]

    one_by_one, ahead = CaseDraws(2**63 + 11), CaseDraws(2**63 + 11)
    plain, early = cases(), cases()
    ahead.draw_ahead(early)
    assert all(c.drawn is not None for c in early)
    for a, b in zip(plain, early, strict=True):
        for name, parts in AHEAD:
            assert one_by_one.uniform(a, name, *parts) == ahead.uniform(b, name, *parts)
        # draws not made ahead are still made from the key
        assert one_by_one.uniform(a, "listening.delay", 1) == ahead.uniform(b, "listening.delay", 1)
