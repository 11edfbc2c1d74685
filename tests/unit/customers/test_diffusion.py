"""Diffusion on tiny hand-made graphs whose answers are known."""

from __future__ import annotations

import numpy as np
import pytest

from sim.config.schema import DiffusionConfig
from sim.customers.diffusion import KIND, TOPIC_INCIDENT, Diffusion
from sim.network import FollowerGraph
from sim.customers.population import Population


def make_pop(n: int, activity: float = 1.0, role: int = 0) -> Population:
    return Population(
        sentiment0=np.zeros(n), activity=np.full(n, activity), post_propensity=np.ones(n),
        susceptibility=np.full(n, 0.5), is_customer=np.ones(n, dtype=bool),
        role=np.full(n, role, dtype=np.int8), influence=np.ones(n, dtype=np.int16),
        followers=np.zeros(n, dtype=np.int64),
    )


def graph_from(n: int, edges: list[tuple[int, int]]) -> FollowerGraph:
    src = np.array([e[0] for e in edges], dtype=np.int64)
    dst = np.array([e[1] for e in edges], dtype=np.int64)
    return FollowerGraph.from_edges(src, dst, n)


def run_ticks(d: Diffusion, n_ticks: int, reshare: bool = True) -> None:
    for t in range(n_ticks + 1):
        for person, pid in d.process(t):
            if reshare:
                d.reshare(t, person, pid)


def make_diffusion(graph, pop, n_ticks=3000, **cfg) -> Diffusion:
    base = dict(attention=1.0, reshare_base=0.0, max_age_h=1000.0)
    base.update(cfg)
    return Diffusion(graph, pop, DiffusionConfig(**base), np.zeros(pop.size), 12345, n_ticks, 1.0)


def test_star_everyone_sees_once_when_attention_is_full():
    n = 12
    g = graph_from(n, [(1, v) for v in range(2, n)])  # node 1 has followers 2..11
    d = make_diffusion(g, make_pop(n))
    pid = d.post(0, 1, "complaint", -1, topic=TOPIC_INCIDENT)
    run_ticks(d, 3000)
    assert d.posts.impressions[pid] == 10
    assert d.posts.reached[pid] == 10
    assert d.seen[-1].sum() == 10 and not d.seen[-1][:2].any()
    assert d.reach_incident == 10
    assert d.impressions_tick[-1].sum() == 10 and d.impressions_tick[1].sum() == 0


def test_exposure_probability_is_attention_times_activity():
    n = 20_002
    g = graph_from(n, [(1, v) for v in range(2, n)])
    d = make_diffusion(g, make_pop(n, activity=0.5), attention=0.6)
    d.post(0, 1, "praise", 1)
    run_ticks(d, 3000)
    share = d.seen[1].sum() / 20_000
    assert share == pytest.approx(0.3, abs=0.015)


def test_half_of_views_within_the_first_hour():
    n = 20_002
    g = graph_from(n, [(1, v) for v in range(2, n)])
    d = make_diffusion(g, make_pop(n), n_ticks=10**6, max_age_h=10**5, view_delay_median_min=60.0,
                       view_delay_sigma=1.4)
    d.post(0, 1, "praise", 1)
    total = sum(c[1].size for lst in d.calendar.values() for c in lst)
    within = sum(c[1].size for t, lst in d.calendar.items() if t <= 60 for c in lst)
    assert total == 20_000
    assert within / total == pytest.approx(0.5, abs=0.03)


def test_old_posts_are_no_longer_seen():
    n = 5002
    g = graph_from(n, [(1, v) for v in range(2, n)])
    d = make_diffusion(g, make_pop(n), max_age_h=1.0, view_delay_median_min=60.0)
    d.post(0, 1, "praise", 1)
    assert max(d.calendar) <= 60
    assert 0.4 < sum(c[1].size for lst in d.calendar.values() for c in lst) / 5000 < 0.6


def test_path_cascade_reaches_downstream_when_everyone_reshares():
    # 1 -> 2 -> 3 -> 4 -> 5 (each follows the previous); certain reshare
    n = 6
    g = graph_from(n, [(1, 2), (2, 3), (3, 4), (4, 5)])
    d = make_diffusion(g, make_pop(n), reshare_base=1.0, negative_appeal=1.0)
    root = d.post(0, 1, "complaint", -1)
    run_ticks(d, 3000)
    kinds = d.posts.column("kind")
    assert (kinds == KIND["reshare"]).sum() == 4
    assert d.seen[-1][2:6].all() and d.seen[-1].sum() == 4
    assert (d.posts.column("cascade") == root).all()
    # a reshare's parent is the post it shares
    assert list(d.posts.column("parent")) == [-1, 0, 1, 2, 3]


def test_each_person_reshares_a_cascade_at_most_once():
    # 1 and 2 both reach 3; 3 would reshare whatever it sees
    n = 5
    g = graph_from(n, [(1, 2), (1, 3), (2, 3), (3, 4)])
    d = make_diffusion(g, make_pop(n), reshare_base=1.0, negative_appeal=1.0)
    d.post(0, 1, "complaint", -1)
    run_ticks(d, 3000)
    authors = d.posts.column("author")
    assert np.bincount(authors, minlength=n)[3] == 1
    assert d.impressions_tick[-1].sum() == d.posts.column("impressions").sum()


def test_reached_per_post_adds_up_to_reach_by_valence():
    rng = np.random.default_rng(3)
    n = 3000
    src = rng.integers(0, n, 30_000)
    dst = rng.integers(0, n, 30_000)
    g = FollowerGraph.from_edges(src, dst, n)
    pop = make_pop(n, activity=0.5)
    d = make_diffusion(g, pop, attention=0.8, reshare_base=0.05)
    for i, author in enumerate(rng.integers(0, n, 40)):
        d.post(i, int(author), "complaint" if i % 2 else "praise", -1 if i % 2 else 1)
    run_ticks(d, 3000)
    val = d.posts.column("valence")
    reached = d.posts.column("reached")
    for v in (-1, 1):
        assert reached[val == v].sum() == d.seen[v].sum()
        assert d.seen[v].sum() <= d.impressions_tick[v].sum()


def test_keyed_draws_make_exposures_independent_of_history():
    n = 2002
    g = graph_from(n, [(1, v) for v in range(2, n)] + [(2, v) for v in range(3, 500)])
    pop = make_pop(n, activity=0.4)
    a = make_diffusion(g, pop, attention=0.7)
    b = make_diffusion(g, pop, attention=0.7)
    b.post(0, 2, "praise", 1)  # an extra post first must not change what follows
    pa = a.post(5, 1, "complaint", -1, key=99)
    pb = b.post(5, 1, "complaint", -1, key=99)
    va = sorted(np.concatenate([c[1] for lst in a.calendar.values() for c in lst if c[0] == pa]).tolist())
    vb = sorted(np.concatenate([c[1] for lst in b.calendar.values() for c in lst if c[0] == pb]).tolist())
    assert va == vb and len(va) > 100


def test_answered_appeal_damps_reshares():
    rng = np.random.default_rng(0)
    n = 20_000
    g = FollowerGraph.from_edges(rng.integers(0, n, 400_000), rng.integers(0, n, 400_000), n)
    counts = []
    for damp in (1.0, 0.2):
        d = make_diffusion(g, make_pop(n, activity=0.5), attention=0.8, reshare_base=0.05)
        for author in range(1, 31):  # many cascades: one alone may well die unshared
            d.set_appeal(d.post(0, author, "complaint", -1, key=7 + author), damp)
        run_ticks(d, 2000)
        counts.append((d.posts.column("kind") == KIND["reshare"]).sum())
    assert counts[1] < 0.5 * counts[0]
