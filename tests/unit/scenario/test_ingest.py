"""Reading and measuring a social-listening export, and a run's posts written as one."""

from __future__ import annotations

import pandas as pd
import pytest

from sim import run
from sim.outputs.listening_export import EXPORT_COLUMNS, listening_export
from sim.scenario.ingest_measure import MeasureOptions, measure
from sim.scenario.ingest_read import ExportError, read_export
from sim.scenario.ingest_scenario import ScenarioOptions, check_scenario, nice_ceil, scenario_text


def _write(tmp_path, rows: list[dict], name: str = "x.csv"):
    path = tmp_path / name
    df = pd.DataFrame(rows)
    df.to_parquet(path) if name.endswith(".parquet") else df.to_csv(path, index=False)
    return path


def test_sentiment_scores_map_to_valence_with_the_stated_band(tmp_path):
    rows = [{"timestamp": "2024-01-01T10:00:00Z", "author_id": f"a{i}", "author_followers": 5,
             "sentiment": s, "is_brand": "no"} for i, s in enumerate([-0.9, -0.06, -0.05, 0.0, 0.05, 0.3])]
    posts = read_export(_write(tmp_path, rows))
    assert posts.table["valence"].tolist() == [-1, -1, 0, 0, 0, 1]
    wide = read_export(_write(tmp_path, rows), neutral_band=0.5)
    assert wide.table["valence"].tolist() == [-1, 0, 0, 0, 0, 0]
    rows[0]["sentiment"] = 1.5
    with pytest.raises(ExportError, match=r"line 2, column 'sentiment': '1.5' is not a score in \[-1, 1\]"):
        read_export(_write(tmp_path, rows))


def test_zones_are_converted_to_utc_and_rows_sorted_by_time(tmp_path):
    rows = [{"timestamp": t, "author_id": "a", "author_followers": 1, "valence": "Positive",
             "is_brand": "FALSE"} for t in ("2024-01-01T12:30:00+02:00", "2024-01-01T09:00", "2024-01-01 11:00:00Z")]
    table = read_export(_write(tmp_path, rows)).table
    assert [str(t) for t in table["time"]] == ["2024-01-01 09:00:00", "2024-01-01 10:30:00",
                                               "2024-01-01 11:00:00"]
    assert table["line"].tolist() == [3, 2, 4]  # the lines they came from, for messages


def test_parquet_with_numeric_ids_and_a_brand_given_by_id(tmp_path):
    rows = [{"post_id": 1, "timestamp": pd.Timestamp("2024-01-01 10:00", tz="UTC"), "author_id": 7,
             "author_followers": 10.0, "valence": -1, "in_reply_to": None},
            {"post_id": 2, "timestamp": pd.Timestamp("2024-01-01 10:12", tz="UTC"), "author_id": 99,
             "author_followers": 5000.0, "valence": 0, "in_reply_to": 1}]
    posts = read_export(_write(tmp_path, rows, "x.parquet"), brand_id="99")
    assert posts.table["is_brand"].tolist() == [False, True]
    assert posts.table["in_reply_to"].tolist() == ["", "1"]
    m = measure(posts)
    assert m.reply_minutes == [pytest.approx(12.0)] and m.brand_followers == 5000


def _incident_rows() -> list[dict]:
    """12 quiet hours of chatter, then an angry post at 12:30 shared 40 times, and a follow-up."""
    rows = []
    for h in range(18):
        for j, v in enumerate(["negative", "negative", "positive", "positive", "positive"]):
            rows.append({"post_id": f"c{h}_{j}", "timestamp": f"2024-05-06T{h:02d}:{5 + 10 * j:02d}:00",
                         "author_id": f"u{h}_{j}", "author_followers": 30, "valence": v,
                         "in_reply_to": "", "shared_from": "", "is_brand": False})
    rows.append({"post_id": "big", "timestamp": "2024-05-06T12:30:00", "author_id": "angry",
                 "author_followers": 8000, "valence": "negative", "in_reply_to": "", "shared_from": "",
                 "is_brand": False})
    for k in range(40):
        rows.append({"post_id": f"s{k}", "timestamp": f"2024-05-06T13:{k:02d}:00", "author_id": f"f{k}",
                     "author_followers": 50, "valence": "negative", "in_reply_to": "",
                     "shared_from": "big" if k < 20 else f"s{k - 20}", "is_brand": False})
    rows.append({"post_id": "again", "timestamp": "2024-05-06T15:30:00", "author_id": "angry",
                 "author_followers": 8000, "valence": "negative", "in_reply_to": "big", "shared_from": "",
                 "is_brand": False})
    return rows


def test_the_first_negative_burst_becomes_the_incident_and_quiet_hours_give_the_rates(tmp_path):
    m = measure(read_export(_write(tmp_path, _incident_rows())))
    assert m.start.isoformat() == "2024-05-06T00:00:00" and m.horizon_h == 18
    assert m.burst_hour == 13  # the shares come in hour 13; the post itself at 12:30
    [c] = m.complainers
    assert (c.author, c.followers, c.thread, c.followups) == ("angry", 8000, 41, 1)  # chains resolved
    assert c.first_h == pytest.approx(12.5)
    assert m.quiet_hours == list(range(12))
    # 2 negative and 3 positive posts an hour, divided by the default diurnal rhythm's mean over
    # hours 0-11 (below 1: night and morning), so the rates are above the raw counts
    assert m.chatter[-1] == pytest.approx(2 * 12 / sum(m_ for m_ in _shape(range(12))))
    assert m.chatter[1] / m.chatter[-1] == pytest.approx(1.5) and m.chatter[0] == 0
    assert m.hourly["reshares_negative"].sum() == 40
    assert m.hourly["audience_negative"].sum() == 18 * 2 * 30 + 2 * 8000 + 40 * 50
    quiet = measure(read_export(_write(tmp_path, _incident_rows()[:90])))  # the burst cut off
    assert quiet.complainers == [] and quiet.quiet_hours == list(range(18))


def _shape(hours):
    """The default diurnal rhythm at the given hours of the day."""
    from sim.scenario.schedule import diurnal
    import numpy as np

    return diurnal(np.array(list(hours), dtype=float))


def test_small_threads_in_the_burst_window_are_no_complainers(tmp_path):
    rows = _incident_rows()
    rows.append({"post_id": "small", "timestamp": "2024-05-06T12:40:00", "author_id": "meh",
                 "author_followers": 40, "valence": "negative", "in_reply_to": "", "shared_from": "",
                 "is_brand": False})
    rows += [{"post_id": f"m{k}", "timestamp": "2024-05-06T12:50:00", "author_id": f"g{k}",
              "author_followers": 3, "valence": "negative", "in_reply_to": "", "shared_from": "small",
              "is_brand": False} for k in range(4)]
    m = measure(read_export(_write(tmp_path, rows)), MeasureOptions(accounts=3))
    assert [c.author for c in m.complainers] == ["angry"]  # 4 shares: under a fifth of 41


def test_without_replies_and_shares_the_loudest_voice_in_the_burst_is_the_complainer(tmp_path):
    rows = [{k: v for k, v in r.items() if k not in ("post_id", "in_reply_to", "shared_from")}
            for r in _incident_rows()]
    m = measure(read_export(_write(tmp_path, rows)))
    assert [(c.author, c.thread) for c in m.complainers] == [("angry", 0)]


def test_a_file_of_brand_posts_only_gives_a_scenario_with_nothing_to_fit(tmp_path):
    rows = [{"timestamp": f"2024-01-01T0{h}:00:00", "author_id": "acme", "author_followers": 500,
             "valence": "positive", "is_brand": True} for h in range(3)]
    posts = read_export(_write(tmp_path, rows))
    data = check_scenario(scenario_text(posts, measure(posts), ScenarioOptions(name="quiet")))
    assert data["targets"] == [] and data["free"] == [] and data["brand"]["followers"] == 500


def test_the_scenario_text_validates_and_marks_measured_and_assumed(tmp_path):
    posts = read_export(_write(tmp_path, _incident_rows(), "may.csv"))
    m = measure(posts)
    text = scenario_text(posts, m, ScenarioOptions(name="may", size=10000))
    data = check_scenario(text)
    assert data["reference_population"] == 1_000_000  # 8,000 followers: the default holds
    assert data["accounts"][0]["name"] == "acct_angry" and data["incidents"][0]["complainers"] == ["acct_angry"]
    assert data["strategy"] == "ignore" and "counterfactual" not in data
    assert data["chatter"]["negative_per_hour"] == pytest.approx(m.chatter[-1], rel=1e-3)
    by_name = {t["name"]: t for t in data["targets"]}
    quiet = by_name["negative mentions before the incident (first 12 h)"]
    assert (quiet["by_h"], quiet["documented"], quiet["label"]) == (12, 24, "calibrated")
    assert by_name["negative reshares in all (first 18 h)"]["documented"] == 40
    assert "start: \"2024-05-06T00:00\"   # measured" in text and "severity: 0.7   # assumed" in text
    big = scenario_text(posts, m, ScenarioOptions(name="may", reference_population=None,
                                                  brand_followers=3_000_000))
    assert check_scenario(big)["reference_population"] == 10_000_000  # twice 3 million, rounded up
    assert nice_ceil(1) == 1 and nice_ceil(1.5) == 2 and nice_ceil(3000) == 5000 and nice_ceil(6e6) == 10**7


def test_a_runs_export_measures_what_the_run_counted(tmp_path):
    """The export of a run, read back, gives the run's own hourly counts (same definitions)."""
    scenario = {"name": "t", "reference_population": 3000, "start": "2024-03-04T08:00", "horizon_h": 8,
                "tick_min": 5, "strategy": "fast_social_care", "brand": {"followers": 300},
                "accounts": [{"name": "a", "followers": 1500}],
                "incidents": [{"name": "i", "at_h": 3.0, "complainers": ["a"], "appeal": 10.0}],
                "chatter": {"negative_per_hour": 4.0, "positive_per_hour": 8.0, "neutral_per_hour": 4.0}}
    from sim.config.presets import load

    result = run({"seed": 4, "population": {"size": 3000}, "scenario": scenario,
                  "strategy": load("strategy", "fast_social_care")})
    export = listening_export(result.events, scenario["start"])
    assert list(export.columns) == list(EXPORT_COLUMNS) and export["is_brand"].any()
    path = tmp_path / "run.parquet"
    export.to_parquet(path)
    m = measure(read_export(path))
    ts = result.timeseries
    hours = len(m.hourly)
    for sim_col, col in (("mentions_negative", "negative"), ("mentions_positive", "positive"),
                         ("mentions_neutral", "neutral"), ("audience_negative", "audience_negative"),
                         ("reshares_negative", "reshares_negative")):
        assert ts[sim_col].iloc[:hours].tolist() == m.hourly[col].astype(int).tolist(), sim_col
    assert m.reply_minutes and min(m.reply_minutes) >= 0
    assert [c.author for c in m.complainers] == ["u1"]  # node 1: the named account
