"""The whole-suite log check (tests/log_guard.py) cannot pass vacuously: planted names are caught."""

from __future__ import annotations

import logging
import sqlite3

from tests import log_guard

log = logging.getLogger("tests.log_guard_self_test")


def test_a_planted_worker_name_and_child_id_in_a_log_line_are_caught():
    log_guard.check_new()  # start from a clean slate
    log_guard.remember(["Planted Workername", "CPLANT0001", "7", "x"])
    log.warning("rendering for Planted Workername")
    log.info("child %s opened", "CPLANT0001")
    log.error("a count of 7 and an x")  # digits-only and 1-character values are not checked
    leaks = log_guard.check_new()
    assert len(leaks) == 2
    assert "'Planted Workername'" in leaks[0] and "'CPLANT0001'" in leaks[1]


def test_a_traceback_is_checked_too():
    log_guard.remember(["CTRACE0002"])
    try:
        raise ValueError("value CTRACE0002")
    except ValueError:
        log.exception("failed")  # the message is clean, the traceback is not
    assert len(log_guard.check_new()) == 1


def test_ids_match_on_word_boundaries():
    log_guard.remember(["CB1"])
    assert log_guard.leaks_in(["CB10 and XCB1 and CB1_2"]) == []
    assert len(log_guard.leaks_in(["id=CB1."])) == 1


def test_the_databases_the_tests_open_are_read(small_demo):
    """The demo's generated child ids and names are known once any test opened the database."""
    with sqlite3.connect(f"file:{small_demo.fixture_path}?mode=ro", uri=True) as con:
        child = con.execute("SELECT child_id FROM children LIMIT 1").fetchone()[0]
        name = con.execute("SELECT worker_name FROM workers WHERE worker_name LIKE '% %' LIMIT 1").fetchone()[0]
    from data_layer import date_range

    date_range(small_demo)  # a query through the data layer's pool: the listener has read the file
    assert log_guard.leaks_in([f"x {child} y"]) and log_guard.leaks_in([f"by {name}."])
    assert log_guard.known_count() > 1000


def test_hand_written_fixture_rows_are_known(make_db):
    make_db({"children": [{"child_id": "CHAND0003"}], "workers": [{"worker_id": "W1", "worker_name": "Hand Written"}]})
    assert log_guard.leaks_in(["CHAND0003"]) and log_guard.leaks_in(["Hand Written was here"])
