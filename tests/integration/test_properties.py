"""Property-based tests (hypothesis, fixed budget, derandomised so CI is stable).

Valid side: random valid configs and small random graphs keep the model's invariants, and a
strategy with nobody to answer equals `ignore` exactly under common random numbers.
Invalid side: random invalid configs are all refused, with a message naming the key; most through
the library (`RunConfig.from_dict`), some through the command-line checks (`run_app`) with exit 2.
"""

from __future__ import annotations

import copy
import io
import math
import string
import typing
from contextlib import redirect_stderr
from dataclasses import fields, is_dataclass
from datetime import datetime

import numpy as np
import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from experiments.common import run_app
from sim.config.schema import (
    NETWORK_KINDS, ORGANISATIONS, REPLY_MODES, ROLES, TRIAGE_ORDERS, ConfigError, RunConfig,
)
from sim.outputs.metrics import compute_metrics, event_log, hourly_timeseries
from sim.engine.model import SocialCareModel, build_environment
from sim.network import EDGELIST_FORMATS
from sim.engine.runner import as_run_config
from sim.service.shifts import parse_shift
from sim.config.fields import infos
from sim.config.sections import all_subsections
from tests.conftest import ROOT, make_config

BUDGET = dict(derandomize=True, database=None, deadline=None, print_blob=True,
              phases=[Phase.explicit, Phase.generate],  # no shrinking: a failure is reported as drawn
              suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much,
                                     HealthCheck.data_too_large])
STRATEGIES = sorted(p.stem for p in (ROOT / "conf" / "strategy").glob("*.yaml"))
SCENARIOS = sorted(p.stem for p in (ROOT / "conf" / "scenario").glob("*.yaml"))
COST_PARTS = ("cost_staff", "cost_contacts", "cost_compensation", "cost_delight", "cost_listening")
REPLY_KINDS = {"brand_reply", "peer_answer", "bot_reply"}
SHIFTS = ["24/7", "mon-fri 09:00-17:00", "daily 08:00-20:00", "sat,sun 10:00-14:00", "never",
          "mon-fri 22:00-06:00"]
# What "equals ignore" leaves out: the desk's own record that listening found complaints nobody
# could answer (backlog, `detected` events) and echoes of knobs that never acted.
LISTENING_ONLY_METRICS = {"backlog_peak", "backlog_peak_scaled", "kb_resolution_final"}
LISTENING_ONLY_EVENTS = {"detected"}


def simulate(cfg: RunConfig, env=None):
    """Step a model to its horizon exactly as `sim.run` does; return it with its outputs."""
    model = SocialCareModel(cfg, env=env)
    while model.running and model.tick < model.n_ticks:
        model.step()
    return model, compute_metrics(model), event_log(model), hourly_timeseries(model)


# ----------------------------------------------------------------------------- valid configs


@st.composite
def strategy_knobs(draw, responders: bool = True) -> dict:
    knobs = {
        "listening_recall": draw(st.floats(0, 1)),
        "listening_latency_min": draw(st.floats(0, 120)),
        "staff": draw(st.integers(0, 6)),
        "shift": draw(st.sampled_from(SHIFTS)),
        "handling_time_min": draw(st.floats(1, 60)),
        "reply_time_min": draw(st.floats(0, 10)),
        "resolution_skill": draw(st.floats(0, 1)),
        "triage": draw(st.sampled_from(TRIAGE_ORDERS)),
        "reply_mode": draw(st.sampled_from(REPLY_MODES)),
        "organisation": draw(st.sampled_from(ORGANISATIONS)),
        "handoff_loss": draw(st.floats(0, 1)),
        "handoff_delay_min": draw(st.floats(0, 300)),
        "phone_uptake": draw(st.floats(0, 1)),
        "web_share": draw(st.floats(0, 1)),
        "compensation": draw(st.sampled_from([0.0, 25.0, 100.0])),
        "knowledge_base": draw(st.booleans()),
        "bot": draw(st.booleans()),
        "community_super_users": draw(st.integers(0, 3)),
        "delight_budget_per_day": draw(st.sampled_from([0.0, 60.0])),
        "statement_threshold_per_hour": draw(st.sampled_from([0.0, 50.0])),
        "hourly_wage": draw(st.floats(0, 80)),
    }
    if not responders:  # nobody answers; the phone line and web self-service stay as in `ignore`
        knobs.update(staff=0, bot=False, community_super_users=0, delight_budget_per_day=0.0,
                     statement_threshold_per_hour=0.0)
        knobs = {k: v for k, v in knobs.items() if not k.startswith(("phone_", "web_"))}
    return knobs


@st.composite
def network_section(draw, size: int) -> dict:
    kind = draw(st.sampled_from(["heavy_tailed", "barabasi_albert", "watts_strogatz"]))
    if kind == "heavy_tailed":
        return {"kind": kind, "mean_followers": draw(st.floats(1.0, min(40.0, size / 8))),
                "max_followers": draw(st.integers(size // 4, 20_000)), "exponent": draw(st.floats(1.8, 3.0))}
    if kind == "barabasi_albert":
        return {"kind": kind, "m": draw(st.integers(1, 4))}
    return {"kind": kind, "k": draw(st.sampled_from([2, 4, 6, 8])), "p": draw(st.floats(0, 1))}


@st.composite
def valid_config(draw, responders: bool = True) -> dict:
    size = draw(st.integers(300, 3000))
    horizon = draw(st.sampled_from([3.0, 6.0, 12.0]))
    cfg = make_config(scenario=draw(st.sampled_from(SCENARIOS)), strategy=draw(st.sampled_from(STRATEGIES)),
                      size=size, horizon_h=horizon, seed=draw(st.integers(0, 2**32)))
    for item in cfg["scenario"].get("incidents", []) + cfg["scenario"].get("actions", []):
        item["at_h"] = min(item.get("at_h", 1.0), horizon / 2)
    cfg["scenario"]["tick_min"] = draw(st.sampled_from([1.0, 2.0, 5.0]))
    cfg["scenario"]["start"] = draw(st.sampled_from(["2009-02-09T08:00", "2013-06-15T22:30", "2020-01-03T03:00"]))
    cfg["strategy"].update(draw(strategy_knobs(responders)))
    cfg["network"] = draw(network_section(size))
    cfg["diffusion"] = {"attention": draw(st.floats(0.05, 1)), "reshare_base": draw(st.floats(0, 0.05)),
                        "negative_appeal": draw(st.floats(0, 5))}
    cfg["opinion"] = {"rate": draw(st.floats(0, 0.5)), "negativity_bias": draw(st.floats(0, 5)),
                      "incident_hit": draw(st.floats(0, 3)), "recovery_gain": draw(st.floats(0, 3))}
    return cfg


def check_invariants(cfg: RunConfig, model, m: dict, ev, ts) -> None:
    s = model.opinion.s
    assert np.isfinite(s).all() and s.min() >= -1.0 and s.max() <= 1.0
    assert ts["sentiment_mean"].between(-1, 1).all()
    n = model.graph.n_nodes
    assert m["network_nodes"] == n
    for v in ("negative", "positive"):
        assert 0 <= m[f"reach_{v}"] <= n
        assert m[f"reach_{v}"] <= m[f"impressions_{v}"]
    costs = {k: m[k] for k in COST_PARTS + ("cost_total",)}
    assert all(v >= 0 for v in costs.values()), costs
    assert all(not v < 0 for k, v in m.items() if k.startswith("cost_")), m  # per-contact costs may be nan
    parts = sum(m[k] for k in COST_PARTS)
    assert m["cost_total"] == pytest.approx(parts, rel=1e-9, abs=1e-9)
    st_ = cfg.strategy
    scripted = bool(cfg.scenario.actions) and st_.name == cfg.scenario.strategy  # sim.scenario.scripted answers
    nobody_works = ((st_.staff == 0 or parse_shift(st_.shift).hours_per_week == 0) and not st_.bot
                    and st_.community_super_users == 0 and st_.delight_budget_per_day == 0 and not scripted)
    if nobody_works:  # only contacts customers make themselves (phone, web) may cost money
        assert m["cost_staff"] == m["cost_delight"] == 0, costs
        # the call centre and the web site still resolve cases, and a resolution is compensated
        direct = m["phone_calls"] + m["web_contacts"]
        assert m["cost_compensation"] <= direct * st_.compensation + 1e-9, costs
        channels = m["phone_calls"] * st_.phone_cost + m["web_contacts"] * st_.web_cost
        assert m["cost_contacts"] == pytest.approx(channels, abs=1e-9), costs
        if m["phone_calls"] == m["web_contacts"] == 0:
            assert m["cost_total"] == 0, costs
    horizon_min = cfg.scenario.horizon_h * 60.0
    assert ev["t_min"].min() >= 0 if len(ev) else True
    assert (ev["t_min"] < horizon_min).all(), ev["t_min"].max()
    posts = ev[ev["post_id"] >= 0].set_index("post_id")
    replies = posts[posts["kind"].isin(REPLY_KINDS)]
    if len(replies):
        parents = posts.loc[replies["parent_id"]]
        assert (parents["t_min"].to_numpy() <= replies["t_min"].to_numpy()).all()
        assert parents["kind"].isin({"complaint", "followup", "reshare"}).all(), set(parents["kind"])
    linked = posts[posts["parent_id"] >= 0]
    assert (posts.loc[linked["parent_id"], "t_min"].to_numpy() <= linked["t_min"].to_numpy()).all()


@settings(max_examples=30, **BUDGET)
@given(data=valid_config())
def test_random_valid_configs_keep_the_invariants(data):
    cfg = as_run_config(data)
    check_invariants(cfg, *simulate(cfg))


@st.composite
def small_graph(draw) -> tuple[int, list[tuple[int, int]]]:
    n = draw(st.integers(6, 60))
    ids = st.integers(0, n - 1)
    edges = draw(st.lists(st.tuples(ids, ids), min_size=n, max_size=6 * n))
    edges += [(i, (i + 1) % n) for i in range(n)]  # every id appears
    return n, edges


@settings(max_examples=20, **BUDGET)
@given(graph=small_graph(), knobs=strategy_knobs(), seed=st.integers(0, 2**32),
       meaning=st.sampled_from(["follows", "audience"]))
def test_random_small_graphs_keep_the_invariants(tmp_path_factory, graph, knobs, seed, meaning):
    n, edges = graph
    path = tmp_path_factory.mktemp("graph") / "edges.txt"
    path.write_text("".join(f"{a} {b}\n" for a, b in edges))
    data = make_config(size=5000, horizon_h=6.0, seed=seed, network={"kind": "edgelist", "path": str(path),
                                                                     "edge_meaning": meaning})
    data["strategy"].update(knobs)
    cfg = as_run_config(data)
    model, m, ev, ts = simulate(cfg)
    check_invariants(cfg, model, m, ev, ts)
    report = model.env.load_report
    assert report.records == len(edges)
    assert report.self_loops_dropped == sum(a == b for a, b in edges)
    distinct = {(a, b) for a, b in edges if a != b}
    assert report.duplicates_dropped == len(edges) - report.self_loops_dropped - len(distinct)
    assert m["network_nodes"] == n and m["edgelist_duplicates_dropped"] == report.duplicates_dropped


@settings(max_examples=15, **BUDGET)
@given(data=valid_config(responders=False))
def test_nobody_to_answer_equals_ignore_under_common_random_numbers(data):
    """Zero staff, no bot, no community, no delight, no statement: whatever the other knobs say,
    customers see exactly what they see under `ignore` (same posts, reach, sentiment, churn, cost).
    """
    data["strategy"] = {k: v for k, v in data["strategy"].items() if not k.startswith(("phone_", "web_"))}
    data["scenario"] = {**data["scenario"], "actions": []}  # a scenario's scripted answers are work
    ignore = make_config(strategy="ignore")["strategy"]
    # The phone line answers its direct callers under every strategy and pays the strategy's
    # compensation when it resolves one: that knob is the phone line's too, so it stays ignore's.
    data["strategy"]["compensation"] = ignore.get("compensation", 0.0)
    cfg = as_run_config(data)
    base = as_run_config({**data, "strategy": ignore})
    env = build_environment(base)
    _, ma, eva, tsa = simulate(base, env)
    _, mb, evb, tsb = simulate(cfg, env)
    same = [k for k in ma if k not in LISTENING_ONLY_METRICS]
    assert set(ma) == set(mb)
    diff = {k: (ma[k], mb[k]) for k in same if not (ma[k] == mb[k] or (math.isnan(ma[k]) and math.isnan(mb[k])))}
    assert not diff
    keep_a = eva[~eva["kind"].isin(LISTENING_ONLY_EVENTS)].reset_index(drop=True)
    keep_b = evb[~evb["kind"].isin(LISTENING_ONLY_EVENTS)].reset_index(drop=True)
    assert keep_a.equals(keep_b)
    cols = [c for c in tsa.columns if c != "backlog"]
    assert tsa[cols].equals(tsb[cols])
    assert mb["cost_staff"] == 0 and mb["responded_share"] == 0


# ----------------------------------------------------------------------------- invalid configs

CHOICES = {
    "strategy.triage": TRIAGE_ORDERS, "strategy.reply_mode": REPLY_MODES,
    "strategy.organisation": ORGANISATIONS, "network.kind": NETWORK_KINDS,
    "network.edge_meaning": ("follows", "audience"), "network.format": EDGELIST_FORMATS,
    "scenario.accounts.0.role": ROLES,
}
NAMES = {"scenario.name", "strategy.name", "scenario.brand.name"}
# Free text, names another check covers, and preset names only the command line checks.
FREE_TEXT = {"description", "source", "sources", "path", "metric", "key", "strategy", "counterfactual",
             "absolute", "name"}
BOOL_WORDS = {"true", "false", "yes", "no", "on", "off", "1", "0", "y", "n"}
_KIND_OF = {i.name: i.kind for _, cls, _ in all_subsections() for i in infos(cls)}  # by bare name
PROBABILITY_FIELDS = {name for name, kind in _KIND_OF.items() if kind == "probability"}
POSITIVE_FIELDS = {name for name, kind in _KIND_OF.items() if kind == "positive"}
SIGNED_FIELDS = {name for name, kind in _KIND_OF.items() if kind == "signed"}  # any finite number
SIGNED_RANGES = {"sentiment": (-1, 1), "sentiment_mean": (-1, 1), "churn_threshold": (-0.999, 0.999),
                 "valence": (-1, 1)}
TEXT = st.text(alphabet=string.ascii_letters + string.digits + " -_:.", min_size=1, max_size=20)


def _leaves(cls, prefix: str = "") -> list[tuple[str, str, object]]:
    hints = typing.get_type_hints(cls)
    out = []
    for f in fields(cls):
        tp, path = hints[f.name], f"{prefix}{f.name}"
        if is_dataclass(tp):
            out += _leaves(tp, path + ".")
        elif typing.get_origin(tp) is list and is_dataclass(typing.get_args(tp)[0]):
            if f.name in ("accounts", "incidents"):
                out += _leaves(typing.get_args(tp)[0], f"{path}.0.")
        else:
            out.append((path, f.name, tp))
    return out


LEAVES = [leaf for leaf in _leaves(RunConfig) if leaf[1] not in FREE_TEXT or leaf[0] in NAMES]
SECTIONS = {"scenario": "ScenarioConfig", "strategy": "StrategyConfig", "network": "NetworkConfig",
            "population": "PopulationConfig", "diffusion": "DiffusionConfig", "opinion": "OpinionConfig"}


def _bad_shift(text: str) -> bool:
    try:
        parse_shift(text)
    except ConfigError:
        return True
    return False


def _bad_iso(text: str) -> bool:
    try:
        datetime.fromisoformat(text)
    except ValueError:
        return True
    return False


def _bad_number(name: str, integer: bool) -> st.SearchStrategy:
    if name in PROBABILITY_FIELDS:
        rng = st.floats(1.0001, 1e6) | st.floats(-1e6, -1e-6)
    elif name in POSITIVE_FIELDS or name == "seed":
        rng = st.floats(-1e6, 0.0) if not integer else st.integers(-10**6, 0)
        if name == "seed":
            rng = st.integers(-10**9, -1) | st.integers(2**63, 2**64)
    elif name in SIGNED_RANGES:
        lo, hi = SIGNED_RANGES[name]
        rng = st.floats(hi + 1e-3, 1e3) | st.floats(-1e3, lo - 1e-3)
        if name == "valence":
            rng = st.sampled_from([0, 2, -2, 5])
    elif name in SIGNED_FIELDS:
        rng = st.nothing()  # every finite number is valid: only NaN, infinities and text are not
    else:
        rng = st.floats(-1e6, -1e-6) if not integer else st.integers(-10**6, -1)
    special = st.sampled_from([math.nan, math.inf, -math.inf]) if not integer else st.nothing()
    wrong_type = TEXT.filter(lambda t: not _number_like(t)) | (st.floats(0.1, 0.9).map(lambda x: x + 3) if integer else st.nothing())
    return rng | special | wrong_type


def _number_like(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return text.strip().lower() in BOOL_WORDS
    return True


@st.composite
def invalid_input(draw) -> tuple[str, object, str]:
    """(dotted key, bad value, key the message must name)."""
    kind = draw(st.sampled_from(["leaf"] * 8 + ["unknown_key", "role_table", "complainers"]))
    if kind == "unknown_key":
        section = draw(st.sampled_from(sorted(SECTIONS)))
        known = {p.split(".")[1] for p, _, _ in _leaves(RunConfig) if p.startswith(section + ".")}
        name = draw(st.from_regex(r"[a-z][a-z_]{2,12}", fullmatch=True).filter(lambda x: x not in known))
        return f"{section}.{name}", 1, f"{section}.{name}"
    if kind == "role_table":
        table = draw(st.sampled_from(["diffusion.role_reshare", "diffusion.role_post", "diffusion.role_delay",
                                      "opinion.role_trust"]))
        if draw(st.booleans()):
            role = draw(st.sampled_from(ROLES))
            return f"{table}.{role}", draw(st.floats(-1e3, -1e-3)), f"{table}.{role}"
        role = draw(st.from_regex(r"[a-z]{3,10}", fullmatch=True).filter(lambda x: x not in ROLES))
        return f"{table}.{role}", 1.0, table
    if kind == "complainers":
        who = draw(st.from_regex(r"[a-z]{3,10}", fullmatch=True).filter(lambda x: x not in ("ryan_sarver", "bt")))
        return "scenario.incidents.0.complainers", [who], "scenario.incidents[0].complainers"
    path, name, tp = draw(st.sampled_from(LEAVES))
    if path in CHOICES:
        value = draw(TEXT.filter(lambda t: t not in CHOICES[path]))
    elif path == "strategy.shift":
        value = draw(TEXT.filter(_bad_shift))
    elif path == "scenario.start":
        value = draw(TEXT.filter(_bad_iso))
    elif path in NAMES:
        value = draw(TEXT.map(lambda t: t + "/x"))
    elif tp is bool:
        value = draw(TEXT.filter(lambda t: t.strip().lower() not in BOOL_WORDS and not _number_like(t)))
    elif tp in (int, float):
        value = draw(_bad_number(name, tp is int))
    else:
        value = draw(TEXT)  # a plain string where a list was expected
    return path, value, path.replace(".0.", "[0].")


def _names_key(text: str, key: str) -> bool:
    return key in text or key.replace("[0].", ".0.") in text


def _set(data: dict, path: str, value) -> dict:
    node = data
    parts = path.split(".")
    for part in parts[:-1]:
        node = node[int(part)] if isinstance(node, list) else node.setdefault(part, {})
    node[parts[-1]] = value
    return data


TRIED = {"library": 0, "command line": 0}
BASE = make_config(size=5000, horizon_h=6)


@settings(max_examples=200, **BUDGET)
@given(bad=invalid_input())
def test_random_invalid_configs_are_refused_naming_the_key(bad):
    path, value, key = bad
    data = _set(copy.deepcopy(BASE), path, value)
    with pytest.raises(ConfigError) as info:
        RunConfig.from_dict(data)
    TRIED["library"] += 1
    assert _names_key(str(info.value), key), (key, str(info.value))


def _override_value(value) -> str:
    if isinstance(value, list):
        return "[" + ",".join(_override_value(v) for v in value) + "]"
    if isinstance(value, str):
        return "'" + value + "'"
    if isinstance(value, float) and not math.isfinite(value):
        return "nan" if math.isnan(value) else ("inf" if value > 0 else "-inf")
    return repr(value)


def refused_on_command_line(bad: tuple[str, object, str]) -> None:
    path, value, key = bad
    argv = ["population.size=5000", "scenario.horizon_h=6", f"{path}={_override_value(value)}"]
    err = io.StringIO()
    with redirect_stderr(err), pytest.raises(SystemExit) as info:
        run_app(lambda: pytest.fail(f"ran with {argv}"), argv=argv)
    text = err.getvalue()
    TRIED["command line"] += 1
    assert info.value.code == 2, text
    assert text.startswith("error: ") and text.count("\n") == 1 and "Traceback" not in text
    assert _names_key(text, key), (key, text)


@settings(max_examples=25, **BUDGET)
@given(bad=invalid_input())
def test_random_invalid_command_lines_exit_2_naming_the_key(bad):
    refused_on_command_line(bad)


@pytest.mark.slow
@settings(max_examples=250, **BUDGET)
@given(bad=invalid_input())
def test_many_more_invalid_command_lines_exit_2_naming_the_key(bad):
    refused_on_command_line(bad)


@pytest.mark.slow
@settings(max_examples=150, **BUDGET)
@given(data=valid_config())
def test_many_more_valid_configs_keep_the_invariants(data):
    cfg = as_run_config(data)
    check_invariants(cfg, *simulate(cfg))


def test_count_of_invalid_inputs_tried():
    """Runs last in this module: reports how many random invalid inputs were refused."""
    total = sum(TRIED.values())
    print(f"\ninvalid inputs refused with a message naming the key: {TRIED} (total {total})")
    if total:
        assert TRIED["library"] >= 150 and TRIED["command line"] >= 20
