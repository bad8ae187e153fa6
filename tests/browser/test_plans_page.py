"""The /plans page in headless Chromium on the demo authority: charts, filters, split, presentation mode."""

from __future__ import annotations

import os
from datetime import date
from io import StringIO
from pathlib import Path

import pandas as pd
import pytest

from dashboard.sections import plans as sections
from dashboard.sections.base import View, find_item
from data_layer import Filters, connect
from data_layer.demo import ensure_demo
from tests.apps import make_app
from tests.browser.helpers import plotted_traces, wait_for_file

AS_AT = "2023-03-31"
CARDS = ("#plans-bands-card", "#plans-km-card", "#plans-drift-teams-card", "#plans-trend-card")


@pytest.fixture(scope="module")
def demo_db():
    return connect(f"sqlite:///{ensure_demo()}")


@pytest.fixture(scope="module")
def app(demo_db):
    return make_app(db=demo_db)


def _open(dash_duo, app, free_port, query):
    dash_duo.start_server(app, port=free_port)
    dash_duo.wait_for_page(f"{dash_duo.server_url}/plans?{query}")
    for card in CARDS:
        dash_duo.wait_for_element(f"{card} .js-plotly-plot", timeout=30)


def _grid_teams(dash_duo) -> set[str]:
    """Team cells of the drift grid's current page, read in one script (the grid re-renders)."""
    return set(
        dash_duo.driver.execute_script(
            "return Array.from(document.querySelectorAll('#plans-drift-grid .ag-cell[col-id=team]'))"
            ".map(e => e.textContent)"
        )
    )


def _until(check, timeout=20):
    import time

    deadline = time.monotonic() + timeout
    while True:
        try:
            if check():
                return True
        except Exception:  # noqa: BLE001 - stale elements while a callback re-renders
            pass
        if time.monotonic() > deadline:
            raise AssertionError("condition not met in time")
        time.sleep(0.25)


def _plots_settled(dash_duo) -> bool:
    """Every chart has been drawn at its container's current width (after a window resize)."""
    return dash_duo.driver.execute_script(
        "const plots = Array.from(document.querySelectorAll('.js-plotly-plot'));"
        "return plots.length > 0 && plots.every(p => { const svg = p.querySelector('.main-svg');"
        " return svg && Math.abs(Number(svg.getAttribute('width')) - p.clientWidth) < 2; });"
    )


def _title(dash_duo, chart_id):
    return dash_duo.find_element(f"#{chart_id}-card h2.visually-hidden").get_attribute("textContent")


def _no_errors(dash_duo):
    assert not [e for e in dash_duo.get_logs() or [] if e["level"] == "SEVERE"]
    assert not dash_duo.driver.find_elements("css selector", ".page-error")


def test_page_draws_every_chart_and_the_drift_list(dash_duo, app, free_port):
    _open(dash_duo, app, free_port, f"as_at={AS_AT}")
    for card in CARDS:
        figure = dash_duo.find_element(f"{card} [role=img]")
        assert figure.get_attribute("aria-label")
        assert dash_duo.find_element(f"{card} .csv-button").text == "Download CSV"
    assert "open CIN plans have lasted more than 12 months" in _title(dash_duo, "plans-bands")
    assert _title(dash_duo, "plans-km").startswith("How long plans stay open — CIN plans: median")
    km_note = dash_duo.find_element("#plans-km-card .chart-note").text
    assert "average of closed plans" in km_note
    assert "censored" in dash_duo.find_element("#plans-method").get_attribute("textContent")  # folded
    dash_duo.wait_for_element("#plans-drift-grid .ag-row", timeout=20)
    headers = [h.text for h in dash_duo.driver.find_elements("css selector", "#plans-drift-grid .ag-header-cell-text")]
    assert {"Child", "Team", "Key worker", "Flag", "Days over"} <= set(headers)
    assert dash_duo.find_element("#plans-tile-open-cin-value").text.replace(",", "").isdigit()
    if os.environ.get("CSC_SCREENSHOTS"):
        height = dash_duo.driver.execute_script("return document.documentElement.scrollHeight")
        dash_duo.driver.set_window_size(1400, height + 150)
        _until(lambda: _plots_settled(dash_duo))
        dash_duo.driver.save_screenshot(os.path.join(os.environ["CSC_SCREENSHOTS"], "plans.png"))
    _no_errors(dash_duo)


def test_team_filter_and_split_control(dash_duo, app, free_port):
    _open(dash_duo, app, free_port, f"as_at={AS_AT}&team=T02")
    _until(lambda: _grid_teams(dash_duo) == {"Demo CIN/CP North"})
    one_team = dash_duo.find_element("#plans-tile-open-cin-value").text
    # split the survival curves by how the CIN plans started
    option = dash_duo.find_element("#plans-km-split input[value=cin_origin]")
    dash_duo.driver.execute_script("arguments[0].scrollIntoView({block: 'center'}); arguments[0].click();", option)
    dash_duo.wait_for_contains_text("#plans-km-card h2.visually-hidden", "by how the plan started", timeout=20)
    # a second team through the URL widens every section
    dash_duo.wait_for_page(f"{dash_duo.server_url}/plans?as_at={AS_AT}&team=T02&team=T03")
    _until(lambda: _grid_teams(dash_duo) == {"Demo CIN/CP North", "Demo CIN/CP South"}, timeout=30)
    _until(
        lambda: (
            int(dash_duo.find_element("#plans-tile-open-cin-value").text.replace(",", ""))
            > int(one_team.replace(",", ""))
        )
    )
    _no_errors(dash_duo)


def test_presentation_mode_hides_the_drift_list_and_bad_rows_are_counted(dash_duo, app, free_port):
    # a year earlier the demo's bad plan rows (end before start, no start date) fall in the window
    _open(dash_duo, app, free_port, "as_at=2022-03-31&presentation=1")
    dash_duo.wait_for_element("#plans-drift-grid-hidden", timeout=20)
    assert not dash_duo.driver.find_elements("css selector", "#plans-drift-grid")
    assert "Counts under 5" in dash_duo.find_element("#plans-bands-card .chart-note").text
    excluded = dash_duo.find_element("#plans-excluded").text
    assert "rows excluded from the figures" in excluded and "end date before start date" in excluded
    _no_errors(dash_duo)


def test_presentation_mode_draws_and_downloads_only_disclosed_counts(dash_duo, app, demo_db, free_port):
    """One small team (T05 has 1-4 open CP plans): no bar or line point stands at 1-4, no tile shows
    one, and the bands CSV is exactly the table the section shows (marks included)."""
    _open(dash_duo, app, free_port, f"as_at={AS_AT}&team=T05&presentation=1")
    _until(lambda: dash_duo.find_element("#plans-tile-open-cp-value").text == "<5")
    for tile in ("open-cin", "cin-12", "open-cp", "cp-2y"):
        value = dash_duo.find_element(f"#plans-tile-{tile}-value").text
        assert value not in {"1", "2", "3", "4"}
    for graph in ("#plans-bands-graph", "#plans-trend-graph"):
        for trace in plotted_traces(dash_duo, graph):
            assert not [y for y in trace["y"] if isinstance(y, (int, float)) and 0 < y < 5], (graph, trace["name"])
    button = dash_duo.find_element("#plans-bands-card .csv-button")
    dash_duo.driver.execute_script("arguments[0].scrollIntoView({block: 'center'}); arguments[0].click();", button)
    got = pd.read_csv(wait_for_file(Path(dash_duo.download_path), "plan-duration-bands*.csv"), dtype=str)
    view = View.make(
        Filters(as_at=date(2023, 3, 31), teams=("T05",)), presentation=True, threshold=demo_db.standards.suppress_below
    )
    want = find_item(sections.body(demo_db, view), "plans-bands").table
    pd.testing.assert_frame_equal(got, pd.read_csv(StringIO(want.to_csv(index=False)), dtype=str))
    assert "<5" in set(got["plans"])
    _no_errors(dash_duo)
