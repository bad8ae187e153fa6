"""The Transfers page in headless Chromium.

On the hand-worked authority of ``tests/test_transfers.py`` (exact numbers): every chart is drawn,
pending transfers are listed late ones first, excluded rows are shown with their reasons, the team
filter in the URL narrows the page, presentation mode hides child-level tables and suppresses small
counts, and a chart's CSV holds the numbers drawn (in presentation mode, exactly the values displayed).
On the demo database: the page loads cleanly.
"""

from __future__ import annotations

import time
from pathlib import Path

import pandas as pd
import pytest

from dashboard.figures import transfers as fig
from data_layer import Filters, transfers
from tests.apps import make_app
from tests.browser.helpers import plotted_traces, save_page_screenshot, severe_logs, wait_for_file
from tests.fixtures import FixtureDB
from tests.test_transfers import ROWS, D

pytestmark = pytest.mark.browser

CARDS = (
    "transfers-working-days",
    "transfers-by-team",
    "transfers-by-point",
    "transfers-monthly",
    "transfers-flows",
    "transfers-pairs",
    "transfers-keyworker",
)


@pytest.fixture(scope="module")
def hand_db(tmp_path_factory):
    fx = FixtureDB("sqlite", tmp_path_factory.mktemp("transfers")).load(ROWS)
    return fx.connect()


@pytest.fixture(scope="module")
def app(hand_db):
    return make_app(db=hand_db)


def _open(dash_duo, query=""):
    dash_duo.wait_for_page(f"{dash_duo.server_url}/transfers?as_at={D.isoformat()}{query}")
    dash_duo.wait_for_element("#transfers-working-days-graph .js-plotly-plot", timeout=30)


def _grid_column(dash_duo, grid_id, field):
    return dash_duo.driver.execute_script(
        "return Array.from(document.querySelectorAll(arguments[0]))"
        ".sort((a, b) => a.getAttribute('row-index') - b.getAttribute('row-index'))"
        ".map(r => r.querySelector(`[col-id='${arguments[1]}']`).textContent)",
        f"#{grid_id} .ag-center-cols-container .ag-row",
        field,
    )


def _assert_grid_column(dash_duo, grid_id, field, expected, timeout=20):
    """Wait until the grid shows ``expected`` in ``field`` (AG Grid draws its rows asynchronously)."""
    end = time.monotonic() + timeout
    while (got := _grid_column(dash_duo, grid_id, field)) != expected:
        assert time.monotonic() < end, f"{grid_id}.{field}: {got} != {expected}"
        time.sleep(0.2)


def test_every_chart_pending_list_and_exclusions(dash_duo, app, hand_db, free_port):
    dash_duo.start_server(app, port=free_port)
    _open(dash_duo)
    for card in CARDS:
        dash_duo.wait_for_element(f"#{card}-graph .js-plotly-plot", timeout=20)
        assert dash_duo.find_element(f"#{card}-figure").get_attribute("role") == "img"
        assert dash_duo.find_element(f"#{card}-figure").get_attribute("aria-label")
    rows = transfers(hand_db, Filters(D))
    assert dash_duo.find_element("#transfers-working-days-card h2").get_attribute(
        "textContent"
    ) == fig.working_days_title(rows)
    # By hand: completed TR01-06, TR12, TR16 (8); all on time but TR04 and TR06 -> 6 of 8.
    assert dash_duo.find_element("#transfers-tile-on-time-value").text == "75%"
    assert dash_duo.find_element("#transfers-tile-pending-value").text == "5"

    dash_duo.wait_for_element("#transfers-pending-grid .ag-row", timeout=20)
    # Late first (TR09 255, TR08 4 working days), then those within 3, longest waiting first.
    _assert_grid_column(dash_duo, "transfers-pending-grid", "child_id", ["CTR09", "CTR08", "CTR07", "CTR10", "CTR15"])
    _assert_grid_column(dash_duo, "transfers-pending-grid", "working_days", ["255", "4", "3", "1", "0"])
    _assert_grid_column(dash_duo, "transfers-keyworker-grid", "child_id", ["K1", "K6", "K8"])

    excluded = dash_duo.find_element("#transfers-excluded-table").text
    for reason in (
        "No request date",
        "Completed before it was requested",
        "Declined: no transfer took place to time",
        "Missing or unrecognised transfer point",
        "Key-worker allocation with no start date",
    ):
        assert reason in excluded
    # The Sankey draws the three team pairs.
    values = dash_duo.driver.execute_script(
        "return Array.from(document.querySelector('#transfers-flows-graph .js-plotly-plot')._fullData[0].link.value)"
    )
    assert sorted(values) == sorted(fig.flows_table(rows)["transfers"].tolist())
    assert not severe_logs(dash_duo)


def test_team_filter_from_the_url(dash_duo, app, hand_db, free_port):
    dash_duo.start_server(app, port=free_port)
    _open(dash_duo, "&team=T3")
    expected = fig.working_days_title(transfers(hand_db, Filters(D, teams=("T3",))))
    assert expected == "0 of 2 completed transfers (0%) took 3 working days or fewer"
    dash_duo.wait_for_text_to_equal("#transfers-working-days-card h2", expected, timeout=20)
    assert dash_duo.find_element("#transfers-tile-pending-value").text == "0"
    assert "team=T3" in dash_duo.driver.current_url
    assert not severe_logs(dash_duo)


def test_presentation_mode_hides_child_tables_and_small_counts(dash_duo, app, free_port):
    dash_duo.start_server(app, port=free_port)
    _open(dash_duo, "&presentation=1")
    dash_duo.wait_for_element("#transfers-pending-grid-hidden", timeout=20)
    dash_duo.wait_for_element("#transfers-keyworker-grid-hidden", timeout=20)
    assert not dash_duo.find_elements("#transfers-pending-grid")
    assert not dash_duo.find_elements("#transfers-keyworker-grid")
    assert dash_duo.find_element("#transfers-tile-keyworker-value").text == "<5"  # 3 children
    assert dash_duo.find_element("#transfers-tile-pending-value").text == "5"
    assert "CTR09" not in dash_duo.find_element("#transfers-body").text
    assert not severe_logs(dash_duo)


def test_csv_holds_the_numbers_drawn(dash_duo, app, hand_db, free_port):
    dash_duo.start_server(app, port=free_port)
    _open(dash_duo)
    for card in CARDS:  # let every chart and grid draw first, so the layout stops moving
        dash_duo.wait_for_element(f"#{card}-graph .js-plotly-plot", timeout=20)
    dash_duo.wait_for_element("#transfers-pending-grid .ag-row", timeout=20)
    button = dash_duo.find_element("#transfers-by-team-card .csv-button")
    # A script click: a sticky navbar can cover the button, which makes a selenium click fail.
    dash_duo.driver.execute_script("arguments[0].scrollIntoView({block: 'center'}); arguments[0].click();", button)
    got = pd.read_csv(wait_for_file(Path(dash_duo.download_path), "transfers-by-team*.csv"))
    want = fig.on_time_table(transfers(hand_db, Filters(D)), "to_team")
    assert got["group"].tolist() == want["group"].tolist()
    assert got["decided"].tolist() == want["decided"].tolist()
    bars = plotted_traces(dash_duo, "#transfers-by-team-graph")[0]
    assert bars["y"] == want["group"].tolist()
    assert bars["x"] == pytest.approx(want["pct_on_time"].fillna(0).tolist())


def test_presentation_csv_is_the_displayed_values(dash_duo, app, hand_db, free_port):
    """The CSV is recomputed on click: in presentation mode it is the chart's displayed table, marks and all."""
    from dashboard.sections.base import View, find_item
    from dashboard.sections.transfers import body

    dash_duo.start_server(app, port=free_port)
    _open(dash_duo, "&presentation=1")
    dash_duo.wait_for_element("#transfers-by-team-graph .js-plotly-plot", timeout=20)
    button = dash_duo.find_element("#transfers-by-team-card .csv-button")
    dash_duo.driver.execute_script("arguments[0].scrollIntoView({block: 'center'}); arguments[0].click();", button)
    got = pd.read_csv(
        wait_for_file(Path(dash_duo.download_path), "transfers-by-team*.csv"), dtype=str, keep_default_na=False
    )
    want = find_item(body(hand_db, View.make(Filters(D), presentation=True)), "transfers-by-team").table
    assert list(got.columns) == list(want.columns) and "transfers" not in got.columns
    assert got["late"].tolist() == [str(v) for v in want["late"]]
    assert "<5" in got["late"].tolist()  # CIN North: 3 late; Looked After: 1
    labels = dash_duo.driver.execute_script(
        "return Array.from(document.querySelector('#transfers-by-team-graph .js-plotly-plot')._fullData[1].text)"
    )
    assert not any("%" in label for label in labels)  # every share here rests on a hidden count
    assert not severe_logs(dash_duo)


def test_demo_database_page_loads(dash_duo, free_port):
    from data_layer import connect
    from data_layer.demo import ensure_demo

    app = make_app(db=connect(f"sqlite:///{ensure_demo()}"))
    dash_duo.start_server(app, port=free_port)
    dash_duo.wait_for_page(f"{dash_duo.server_url}/transfers")
    for card in CARDS:
        dash_duo.wait_for_element(f"#{card}-graph .js-plotly-plot", timeout=40)
    dash_duo.wait_for_element("#transfers-pending-grid .ag-row", timeout=20)
    dash_duo.wait_for_element("#transfers-keyworker-grid .ag-row", timeout=20)
    assert not dash_duo.find_elements(".page-error")
    save_page_screenshot(dash_duo, "transfers.png")
    assert not severe_logs(dash_duo)
