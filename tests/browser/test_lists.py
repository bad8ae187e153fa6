"""Lists a team manager acts on (issue 18 item 3), in headless Chromium at 1440 px on the demo.

The worker table sorts and filters from the URL; no grid header is cut and no grid is wider than
its card; grid dates read 31 Mar 2023 and sort as dates; the team list shows every team; the
data-quality page shows check-db's counts.
"""

from __future__ import annotations

import re
from datetime import date

import pytest
from selenium.webdriver.support.ui import WebDriverWait

from dashboard.sections.caseloads import worker_rows
from data_layer import Filters, caseloads, connect, latest_date, team_options
from data_layer.checks import check_database
from tests.apps import make_app
from tests.browser.helpers import save_page_screenshot, severe_logs

pytestmark = pytest.mark.browser

WIDE = (1440, 1000)
DATE_TEXT = re.compile(r"\d{2} (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) \d{4}")


@pytest.fixture(scope="module")
def demo_db():
    from data_layer.demo import ensure_demo

    return connect(f"sqlite:///{ensure_demo()}")


@pytest.fixture(scope="module")
def app(demo_db):
    return make_app(db=demo_db)


def _open(dash_duo, path: str, ready: str):
    dash_duo.driver.set_window_size(*WIDE)
    dash_duo.wait_for_page(f"{dash_duo.server_url}{path}")
    dash_duo.wait_for_element(ready, timeout=40)


def _cell(grid: str, row: int, col: str) -> str:
    return f"#{grid} .ag-row[row-index='{row}'] .ag-cell[col-id='{col}']"


def _click_header(dash_duo, grid: str, col: str):
    """A script click on the header label (the sticky filter bar can cover a selenium click point)."""
    el = dash_duo.find_element(f"#{grid} .ag-header-cell[col-id='{col}'] .ag-header-cell-label")
    dash_duo.driver.execute_script("arguments[0].scrollIntoView({block: 'center'}); arguments[0].click();", el)


def test_the_worker_table_sorts_by_a_clicked_header(dash_duo, app, demo_db, free_port):
    dash_duo.start_server(app, port=free_port)
    _open(dash_duo, "/caseloads", _cell("caseloads-workers-table", 0, "worker"))
    rows = worker_rows(caseloads(demo_db, Filters(latest_date(demo_db))))
    first = _cell("caseloads-workers-table", 0, "worker")
    # Most over target first ...
    dash_duo.wait_for_text_to_equal(first, rows["worker"].iloc[0], timeout=10)
    # ... then A-Z by name once "Worker" is clicked, and by total cases (fewest first) after that.
    _click_header(dash_duo, "caseloads-workers-table", "worker")
    dash_duo.wait_for_text_to_equal(first, sorted(rows["worker"])[0], timeout=10)
    _click_header(dash_duo, "caseloads-workers-table", "cases")
    fewest = rows.loc[rows["cases"] == rows["cases"].min(), "worker"].iloc[0]  # ties keep the row order
    dash_duo.wait_for_text_to_equal(first, fewest, timeout=10)
    assert not severe_logs(dash_duo)


def test_the_address_opens_the_table_with_only_the_workers_over_target(dash_duo, app, demo_db, free_port):
    dash_duo.start_server(app, port=free_port)
    _open(dash_duo, "/caseloads?workers=over", _cell("caseloads-workers-table", 0, "worker"))
    over = worker_rows(caseloads(demo_db, Filters(latest_date(demo_db))), only_over=True)
    assert 0 < len(over) < 20, "the demo has a page of workers over target"
    names = lambda: [  # noqa: E731 - read again on each poll
        e.text for e in dash_duo.find_elements("#caseloads-workers-table .ag-cell[col-id='worker']")
    ]
    WebDriverWait(dash_duo.driver, 10).until(lambda _: names() == over["worker"].tolist())
    assert dash_duo.find_element("#caseloads-workers-filter input[value='over']").is_selected()
    save_page_screenshot(dash_duo, "caseloads-workers-over.png")


def _grid_fit(dash_duo) -> dict:
    """Headers whose text is cut, and grids whose columns are wider than the grid itself."""
    return dash_duo.driver.execute_script(
        """
        const cut = [...document.querySelectorAll('.ag-header-cell-text')]
          .filter(e => e.scrollWidth > e.clientWidth + 1).map(e => e.textContent);
        const wide = [...document.querySelectorAll('.ag-root-wrapper')].filter(g => {
          const view = g.querySelector('.ag-center-cols-viewport');
          const cols = g.querySelector('.ag-center-cols-container');
          return view && cols && cols.scrollWidth > view.clientWidth + 1;
        }).map(g => g.closest('[id]').id);
        return {cut: cut, wide: wide, grids: document.querySelectorAll('.ag-root-wrapper').length};
        """
    )


@pytest.mark.parametrize(
    ("path", "grids"),
    [
        ("/caseloads", ("caseloads-workers-table", "caseloads-unallocated-grid")),
        ("/plans", ("plans-drift-grid",)),
        ("/transfers", ("transfers-pending-grid", "transfers-keyworker-grid")),
        ("/jarp", ("jarp-agenda-grid", "jarp-later-grid", "jarp-carried-grid", "jarp-reviews-grid")),
    ],
)
def test_no_grid_header_is_cut_and_every_grid_fits_its_card(dash_duo, app, free_port, path, grids):
    dash_duo.start_server(app, port=free_port)
    _open(dash_duo, path, f"#{grids[0]} .ag-header-cell-text")
    for grid in grids:
        dash_duo.wait_for_element(f"#{grid} .ag-row", timeout=40)
    fit = _grid_fit(dash_duo)
    assert fit["grids"] >= len(grids)
    assert fit["cut"] == [] and fit["wide"] == [], fit


def test_grid_dates_read_31_mar_2023_and_sort_as_dates(dash_duo, app, demo_db, free_port):
    dash_duo.start_server(app, port=free_port)
    _open(dash_duo, "/plans", _cell("plans-drift-grid", 0, "start_date"))
    shown = dash_duo.find_element(_cell("plans-drift-grid", 0, "start_date")).text
    assert DATE_TEXT.fullmatch(shown), shown
    # Ascending by "Plan start": the earliest date first (text would sort "01 Apr 2021" before "02 Jan 2020").
    from dashboard.sections.base import View
    from dashboard.sections.plans import drift_list

    (grid,) = [t for s in drift_list(demo_db, View.make(Filters(latest_date(demo_db)))) for t in s.tables if t.grid]
    earliest = min(d for d in grid.rows["start_date"] if d)
    _click_header(dash_duo, "plans-drift-grid", "start_date")
    want = f"{date.fromisoformat(str(earliest)[:10]):%d %b %Y}"
    dash_duo.wait_for_text_to_equal(_cell("plans-drift-grid", 0, "start_date"), want, timeout=10)


def test_the_open_team_list_shows_every_team(dash_duo, app, demo_db, free_port):
    dash_duo.start_server(app, port=free_port)
    _open(dash_duo, "/caseloads", "#shell-teams")
    dash_duo.find_element("#shell-teams").click()
    dash_duo.wait_for_element(".dash-dropdown-options .dash-dropdown-option", timeout=10)
    teams = team_options(demo_db)["team_id"].tolist()
    # Every option is on screen at once: the element at its centre is the option itself (not scrolled away).
    seen = dash_duo.driver.execute_script(
        """
        return [...document.querySelectorAll('.dash-dropdown-options .dash-dropdown-option')].filter(o => {
          const r = o.getBoundingClientRect();
          const at = document.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2);
          return r.height > 0 && at && o.contains(at);
        }).map(o => o.querySelector('input').value);
        """
    )
    assert len(teams) >= 8 and sorted(seen) == sorted(teams), seen


def test_the_data_quality_page_shows_check_dbs_counts_and_the_note_links_there(dash_duo, app, demo_db, free_port):
    dash_duo.start_server(app, port=free_port)
    _open(dash_duo, "/caseloads", "#caseloads-data-quality-table-wrapper a")
    link = dash_duo.find_element("#caseloads-data-quality-table-wrapper a")
    WebDriverWait(dash_duo.driver, 10).until(lambda _: "as_at=" in (link.get_attribute("href") or ""))
    assert "/data-quality?" in link.get_attribute("href")

    _open(dash_duo, "/data-quality", _cell("data-quality-table", 0, "rows"))
    total = int(check_database(demo_db).bad_rows["rows"].sum())
    assert dash_duo.find_element("#data-quality-total").text.startswith(f"{total:,} bad rows")
    assert not severe_logs(dash_duo)
    save_page_screenshot(dash_duo, "data-quality.png")
