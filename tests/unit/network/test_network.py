"""Tests of sim.network: generators, named accounts and edge-list loading."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sim.network import (
    MAX_NODE_ID,
    FollowerGraph,
    NetworkError,
    assign_followers,
    barabasi_albert,
    build_network,
    heavy_tailed,
    load_edgelist,
    load_edgelist_with_report,
    watts_strogatz,
)


def edge_set(g: FollowerGraph) -> set[tuple[int, int]]:
    src, dst = g.edges()
    return set(zip(src.tolist(), dst.tolist()))


def assert_simple(g: FollowerGraph) -> None:
    """No self loops, no duplicate edges, rows sorted, ids in range (checked with numpy)."""
    src, dst = g.edges()
    assert not np.any(src == dst)
    assert dst.min(initial=0) >= 0 and dst.max(initial=0) < g.n_nodes
    key = src.astype(np.int64) * g.n_nodes + dst
    assert np.all(np.diff(key) > 0)  # strictly increasing => sorted rows and no duplicates


# ---------------------------------------------------------------- heavy_tailed


@pytest.fixture(scope="module")
def big_heavy() -> FollowerGraph:
    return heavy_tailed(200_000, 30.0, 50_000, 2.3, np.random.default_rng(42))


def test_heavy_tailed_tail_exponent_mean_and_cap(big_heavy: FollowerGraph) -> None:
    counts = big_heavy.follower_counts()
    assert counts.dtype == np.int64 and counts.size == 200_000
    assert abs(counts.mean() - 30.0) / 30.0 < 0.10
    assert counts.max() <= 50_000
    # continuous MLE (Hill) on the tail; floor(X) >= xmin <=> X >= xmin, X ~ count + 0.5
    xmin = 50
    tail = counts[counts >= xmin] + 0.5
    assert tail.size > 1000
    alpha = 1.0 + tail.size / np.log(tail / xmin).sum()
    assert abs(alpha - 2.3) < 0.25
    # heavy tail: the largest audience dwarfs the mean
    assert counts.max() > 50 * counts.mean()


def test_heavy_tailed_no_self_loops_or_duplicates(big_heavy: FollowerGraph) -> None:
    assert_simple(big_heavy)
    big_heavy.validate()
    assert big_heavy.indptr.dtype == np.int64 and big_heavy.indices.dtype == np.int32
    assert big_heavy.n_edges == int(big_heavy.follower_counts().sum())
    assert big_heavy.following_counts().sum() == big_heavy.n_edges


def test_heavy_tailed_followers_are_uniform(big_heavy: FollowerGraph) -> None:
    # in-degree of a uniform choice is ~Poisson(mean): no node is followed wildly often
    following = big_heavy.following_counts()
    assert abs(following.mean() - big_heavy.n_edges / big_heavy.n_nodes) < 1e-9
    assert following.std() < 2 * np.sqrt(following.mean()) + 1


def test_heavy_tailed_reproducible_from_seed() -> None:
    a = heavy_tailed(20_000, 20.0, 5_000, 2.3, np.random.default_rng(7))
    b = heavy_tailed(20_000, 20.0, 5_000, 2.3, np.random.default_rng(7))
    c = heavy_tailed(20_000, 20.0, 5_000, 2.3, np.random.default_rng(8))
    assert np.array_equal(a.indptr, b.indptr) and np.array_equal(a.indices, b.indices)
    assert not (np.array_equal(a.indptr, c.indptr) and np.array_equal(a.indices, c.indices))


@pytest.mark.parametrize("n,mean", [(2, 0.5), (3, 1.5), (40, 30.0), (300, 100.0)])
def test_heavy_tailed_small_and_dense(n: int, mean: float) -> None:
    g = heavy_tailed(n, mean, 10_000, 2.3, np.random.default_rng(n))
    assert g.n_nodes == n
    assert g.follower_counts().max() <= n - 1
    assert_simple(g)


def test_heavy_tailed_cap_is_respected() -> None:
    g = heavy_tailed(50_000, 10.0, 200, 2.3, np.random.default_rng(3))
    assert g.follower_counts().max() <= 200
    assert abs(g.follower_counts().mean() - 10.0) < 1.0


@pytest.mark.parametrize(
    "kwargs,needle",
    [
        (dict(n=1), "at least 2"),
        (dict(mean_followers=0.0), "mean_followers"),
        (dict(mean_followers=float("nan")), "finite"),
        (dict(exponent=1.0), "exponent"),
        (dict(max_followers=0), "max_followers"),
        (dict(n=10, mean_followers=9.5), "cannot be reached"),
    ],
)
def test_heavy_tailed_range_errors(kwargs: dict, needle: str) -> None:
    args = dict(n=1000, mean_followers=30.0, max_followers=500, exponent=2.3)
    args.update(kwargs)
    with pytest.raises(NetworkError, match=needle):
        heavy_tailed(rng=np.random.default_rng(0), **args)


# ---------------------------------------------------------------- named accounts


def test_assign_followers_exact_counts_and_other_rows_unchanged() -> None:
    g = heavy_tailed(5_000, 15.0, 1_000, 2.3, np.random.default_rng(1))
    counts = [4_999, 2_600, 100, 0, 3]
    h = assign_followers(g, counts, np.random.default_rng(2))
    assert h.follower_counts()[:5].tolist() == counts
    assert_simple(h)
    for u in (5, 77, 4_999):
        assert np.array_equal(h.followers(u), g.followers(u))
    assert h.n_edges == g.n_edges - int(g.follower_counts()[:5].sum()) + sum(counts)
    assert set(h.followers(0).tolist()) == set(range(1, 5_000))


def test_assign_followers_rejects_impossible_count() -> None:
    g = heavy_tailed(1_000, 5.0, 100, 2.3, np.random.default_rng(1))
    with pytest.raises(NetworkError) as err:
        assign_followers(g, [10, 1_000], np.random.default_rng(2))
    msg = str(err.value)
    assert "account 1" in msg and "1000 followers" in msg and "population of 1000" in msg
    with pytest.raises(NetworkError, match="named accounts"):
        assign_followers(g, [1] * 1_001, np.random.default_rng(2))


@settings(max_examples=40, deadline=None)
@given(
    n=st.integers(2, 60),
    data=st.data(),
    seed=st.integers(0, 2**32 - 1),
)
def test_assign_followers_property(n: int, data: st.DataObject, seed: int) -> None:
    counts = data.draw(st.lists(st.integers(0, n - 1), min_size=1, max_size=n))
    if n >= 5:
        g = watts_strogatz(n, 2, 0.3, np.random.default_rng(seed))
    else:
        g = FollowerGraph(np.zeros(n + 1, np.int64), np.zeros(0, np.int32))
    h = assign_followers(g, counts, np.random.default_rng(seed))
    assert h.follower_counts()[: len(counts)].tolist() == counts
    assert_simple(h)


# ---------------------------------------------------------------- teaching networks


def test_barabasi_albert_reciprocal_and_edge_count() -> None:
    n, m = 2_000, 3
    g = barabasi_albert(n, m, np.random.default_rng(5))
    assert g.n_nodes == n and g.n_edges == 2 * m * (n - m)
    edges = edge_set(g)
    assert edges == {(v, u) for u, v in edges}
    assert_simple(g)
    assert np.array_equal(g.follower_counts(), g.following_counts())


def test_watts_strogatz_reciprocal_and_edge_count() -> None:
    n, k = 1_000, 10
    g = watts_strogatz(n, k, 0.2, np.random.default_rng(5))
    assert g.n_nodes == n and g.n_edges == n * k
    edges = edge_set(g)
    assert edges == {(v, u) for u, v in edges}
    assert_simple(g)
    ring = watts_strogatz(n, k, 0.0, np.random.default_rng(5))
    assert ring.followers(0).tolist() == [1, 2, 3, 4, 5, 995, 996, 997, 998, 999]


def test_teaching_networks_reproducible_and_checked() -> None:
    a = barabasi_albert(300, 2, np.random.default_rng(9))
    b = barabasi_albert(300, 2, np.random.default_rng(9))
    assert np.array_equal(a.indices, b.indices)
    with pytest.raises(NetworkError, match="even"):
        watts_strogatz(100, 5, 0.1, np.random.default_rng(0))
    with pytest.raises(NetworkError, match=r"\[0, 1\]"):
        watts_strogatz(100, 4, 1.5, np.random.default_rng(0))
    with pytest.raises(NetworkError, match="1 <= m < n"):
        barabasi_albert(10, 10, np.random.default_rng(0))


# ---------------------------------------------------------------- loading


def write(tmp_path, name: str, content: str | bytes):
    p = tmp_path / name
    if isinstance(content, bytes):
        p.write_bytes(content)
    else:
        p.write_text(content)
    return p


TEXT = (
    "# SNAP-style comment\n"
    "% another comment\n"
    "\n"
    "100 7\textra 1.5\r\n"
    "  7   42\n"
    "42 100\n"
)


def test_text_follows_convention_and_relabelling(tmp_path) -> None:
    p = write(tmp_path, "g.txt", TEXT)
    g, rep = load_edgelist_with_report(p)
    # ids 7, 42, 100 -> 0, 1, 2; "a b" = a follows b = edge b -> a
    assert rep.original_ids.tolist() == [7, 42, 100]
    assert rep.fmt == "text" and rep.records == 3
    assert edge_set(g) == {(0, 2), (1, 0), (2, 1)}
    assert g.follower_counts().tolist() == [1, 1, 1]
    assert g.followers(0).tolist() == [2]  # 100 follows 7


def test_text_audience_convention(tmp_path) -> None:
    p = write(tmp_path, "g.edges", TEXT)
    g = load_edgelist(p, edge_meaning="audience")
    assert edge_set(g) == {(2, 0), (0, 1), (1, 2)}
    assert g.followers(2).tolist() == [0]  # 7 sees 100's posts


def test_text_without_extension_and_bom(tmp_path) -> None:
    p = write(tmp_path, "graph", b"\xef\xbb\xbf# caf\xc3\xa9\n1 2\n2 3\n")
    g = load_edgelist(p)
    assert g.n_nodes == 3 and edge_set(g) == {(1, 0), (2, 1)}


def test_self_loops_and_duplicates_dropped_and_reported(tmp_path) -> None:
    p = write(tmp_path, "d.tsv", "1\t2\n1\t2\n3\t3\n2\t1\n1\t2\n")
    g, rep = load_edgelist_with_report(p)
    assert rep.records == 5
    assert rep.self_loops_dropped == 1 and rep.duplicates_dropped == 2
    assert g.n_nodes == 3 and edge_set(g) == {(1, 0), (0, 1)}
    assert g.followers(2).size == 0  # id 3 only appeared in a self loop


def test_csv_with_header_in_any_column_order(tmp_path) -> None:
    p = write(tmp_path, "g.csv", "weight,target,source\n0.5,10,20\n\n1.0,20,30\n")
    g = load_edgelist(p)
    # source 20 follows target 10: edge 10 -> 20 => relabelled 0 -> 1
    assert edge_set(g) == {(0, 1), (1, 2)}
    g2 = load_edgelist(p, edge_meaning="audience")
    assert edge_set(g2) == {(1, 0), (2, 1)}


def test_csv_without_header_and_other_header(tmp_path) -> None:
    p = write(tmp_path, "g.csv", '5,6\n"6", 7 ,x\n')
    assert edge_set(load_edgelist(p, edge_meaning="audience")) == {(0, 1), (1, 2)}
    q = write(tmp_path, "h.csv", "from,to\n5,6\n")
    assert edge_set(load_edgelist(q, edge_meaning="audience")) == {(0, 1)}


def test_parquet_source_target_and_first_integer_columns(tmp_path) -> None:
    p = tmp_path / "g.parquet"
    pd.DataFrame({"w": [0.1, 0.2], "target": [3, 4], "source": [4, 9]}).to_parquet(p)
    assert edge_set(load_edgelist(p, edge_meaning="audience")) == {(1, 0), (2, 1)}
    q = tmp_path / "h.parquet"
    pd.DataFrame({"name": ["x", "y"], "a": [1, 2], "b": [2, 3]}).to_parquet(q)
    g, rep = load_edgelist_with_report(q)
    assert rep.fmt == "parquet" and edge_set(g) == {(1, 0), (2, 1)}


def test_parquet_errors(tmp_path) -> None:
    p = tmp_path / "neg.parquet"
    pd.DataFrame({"source": [1, -2], "target": [2, 3]}).to_parquet(p)
    with pytest.raises(NetworkError, match=r"row 2.*negative"):
        load_edgelist(p)
    q = tmp_path / "txt.parquet"
    q.write_text("1 2\n")
    with pytest.raises(NetworkError, match="Parquet"):
        load_edgelist(q)
    r = tmp_path / "one.parquet"
    pd.DataFrame({"a": [1], "b": ["x"]}).to_parquet(r)
    with pytest.raises(NetworkError, match="fewer than two integer columns"):
        load_edgelist(r)


@pytest.mark.parametrize(
    "name,content,line,needle",
    [
        ("a.txt", "# c\n1 2\n3\n", 3, "1 field"),
        ("b.txt", "1 2\n1 x2\n", 2, "not an integer"),
        ("c.txt", "1 2\n\n\n4 -5\n", 4, "negative"),
        ("d.txt", f"1 2\n1 {MAX_NODE_ID + 1}\n", 2, "larger than 2\\*\\*40"),
        ("e.txt", "1 2\n1 2.0\n", 2, "not an integer"),
        ("f.txt", "source target\n1 2\n", 1, "no header"),
        ("g.csv", "source,target\n1,2\n3\n", 3, "1 field"),
        ("h.csv", "1,2\n,3\n", 2, "not an integer"),
        ("i.txt", b"1 2\n# ok\n3 4\n\xff\xfe 5\n", 4, "UTF-8"),
        ("j.txt", b"1 2\n# caf\xe9\n3 4\n", 2, "UTF-8"),
        ("k.csv", b"\x1f\x8b\x08\x00binary", 1, "UTF-8"),
    ],
)
def test_line_errors_name_file_and_line(tmp_path, name, content, line, needle) -> None:
    p = write(tmp_path, name, content)
    with pytest.raises(NetworkError, match=needle) as err:
        load_edgelist(p)
    msg = str(err.value)
    assert name in msg and f"line {line}:" in msg
    assert "\n" not in msg


def test_large_id_limit_is_inclusive(tmp_path) -> None:
    p = write(tmp_path, "big.txt", f"0 {MAX_NODE_ID}\n")
    g, rep = load_edgelist_with_report(p)
    assert rep.original_ids.tolist() == [0, MAX_NODE_ID] and g.n_edges == 1


@pytest.mark.parametrize(
    "name,content,needle",
    [
        ("empty.txt", "", "empty"),
        ("comments.txt", "# only\n\n% comments\n", "no edges"),
        ("header.csv", "source,target\n", "no edges"),
    ],
)
def test_files_without_edges(tmp_path, name, content, needle) -> None:
    p = write(tmp_path, name, content)
    with pytest.raises(NetworkError, match=needle) as err:
        load_edgelist(p)
    assert name in str(err.value)


def test_missing_file_and_bad_options(tmp_path) -> None:
    with pytest.raises(NetworkError, match="does not exist"):
        load_edgelist(tmp_path / "nope.txt")
    p = write(tmp_path, "g.txt", "1 2\n")
    with pytest.raises(NetworkError, match="Unknown edge-list format 'xml'"):
        load_edgelist(p, fmt="xml")
    with pytest.raises(NetworkError, match="edge_meaning"):
        load_edgelist(p, edge_meaning="friends")
    q = write(tmp_path, "g.json", "1 2\n")
    with pytest.raises(NetworkError, match="extension"):
        load_edgelist(q)
    assert load_edgelist(q, fmt="text").n_edges == 1


# ---------------------------------------------------------------- build_network


def test_build_network_dispatch_and_named_accounts(tmp_path) -> None:
    rng = np.random.default_rng(0)
    g = build_network("heavy_tailed", 3_000, rng, mean_followers=10, max_followers=500,
                      named_followers=[2_000, 7])
    assert g.n_nodes == 3_000 and g.follower_counts()[:2].tolist() == [2_000, 7]
    assert build_network("barabasi_albert", 100, rng, m=2).n_edges == 2 * 2 * 98
    assert build_network("watts_strogatz", 100, rng, k=4, p=0.0).n_edges == 400
    p = write(tmp_path, "g.txt", "1 2\n2 3\n3 1\n")
    h = build_network("edgelist", 0, rng, path=p, named_followers=[2])
    assert h.n_nodes == 3 and h.follower_counts()[0] == 2


def test_build_network_errors() -> None:
    rng = np.random.default_rng(0)
    with pytest.raises(NetworkError) as err:
        build_network("scale_free", 100, rng)
    for kind in ("heavy_tailed", "barabasi_albert", "watts_strogatz", "edgelist"):
        assert kind in str(err.value)
    with pytest.raises(NetworkError, match="path"):
        build_network("edgelist", 100, rng)
    with pytest.raises(NetworkError, match="at least 2"):
        build_network("heavy_tailed", 1, rng)
    with pytest.raises(NetworkError, match="exponent"):
        build_network("heavy_tailed", 100, rng, mean_followers=5, exponent=0.5)
    with pytest.raises(NetworkError, match="named account 0|Named account 0"):
        build_network("watts_strogatz", 50, rng, k=4, named_followers=[50])
