"""The Overview as triage, in headless Chromium at 1440 px on the demo database.

The summary line counts the tiles' ratings on the page; a tile's link opens its list already
filtered (the control set from the address, every row carrying the flag, the key in the address)
and scrolled into view; a hostile flag in a typed address falls back to all flags.
"""

from __future__ import annotations

from datetime import date
from urllib.parse import parse_qs, urlparse

import pytest
from selenium.webdriver.support.ui import Select, WebDriverWait

from data_layer import connect
from data_layer.vocabulary import flag_label
from tests.apps import make_app
from tests.browser.helpers import severe_logs

pytestmark = pytest.mark.browser

AS_AT = date(2023, 3, 31)
IN_VIEW = (
    "const r = document.getElementById(arguments[0]).getBoundingClientRect();"
    "return r.top >= 0 && r.top < window.innerHeight;"
)


@pytest.fixture(scope="module")
def demo_db():
    from data_layer.demo import ensure_demo

    return connect(f"sqlite:///{ensure_demo()}")


@pytest.fixture(scope="module")
def app(demo_db):
    return make_app(db=demo_db)


def _open_overview(dash_duo, free_port, app, query=f"?as_at={AS_AT}"):
    dash_duo.start_server(app, port=free_port)
    dash_duo.driver.set_window_size(1440, 1000)
    dash_duo.wait_for_page(f"{dash_duo.server_url}/{query}")
    dash_duo.wait_for_element("#overview-grid", timeout=60)


def _click(dash_duo, selector):
    link = dash_duo.find_element(selector)
    dash_duo.driver.execute_script("arguments[0].scrollIntoView({block: 'center'}); arguments[0].click();", link)


def _column(dash_duo, grid, field):
    """The shown rows' cells of one column, read in one script (the grid may be redrawn meanwhile)."""
    return dash_duo.driver.execute_script(
        "return Array.from(document.querySelectorAll(arguments[0])).map(c => c.textContent.trim());",
        f"#{grid} .ag-center-cols-container .ag-row [col-id='{field}']",
    )


def _wait_in_view(dash_duo, element_id):
    WebDriverWait(dash_duo.driver, 30).until(lambda d: d.execute_script(IN_VIEW, element_id))


@pytest.mark.parametrize("query", [f"?as_at={AS_AT}", f"?as_at={AS_AT}&presentation=1"])
def test_the_summary_line_counts_the_tiles_on_the_page_red_first(dash_duo, app, free_port, query):
    _open_overview(dash_duo, free_port, app, query)
    ratings = [
        next(c[4:] for c in el.get_attribute("class").split() if c.startswith("rag-"))
        for el in dash_duo.find_elements("#overview-grid .overview-tile .rag")
    ]
    assert len(ratings) == 12
    words = {"red": "red", "amber": "amber", "green": "green", "none": "not rated"}
    expected = ", ".join(f"{ratings.count(k)} {w}" for k, w in words.items())
    line = dash_duo.find_element("#overview-rag-summary").text
    assert line.startswith(expected), line
    assert ratings == sorted(ratings, key=list(words).index)  # red, amber, green, not rated
    assert not severe_logs(dash_duo)


def test_a_drift_tile_opens_the_drift_list_filtered_and_scrolled_to(dash_duo, app, demo_db, free_port):
    _open_overview(dash_duo, free_port, app)
    _click(dash_duo, "#overview-cin-reviews-overdue-link")
    dash_duo.wait_for_element("#plans-drift-grid .ag-row", timeout=60)
    url = urlparse(dash_duo.driver.current_url)
    assert url.path == "/plans" and url.fragment == "plans-drift-list"
    assert parse_qs(url.query) == {"as_at": [AS_AT.isoformat()], "flag": ["cin_review_overdue"]}
    assert Select(dash_duo.find_element("#plans-drift-flag")).first_selected_option.get_attribute("value") == (
        "cin_review_overdue"
    )
    label = flag_label("cin_review_overdue", demo_db.standards, with_standard=True)  # "... (over 42 days)"
    flags = _column(dash_duo, "plans-drift-grid", "flag")
    assert flags and set(flags) == {label}
    assert f"flagged '{label}'" in dash_duo.find_element("#plans-drift-grid-wrapper h3").text
    _wait_in_view(dash_duo, "plans-drift-list")
    # Changed by hand: every flag, then another one.
    Select(dash_duo.find_element("#plans-drift-flag")).select_by_value("all")
    WebDriverWait(dash_duo.driver, 30).until(lambda d: len(set(_column(dash_duo, "plans-drift-grid", "flag"))) > 1)
    Select(dash_duo.find_element("#plans-drift-flag")).select_by_value("cp_over_2_years")
    cp = flag_label("cp_over_2_years", demo_db.standards, with_standard=True)
    WebDriverWait(dash_duo.driver, 30).until(lambda d: set(_column(dash_duo, "plans-drift-grid", "flag")) == {cp})
    assert not severe_logs(dash_duo)


def test_the_pending_late_tile_opens_the_late_transfers_scrolled_to(dash_duo, app, free_port):
    _open_overview(dash_duo, free_port, app)
    _click(dash_duo, "#overview-transfers-pending-late-link")
    dash_duo.wait_for_element("#transfers-pending-grid .ag-row", timeout=60)
    url = urlparse(dash_duo.driver.current_url)
    assert url.path == "/transfers" and url.fragment == "transfers-pending-card"
    assert parse_qs(url.query) == {"as_at": [AS_AT.isoformat()], "pending": ["late"]}
    checked = dash_duo.find_element("#transfers-pending-filter input:checked")
    assert checked.get_attribute("value") == "late"
    verdicts = _column(dash_duo, "transfers-pending-grid", "verdict")
    assert verdicts and all(v.startswith("▲ Late") for v in verdicts)  # the demo: 1 of 4 pending is late
    _wait_in_view(dash_duo, "transfers-pending-card")
    assert not severe_logs(dash_duo)


def test_other_links_land_on_their_lists(dash_duo, app, free_port):
    """The worker-table link is only checked by its address (that table is another change's)."""
    _open_overview(dash_duo, free_port, app)
    href = urlparse(dash_duo.find_element("#overview-workers-over-target-link").get_attribute("href"))
    assert (href.path, parse_qs(href.query), href.fragment) == (
        "/caseloads",
        {"as_at": [AS_AT.isoformat()], "workers": ["over"]},
        "caseloads-workers",
    )
    _click(dash_duo, "#overview-jarp-queue-link")
    dash_duo.wait_for_element("#jarp-agenda-section", timeout=60)
    assert urlparse(dash_duo.driver.current_url).fragment == "jarp-agenda-section"
    _wait_in_view(dash_duo, "jarp-agenda-section")
    # The shell's links to other pages carry the filters only, never this page's list keys.
    for a in dash_duo.find_elements("#shell-navbar a.nav-link"):
        assert set(parse_qs(urlparse(a.get_attribute("href")).query)) <= {"as_at"}, a.text
    assert not severe_logs(dash_duo)


def test_a_hostile_flag_in_a_typed_address_falls_back_to_all_flags(dash_duo, app, free_port):
    dash_duo.start_server(app, port=free_port)
    dash_duo.driver.set_window_size(1440, 1000)
    dash_duo.wait_for_page(f"{dash_duo.server_url}/plans?as_at={AS_AT}&flag=not-a-flag")
    dash_duo.wait_for_element("#plans-drift-grid .ag-row", timeout=60)
    assert Select(dash_duo.find_element("#plans-drift-flag")).first_selected_option.get_attribute("value") == "all"
    assert len(set(_column(dash_duo, "plans-drift-grid", "flag"))) > 1
    assert not severe_logs(dash_duo)


def test_a_global_filter_change_keeps_the_list_key_and_the_fragment(dash_duo, app, free_port):
    dash_duo.start_server(app, port=free_port)
    dash_duo.driver.set_window_size(1440, 1000)
    dash_duo.wait_for_page(f"{dash_duo.server_url}/plans?as_at={AS_AT}&flag=cp_over_2_years#plans-drift-list")
    dash_duo.wait_for_element("#plans-drift-grid .ag-row", timeout=60)
    _click(dash_duo, "#shell-presentation")
    WebDriverWait(dash_duo.driver, 30).until(lambda d: "presentation=1" in d.current_url)
    url = urlparse(dash_duo.driver.current_url)
    assert parse_qs(url.query) == {"as_at": [AS_AT.isoformat()], "presentation": ["1"], "flag": ["cp_over_2_years"]}
    assert url.fragment == "plans-drift-list"
    assert not severe_logs(dash_duo)
