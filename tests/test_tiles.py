"""Overview tiles: same figures as the pages' functions, change since 7 days, RAG bounds, overrides, suppression."""
from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta

import pandas as pd
import pytest

from dashboard.figures.jarp import response_title
from dashboard.rag import RagError, Threshold, apply_overrides, default_thresholds, load_thresholds
from dashboard.tiles import TILE_KEYS, active_pilot, overview_tiles
from data_layer import (Filters, caseload_trend, connect, drift_trend, evaluate_pilot, jarp_queue, jarp_responses,
                        load_standards, plan_drift, response_summary, transfers, unallocated)
from data_layer.caseloads import children_by_status
from data_layer.jarp_scoring import rules_for
from data_layer.standards import Pilot
from tests.test_caseloads import ROWS as CASELOAD_ROWS

AS_AT = date(2023, 3, 31)


# --------------------------------------------------------------------------- children_by_status (new function)

def test_children_by_status_hand_worked(make_db):
    """tests/test_caseloads.py's authority on 1 Mar 2023: C1 cla; C2, C4 cp; C3, C8, C10 cin; C5 (referral),
    C9 (assessment) assessment. C7 is a care leaver but has nothing open, so is not open to the service."""
    db = make_db(CASELOAD_ROWS)
    d = date(2023, 3, 1)
    got = children_by_status(db, Filters(d)).set_index("status")["children"].to_dict()
    assert got == {"cla": 1, "cp": 2, "cin": 3, "care_leaver": 0, "assessment": 2, "other": 0}
    # Team as unallocated() attributes it: C9's open awaiting-allocation row is T2's, the rest are T1's.
    t2 = children_by_status(db, Filters(d, teams=("T2",))).set_index("status")["children"]
    assert t2.sum() == 1 and t2["assessment"] == 1
    assert children_by_status(db, Filters(d, teams=("T1",)))["children"].sum() == 7


# --------------------------------------------------------------------------- the demo database

@pytest.fixture(scope="module")
def demo():
    from data_layer.demo import ensure_demo

    return connect(f"sqlite:///{ensure_demo()}")


@pytest.fixture(scope="module")
def demo_tiles(demo):
    """Tiles at AS_AT and at AS_AT - 7 (both all teams), computed once for the module."""
    now = {t.key: t for t in overview_tiles(demo, Filters(AS_AT))}
    week_before = {t.key: t for t in overview_tiles(demo, Filters(AS_AT - timedelta(days=7)))}
    return now, week_before


def _page_values(db, f: Filters) -> dict[str, float | None]:
    """Each figure as its page computes it, from the page's own data-layer call."""
    trend = caseload_trend(db, f, 52).iloc[-1]
    plans = drift_trend(db, f, 12).iloc[-1]
    drift = plan_drift(db, f)
    rows = transfers(db, f)
    done, pending = rows[~rows["pending"].astype(bool)], rows[rows["pending"].astype(bool)]
    summary = response_summary(jarp_responses(db, f), rules_for(db.standards))
    judged = summary["on_time"].sum() + summary["late"].sum()
    did = evaluate_pilot(db, f, active_pilot(db.standards, f.as_at).name).did.set_index("measure")
    return {
        "children_open": int(children_by_status(db, f)["children"].sum()),
        "average_caseload": float(trend["average_caseload"]),
        "workers_over_target": 100.0 * trend["over_target"] / trend["workers"],
        "unallocated": len(unallocated(db, f)),
        "cin_over_12_months": int(plans["cin_over_12_months"]),
        # Another function of the Plans page (the drift list) gives the same count.
        "cin_reviews_overdue": int((drift["flag"] == "cin_review_overdue").sum()),
        "cp_over_2_years": int(plans["cp_over_2_years"]),
        "transfers_on_time": 100.0 * done["on_time"].astype(bool).sum() / len(done),
        "transfers_pending_late": int(pending["late"].astype(bool).sum()),
        "jarp_queue": len(jarp_queue(db, f)),
        "jarp_responses_on_time": 100.0 * summary["on_time"].sum() / judged,
        "pilot_effect": float(did.loc["median_days", "did"]),
    }


def test_tile_values_equal_the_page_functions(demo, demo_tiles):
    now, _ = demo_tiles
    expected = _page_values(demo, Filters(AS_AT))
    assert tuple(now) == TILE_KEYS
    for key, value in expected.items():
        assert now[key].value == pytest.approx(value), key
    # Hand-checked on the demo database: 17 unallocated children, 10 referrals queued.
    assert now["unallocated"].display == "17" and now["jarp_queue"].display == "10"
    # The JARP tile's % is the page's headline ("90% of ... met their priority's target").
    summary = response_summary(jarp_responses(demo, Filters(AS_AT)), rules_for(demo.standards))
    assert response_title(summary).startswith(f"{now['jarp_responses_on_time'].value:.0f}%")


def test_tile_values_follow_a_team_filter(demo):
    f = Filters(AS_AT, teams=("T01", "T02"))
    keys = ("children_open", "unallocated", "cin_over_12_months", "transfers_pending_late", "jarp_queue")
    tiles = {t.key: t for t in overview_tiles(demo, f, keys=keys)}
    expected = _page_values(demo, f)
    assert set(tiles) == set(keys)
    for key in keys:
        assert tiles[key].value == pytest.approx(expected[key]), key


def test_change_is_the_same_function_seven_days_before(demo_tiles):
    now, week_before = demo_tiles
    for key in TILE_KEYS:
        t = now[key]
        assert t.previous == week_before[key].value, key
        if t.value is None or t.previous is None:
            assert t.change is None
        else:
            assert t.change == pytest.approx(t.value - t.previous), key
        assert "since 24 Mar 2023" in t.change_text
    # Hand-checked: unallocated went from 21 to 17, which is better (higher is worse).
    assert (now["unallocated"].previous, now["unallocated"].change) == (21, -4)
    assert now["unallocated"].change_text == "▼ down 4 since 24 Mar 2023 (better)"


def test_each_tile_calls_its_functions_at_as_at_and_seven_days_before(demo):
    seen = []

    def spy(fn, f, *args):
        seen.append((fn.__name__, f.as_at, args))
        return fn(demo, f, *args)

    overview_tiles(demo, Filters(AS_AT), fetch=spy, keys=("average_caseload", "cp_over_2_years"))
    assert ("caseload_trend", AS_AT, (52,)) in seen and ("caseload_trend", AS_AT - timedelta(days=7), (52,)) in seen
    assert ("drift_trend", AS_AT, (12,)) in seen and ("drift_trend", AS_AT - timedelta(days=7), (12,)) in seen


# --------------------------------------------------------------------------- RAG bounds

HIGHER = Threshold("x", True, green=25, amber=27.5, unit="", derives_from="test")
LOWER = Threshold("y", False, green=90, amber=75, unit="%", derives_from="test")


@pytest.mark.parametrize("value, rag", [(24.99, "green"), (25, "green"), (25.01, "amber"), (27.49, "amber"),
                                        (27.5, "amber"), (27.51, "red")])
def test_higher_is_worse_bounds_belong_to_the_better_colour(value, rag):
    assert HIGHER.rate(value) == rag


@pytest.mark.parametrize("value, rag", [(90.01, "green"), (90, "green"), (89.99, "amber"), (75.01, "amber"),
                                        (75, "amber"), (74.99, "red")])
def test_lower_is_worse_bounds_belong_to_the_better_colour(value, rag):
    assert LOWER.rate(value) == rag


def test_zero_tolerance_and_no_value():
    t = default_thresholds(load_standards())["unallocated"]
    assert (t.rate(0), t.rate(1), t.rate(None), t.rate(float("nan"))) == ("green", "red", None, None)
    assert t.rule_text() == "Green when none; red when any"
    assert Threshold("z", True, 3, 3, "", "test").rule_text() == "Green at or under 3; red above"
    assert LOWER.rule_text() == "Green at 90% or more; amber from 75%; red below"


def test_default_caseload_bands_follow_the_standard():
    t = default_thresholds(load_standards())["average_caseload"]
    assert (t.green, t.amber, t.higher_is_worse) == (25, 27.5, True)


# --------------------------------------------------------------------------- overrides

def test_toml_overrides_change_thresholds(tmp_path, monkeypatch):
    path = tmp_path / "standards.toml"
    path.write_text("[standards]\ncaseload_per_fte = 20\n\n"
                    "[rag.transfers_on_time]\ngreen = 95\namber = 80\n\n"
                    "[rag.unallocated]\namber = 5\n")
    monkeypatch.setenv("CSC_STANDARDS_FILE", str(path))
    s = load_standards()
    th = load_thresholds(s)
    assert (th["transfers_on_time"].green, th["transfers_on_time"].amber) == (95, 80)
    assert th["transfers_on_time"].rate(94.9) == "amber" and th["transfers_on_time"].rate(79.9) == "red"
    assert th["unallocated"].rate(5) == "amber" and th["unallocated"].rate(6) == "red"
    assert (th["average_caseload"].green, th["average_caseload"].amber) == (20, 22)  # derived from the standard
    assert th["jarp_responses_on_time"].green == 90  # not overridden: the default stays


def test_overrides_change_a_tiles_rating(demo, tmp_path):
    """Unallocated on the demo (17) is red by default; with amber up to 20 it is amber."""
    base = default_thresholds(demo.standards)
    tiles = overview_tiles(demo, Filters(AS_AT), keys=("unallocated",),
                           thresholds=apply_overrides(base, {"unallocated": {"amber": 20}}))
    assert (tiles[0].value, tiles[0].rag, tiles[0].rag_label) == (17, "amber", "◆ Amber")


@pytest.mark.parametrize("table, msg", [
    ({"nope": {"green": 1}}, "Unknown RAG tile 'nope'"),
    ({"unallocated": {"red": 1}}, "Unknown field 'red'"),
    ({"unallocated": {"green": "high"}}, "must be a number"),
    ({"average_caseload": {"green": 30, "amber": 26}}, "amber >= green"),
    ({"transfers_on_time": {"green": 70}}, "amber <= green"),
])
def test_bad_overrides_are_refused(table, msg):
    with pytest.raises(RagError, match=msg):
        apply_overrides(default_thresholds(load_standards()), table)


# --------------------------------------------------------------------------- presentation, pilot (stubbed data)

class _DB:
    def __init__(self, standards):
        self.standards = standards


def _stub(frames: dict):
    """A fetch answering each data-layer function from ``frames[name](as_at)``."""
    def fetch(fn, f, *args):
        return frames[fn.__name__](f.as_at)
    return fetch


def test_presentation_suppresses_small_counts_only():
    by_status = lambda d: pd.DataFrame({"status": ["cla", "cp", "cin", "care_leaver", "assessment", "other"],  # noqa: E731
                                        "children": [3, 12, 0, 0, 1, 0] if d == AS_AT else [3, 10, 0, 0, 0, 0]})
    unalloc = lambda d: pd.DataFrame({"days_unallocated": [5, 40] if d == AS_AT else [9]})  # noqa: E731
    fetch = _stub({"children_by_status": by_status, "unallocated": unalloc})
    db = _DB(load_standards())
    shown = {t.key: t for t in overview_tiles(db, Filters(AS_AT), presentation=True, fetch=fetch,
                                               keys=("children_open", "unallocated"))}
    assert shown["children_open"].display == "16"
    assert shown["children_open"].detail == "By status: looked after <5, CP 12, assessment <5."
    assert shown["children_open"].change_text == "▲ up <5 since 24 Mar 2023"
    assert shown["unallocated"].display == "<5" and shown["unallocated"].value == 2
    assert "Longest wait" not in shown["unallocated"].detail
    plain = {t.key: t for t in overview_tiles(db, Filters(AS_AT), fetch=fetch, keys=("children_open", "unallocated"))}
    assert plain["unallocated"].display == "2" and plain["children_open"].detail.startswith("By status: looked after 3")
    assert plain["unallocated"].change_text == "▲ up 1 since 24 Mar 2023 (worse)"


def test_a_percentage_on_fewer_than_five_is_not_shown_in_presentation():
    rows = lambda d: pd.DataFrame({"pending": [False] * 3, "on_time": [True, True, False], "late": [False] * 3})  # noqa: E731
    db = _DB(load_standards())
    tile = overview_tiles(db, Filters(AS_AT), presentation=True, fetch=_stub({"transfers": rows}),
                          keys=("transfers_on_time",))[0]
    assert tile.display == "Fewer than 5 to judge" and tile.value == pytest.approx(200 / 3)
    tile = overview_tiles(db, Filters(AS_AT), fetch=_stub({"transfers": rows}), keys=("transfers_on_time",))[0]
    assert (tile.display, tile.rag) == ("66.7%", "red")


def _evaluation(status, did):
    class Ev:
        pass
    ev = Ev()
    ev.did = pd.DataFrame([dict(measure="median_days", did=did, status=status, verdict=f"verdict {status}")])
    return ev


@pytest.mark.parametrize("status, value, display, rag, label", [
    ("better", -30.0, "-30 days", "green", "● Green"),
    ("worse", 20.0, "+20 days", "red", "▲ Red"),
    ("inconclusive", -9.0, "-9 days", None, "No clear difference"),
    ("too_small", None, "Too small to judge", None, "Too small to judge"),
    ("not_measurable", None, "Not measurable yet", None, "Not measurable yet"),
])
def test_pilot_tile_refuses_where_the_page_refuses(status, value, display, rag, label):
    fetch = _stub({"evaluate_pilot": lambda d: _evaluation(status, -30.0 if value is None else value)})
    tile = overview_tiles(_DB(load_standards()), Filters(AS_AT), fetch=fetch, keys=("pilot_effect",))[0]
    assert (tile.value, tile.display, tile.rag, tile.rag_label) == (value, display, rag, label)
    assert tile.detail == f"verdict {status}"


def test_active_pilot_is_the_latest_started():
    s = load_standards()
    later = Pilot(name="Later", start=date(2023, 1, 9))
    future = Pilot(name="Future", start=date(2024, 1, 1))
    s2 = replace(s, pilots=(s.pilots[0], later, future))
    assert active_pilot(s2, AS_AT).name == "Later"
    assert active_pilot(s2, date(2022, 6, 1)).name == s.pilots[0].name
    assert active_pilot(replace(s, pilots=(future,)), AS_AT).name == "Future"
