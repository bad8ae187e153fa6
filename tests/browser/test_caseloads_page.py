"""The Caseloads page in headless Chromium on the demo database.

Team filter -> chart and URL; presentation mode hides the child-level table and worker names;
the CSV download holds the figures drawn; a failing query shows a message and the app goes on.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pandas as pd
import pytest

from dashboard.figures.caseloads import worker_table, workers_title
from data_layer import Filters, caseloads, connect, latest_date, unallocated
from tests.apps import make_app
from tests.browser.helpers import fail_reads_when, plotted_traces, severe_logs, wait_for_file

pytestmark = pytest.mark.browser

FAIL = {"on": False}


@pytest.fixture(scope="module")
def demo_db():
    """The demo database, with a switch that makes every query fail (a database going down)."""
    from data_layer.demo import ensure_demo

    return fail_reads_when(connect(f"sqlite:///{ensure_demo()}"), FAIL)


@pytest.fixture(scope="module")
def app(demo_db):
    return make_app(db=demo_db)


@pytest.fixture(autouse=True)
def _database_up():
    FAIL["on"] = False
    yield
    FAIL["on"] = False


def _open_caseloads(dash_duo, query=""):
    dash_duo.wait_for_page(f"{dash_duo.server_url}/caseloads{query}")
    dash_duo.wait_for_element("#caseloads-workers-graph .js-plotly-plot", timeout=30)


def _expected_title(db, f):
    return workers_title(worker_table(caseloads(db, f)), db.standards.caseload_per_fte)


def test_changing_the_team_filter_updates_the_chart_and_the_url(dash_duo, app, demo_db, free_port):
    dash_duo.start_server(app, port=free_port)
    _open_caseloads(dash_duo)
    latest = latest_date(demo_db)
    assert dash_duo.find_element("#caseloads-workers-card h2").get_attribute("textContent") == _expected_title(
        demo_db, Filters(latest)
    )

    dash_duo.find_element("#shell-teams").click()
    dash_duo.find_element(".dash-dropdown-option:has(input[value='T02'])").click()
    dash_duo.find_element("body").send_keys("\ue00c")  # Escape closes the menu

    expected = _expected_title(demo_db, Filters(latest, teams=("T02",)))
    dash_duo.wait_for_text_to_equal("#caseloads-workers-card h2", expected, timeout=20)
    url = dash_duo.driver.current_url
    assert "team=T02" in url and f"as_at={latest.isoformat()}" in url
    # Only T02's workers are drawn.
    names = dash_duo.driver.execute_script(
        "return document.querySelector('#caseloads-workers-graph .js-plotly-plot').data[0].y"
    )
    t02 = caseloads(demo_db, Filters(latest, teams=("T02",)))
    assert len(names) == len(t02) and set(names) <= set(t02["worker_name"])
    assert not severe_logs(dash_duo)

    # Reloading the URL the browser now shows restores the same view (bookmarkable).
    dash_duo.driver.get(url)
    dash_duo.wait_for_text_to_equal("#caseloads-workers-card h2", expected, timeout=20)


def test_presentation_mode_hides_the_unallocated_table_and_worker_names(dash_duo, app, demo_db, free_port):
    dash_duo.start_server(app, port=free_port)
    _open_caseloads(dash_duo)
    dash_duo.wait_for_element("#caseloads-unallocated-grid", timeout=20)
    dash_duo.find_element("#shell-presentation").click()
    dash_duo.wait_for_element("#caseloads-unallocated-grid-hidden", timeout=20)
    assert not dash_duo.find_elements("#caseloads-unallocated-grid")
    assert "presentation=1" in dash_duo.driver.current_url
    names = dash_duo.driver.execute_script(
        "return document.querySelector('#caseloads-workers-graph .js-plotly-plot').data[0].y"
    )
    assert names[0] == "Worker 1" and all(n.startswith("Worker ") for n in names)
    real_names = set(caseloads(demo_db, Filters(latest_date(demo_db)))["worker_name"])
    assert not real_names & set(dash_duo.find_element("#caseloads-body").text.split("\n"))
    n = len(unallocated(demo_db, Filters(latest_date(demo_db))))
    shown = dash_duo.find_element("#caseloads-unallocated-value").text
    assert shown == (f"<{demo_db.standards.suppress_below}" if 0 < n < demo_db.standards.suppress_below else f"{n:,}")
    assert not severe_logs(dash_duo)


def _click(dash_duo, selector):
    """Scroll an element to the middle of the window, then click it.

    A script click, not a selenium one: the sticky navbar and filter bar can cover the element at
    the moment selenium computes its click point, which fails with "element click intercepted".
    """
    el = dash_duo.find_element(selector)
    dash_duo.driver.execute_script("arguments[0].scrollIntoView({block: 'center'}); arguments[0].click();", el)


def test_csv_download_holds_the_figures_shown(dash_duo, app, demo_db, free_port):
    dash_duo.start_server(app, port=free_port)
    _open_caseloads(dash_duo, "?as_at=2023-01-31")
    _click(dash_duo, "#caseloads-workers-card .csv-button")
    csv = wait_for_file(Path(dash_duo.download_path), "caseloads-workers*.csv")
    got = pd.read_csv(csv)

    # The same frame the chart was drawn from ...
    want = worker_table(caseloads(demo_db, Filters(date(2023, 1, 31))))
    assert got["worker"].tolist() == want["worker"].tolist()
    assert got["cases"].tolist() == want["cases"].tolist()
    assert got["cin"].tolist() == want["cin"].tolist()
    # ... and the numbers the browser shows: the CIN bars and the target markers.
    traces = plotted_traces(dash_duo, "#caseloads-workers-graph")
    cin = next(t for t in traces if t["name"] == "CIN")
    assert cin["y"] == got["worker"].tolist() and cin["x"] == got["cin"].tolist()
    target = next(t for t in traces if t["name"].startswith("FTE target"))
    assert target["x"] == pytest.approx(got["target"].tolist())

    # Chromium blocks a second scripted download from one page load ("multiple automatic
    # downloads"), so load the page afresh before the next one.
    _open_caseloads(dash_duo, "?as_at=2023-01-31")
    dash_duo.wait_for_element("#caseloads-trend-graph .js-plotly-plot", timeout=30)
    _click(dash_duo, "#caseloads-trend-card .csv-button")
    trend = pd.read_csv(wait_for_file(Path(dash_duo.download_path), "caseloads-trend*.csv"))
    assert len(trend) == 52 and trend["as_at"].iloc[-1] == "2023-01-31"
    assert not severe_logs(dash_duo)


def test_a_failing_query_shows_a_message_and_the_app_keeps_working(dash_duo, app, demo_db, free_port):
    dash_duo.start_server(app, port=free_port)
    dash_duo.wait_for_page(f"{dash_duo.server_url}/jarp?as_at=2022-02-28")
    dash_duo.wait_for_element("#jarp-body .js-plotly-plot", timeout=30)

    FAIL["on"] = True  # the database goes down mid-session
    dash_duo.find_element("#shell-navbar .nav-link[href^='/caseloads']").click()
    dash_duo.wait_for_contains_text("#caseloads-body .page-error", "server closed the connection", timeout=20)
    assert dash_duo.find_element("#shell-navbar").is_displayed()

    # Another page still works (its results are cached), and so does this one once the database is back.
    dash_duo.find_element("#shell-navbar .nav-link[href^='/jarp']").click()
    dash_duo.wait_for_element("#jarp-body .js-plotly-plot", timeout=30)
    FAIL["on"] = False
    dash_duo.find_element("#shell-navbar .nav-link[href^='/caseloads']").click()
    dash_duo.wait_for_element("#caseloads-workers-graph .js-plotly-plot", timeout=30)
    assert not dash_duo.find_elements(".page-error")
