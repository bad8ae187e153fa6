"""Presentation mode survives navigation, and CSVs are asked for on click (browser, demo database).

Leak: clicking the navbar logo dropped ``presentation=1`` (and every filter), so the next page
showed real names. Every link of the shell now keeps the query.
"""

from __future__ import annotations

from datetime import date
from io import StringIO
from pathlib import Path

import pandas as pd
import pytest

from dashboard.disclosure import Disclosure
from dashboard.figures.caseloads import presented_workers, worker_table
from data_layer import Filters, caseloads, connect
from tests.apps import make_app
from tests.browser.helpers import severe_logs, wait_for_file

pytestmark = pytest.mark.browser

QUERY = "?as_at=2023-01-31&team=T02&presentation=1"


@pytest.fixture(scope="module")
def demo_db(tmp_path_factory):
    from data_layer.demo import ensure_demo

    return connect(f"sqlite:///{ensure_demo(tmp_path_factory.mktemp('demo') / 'demo.sqlite')}")


@pytest.fixture(scope="module")
def app(demo_db):
    return make_app(db=demo_db)


def _click(dash_duo, el):
    dash_duo.driver.execute_script("arguments[0].scrollIntoView({block: 'center'}); arguments[0].click();", el)


def _wait_query(dash_duo):
    dash_duo.wait_for_element("#shell-presentation:checked", timeout=20)
    url = dash_duo.driver.current_url
    assert "presentation=1" in url and "team=T02" in url and "as_at=2023-01-31" in url, url


def test_presentation_mode_survives_every_link_of_the_shell(dash_duo, app, free_port):
    dash_duo.start_server(app, port=free_port)
    dash_duo.wait_for_page(f"{dash_duo.server_url}/caseloads{QUERY}")
    _wait_query(dash_duo)
    selectors = ["#shell-brand"] + [
        f"#shell-navbar .nav-link >> {i}" for i in range(len(dash_duo.find_elements("#shell-navbar .nav-link")))
    ]
    for sel in selectors:
        if ">>" in sel:
            css, index = sel.split(" >> ")
            el = dash_duo.find_elements(css)[int(index)]
        else:
            el = dash_duo.find_element(sel)
        # the shell fills the links' query from the filters store: wait until it has
        dash_duo.wait_for_element(
            f"{'#shell-brand' if sel == '#shell-brand' else css}[href*='presentation=1']", timeout=20
        )
        _click(dash_duo, el)
        dash_duo.wait_for_element("#_pages_content > *", timeout=20)
        _wait_query(dash_duo)
    # the Overview's list of pages keeps the query too
    dash_duo.wait_for_page(f"{dash_duo.server_url}/{QUERY}")
    dash_duo.wait_for_element("#overview-links a[href*='presentation=1']", timeout=20)
    links = dash_duo.find_elements("#overview-links a")
    assert links and all("presentation=1" in a.get_attribute("href") for a in links)
    _click(dash_duo, links[0])
    _wait_query(dash_duo)
    assert not severe_logs(dash_duo)


def test_csv_in_presentation_mode_is_exactly_what_is_shown(dash_duo, app, demo_db, free_port):
    dash_duo.start_server(app, port=free_port)
    dash_duo.wait_for_page(f"{dash_duo.server_url}/caseloads{QUERY}")
    dash_duo.wait_for_element("#caseloads-workers-graph .js-plotly-plot", timeout=30)
    _click(dash_duo, dash_duo.find_element("#caseloads-workers-card .csv-button"))
    got = pd.read_csv(wait_for_file(Path(dash_duo.download_path), "caseloads-workers*.csv"), dtype=str)
    d = Disclosure(threshold=demo_db.standards.suppress_below, active=True)
    want = presented_workers(worker_table(caseloads(demo_db, Filters(date(2023, 1, 31), teams=("T02",)))), d)
    expected = pd.read_csv(StringIO(want.to_csv(index=False)), dtype=str)
    pd.testing.assert_frame_equal(got, expected)
    assert list(got.columns) == ["worker", "cases", "over_target"]
    assert not severe_logs(dash_duo)
