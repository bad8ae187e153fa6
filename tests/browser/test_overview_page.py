"""The Overview page in headless Chromium on the demo database.

Every tile renders with a value and a RAG word, its link goes to its page keeping the filters,
presentation mode shows "<5" for a small count (and its links and the "All pages" list keep
``presentation=1``), the tiles' CSV is asked for on click and holds what is shown, and a failing
query shows a message.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import pandas as pd
import pytest

from dashboard.disclosure import Disclosure
from dashboard.tiles import SPECS, overview_tiles, tiles_frame, triage_order
from data_layer import Filters, connect, team_options, unallocated
from tests.apps import make_app
from tests.browser.helpers import fail_reads_when, severe_logs, wait_for_file

pytestmark = pytest.mark.browser

AS_AT = date(2023, 3, 31)
RAG_WORDS = ("Red", "Amber", "Green", "Not rated", "No clear difference", "Too small to judge", "Not measurable yet")
FAIL = {"on": False}


@pytest.fixture(scope="module")
def demo_db(tmp_path_factory):
    from data_layer.demo import ensure_demo

    db = connect(f"sqlite:///{ensure_demo()}")
    return fail_reads_when(db, FAIL)


@pytest.fixture(scope="module")
def app(demo_db):
    return make_app(db=demo_db)


@pytest.fixture(autouse=True)
def _database_up():
    FAIL["on"] = False
    yield
    FAIL["on"] = False


def _tile_id(key: str) -> str:
    return "overview-" + key.replace("_", "-")


def test_every_tile_renders_with_value_rag_word_and_a_link_keeping_the_filters(dash_duo, app, free_port):
    dash_duo.start_server(app, port=free_port)
    dash_duo.wait_for_page(f"{dash_duo.server_url}/?as_at={AS_AT}")
    dash_duo.wait_for_element("#overview-grid", timeout=60)
    for spec in SPECS:
        tid = _tile_id(spec.key)
        assert dash_duo.find_element(f"#{tid}-value").text.strip(), spec.key
        rag = dash_duo.find_element(f"#{tid}-rag").text
        assert any(w in rag for w in RAG_WORDS), (spec.key, rag)
        assert "since 24 Mar 2023" in dash_duo.find_element(f"#{tid}-change").text
        href = urlparse(dash_duo.find_element(f"#{tid}-link").get_attribute("href"))
        assert href.path == spec.href
        assert parse_qs(href.query)["as_at"] == [AS_AT.isoformat()]
    # Unallocated children: 17 on the demo database at this date (red: any is a breach).
    assert dash_duo.find_element("#overview-unallocated-value").text == "17"
    assert "Red" in dash_duo.find_element("#overview-unallocated-rag").text

    link = dash_duo.find_element("#overview-transfers-on-time-link")
    dash_duo.driver.execute_script("arguments[0].scrollIntoView({block: 'center'}); arguments[0].click();", link)
    dash_duo.wait_for_element("#transfers-body .chart-card", timeout=60)
    assert urlparse(dash_duo.driver.current_url).path == "/transfers"
    assert f"as_at={AS_AT}" in dash_duo.driver.current_url
    assert not severe_logs(dash_duo)


def test_presentation_mode_shows_small_counts_as_under_5(dash_duo, app, demo_db, free_port):
    teams = team_options(demo_db)["team_id"].tolist()
    small = next(t for t in teams if 0 < len(unallocated(demo_db, Filters(as_at=AS_AT, teams=(t,)))) < 5)
    dash_duo.start_server(app, port=free_port)
    dash_duo.wait_for_page(f"{dash_duo.server_url}/?as_at={AS_AT}&team={small}&presentation=1")
    dash_duo.wait_for_text_to_equal("#overview-unallocated-value", "<5", timeout=60)
    link = dash_duo.find_element("#overview-unallocated-link").get_attribute("href")
    assert parse_qs(urlparse(link).query) == {"as_at": [AS_AT.isoformat()], "team": [small], "presentation": ["1"]}
    # The longest wait is one child's value: not shown in presentation mode (the Caseloads page showed it).
    assert "Longest wait" not in dash_duo.find_element("#overview-grid").text
    # The list of every page keeps the query too (the shell fills its links' href).
    dash_duo.wait_for_element("#overview-links a[href*='presentation=1']", timeout=20)
    for a in dash_duo.find_elements("#overview-links a"):
        q = parse_qs(urlparse(a.get_attribute("href")).query)
        assert q == {"as_at": [AS_AT.isoformat()], "team": [small], "presentation": ["1"]}, a.text
    assert not severe_logs(dash_duo)


def test_the_tiles_csv_is_asked_for_on_click_and_holds_what_is_shown(dash_duo, app, demo_db, free_port):
    team = team_options(demo_db)["team_id"].tolist()[1]
    dash_duo.start_server(app, port=free_port)
    dash_duo.wait_for_page(f"{dash_duo.server_url}/?as_at={AS_AT}&team={team}&presentation=1")
    dash_duo.wait_for_element("#overview-grid", timeout=60)
    shown = [el.text for el in dash_duo.find_elements("#overview-grid .tile-value")]  # in triage order, red first
    assert len(shown) == len(SPECS)
    summary = dash_duo.find_element("#overview-tiles-wrapper summary")
    dash_duo.driver.execute_script("arguments[0].scrollIntoView({block: 'center'}); arguments[0].click();", summary)
    button = dash_duo.find_element("#overview-tiles-wrapper .csv-button")
    dash_duo.driver.execute_script("arguments[0].scrollIntoView({block: 'center'}); arguments[0].click();", button)
    got = pd.read_csv(
        wait_for_file(Path(dash_duo.download_path), "overview-tiles*.csv"), dtype=str, keep_default_na=False
    )
    assert got["value"].tolist() == shown
    d = Disclosure(threshold=demo_db.standards.suppress_below, active=True)
    want = tiles_frame(triage_order(overview_tiles(demo_db, Filters(AS_AT, teams=(team,)), disclosure=d))).fillna("")
    assert got.to_dict("records") == want.astype(str).to_dict("records")
    assert not severe_logs(dash_duo)


def test_a_failing_query_shows_a_message_not_tiles(dash_duo, app, free_port):
    FAIL["on"] = True
    dash_duo.start_server(app, port=free_port)
    dash_duo.wait_for_page(f"{dash_duo.server_url}/?as_at=2022-11-30")
    dash_duo.wait_for_contains_text("#overview-body .page-error", "server closed the connection", timeout=60)
    assert not dash_duo.find_elements("#overview-grid")
    assert dash_duo.find_element("#overview-links").is_displayed()
