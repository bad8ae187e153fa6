"""The page shell in headless Chromium on the demo database: navbar, banner, URL filters, notices."""

from __future__ import annotations

import pytest

from dashboard.figures.caseloads import worker_table, workers_title
from data_layer import Filters, caseloads, connect, latest_date
from tests.apps import make_app
from tests.browser.helpers import severe_logs

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def demo_db(tmp_path_factory):
    from data_layer.demo import ensure_demo

    path = ensure_demo(tmp_path_factory.mktemp("demo") / "demo.sqlite")
    return connect(f"sqlite:///{path}")


@pytest.fixture(scope="module")
def app(demo_db):
    return make_app(db=demo_db)


def _workers_title(dash_duo):
    return dash_duo.find_element("#caseloads-workers-card h2").get_attribute("textContent")


def test_starts_on_demo_with_banner_and_every_navbar_link_loads(dash_duo, app, demo_db, free_port):
    dash_duo.start_server(app, port=free_port)
    dash_duo.wait_for_element("#shell-navbar", timeout=20)
    dash_duo.wait_for_contains_text("#shell-demo-banner", "Synthetic demo data", timeout=10)
    links = dash_duo.find_elements("#shell-navbar .nav-link")
    names = [a.text for a in links]
    assert names[:2] == ["Overview", "Caseloads"], names
    from dashboard.shell import nav_pages

    assert len(nav_pages()) == 6, "every page has a navbar link (the 404 page has none)"
    assert names == [p["name"] for p in nav_pages() + nav_pages(secondary=True)]  # then Glossary, Sources
    assert not severe_logs(dash_duo)
    for name in names:
        dash_duo.find_element(f"#shell-navbar .nav-link[href^='{_href_of(dash_duo, name)}']").click()
        dash_duo.wait_for_element("#_pages_content > *", timeout=20)
        # the previous page's link stays active until the shell's callback answers: wait for this one
        dash_duo.wait_for_text_to_equal("#shell-navbar .nav-link.active", name, timeout=60)
        dash_duo.wait_for_no_elements("._dash-loading", timeout=30)
        # A script or style the Content-Security-Policy (dashboard/headers.py) refuses is a SEVERE console entry.
        assert not severe_logs(dash_duo), f"console errors on {name}"
        assert not dash_duo.find_elements(".page-error"), f"{name} shows an error on the demo data"


def _href_of(dash_duo, name):
    for a in dash_duo.find_elements("#shell-navbar .nav-link"):
        if a.text == name:
            href = a.get_attribute("href").replace(dash_duo.server_url, "")
            return href.split("?")[0]
    raise AssertionError(name)


def test_bad_url_parameters_fall_back_with_a_notice(dash_duo, app, demo_db, free_port):
    dash_duo.start_server(app, port=free_port)
    dash_duo.wait_for_page(f"{dash_duo.server_url}/caseloads?as_at=2023-02-30&team=NOPE&service=Fostering")
    dash_duo.wait_for_contains_text("#shell-notices", "is not a date", timeout=20)
    notice = dash_duo.find_element("#shell-notices").text
    assert "Unknown team 'NOPE' was ignored" in notice
    assert "Unknown service 'Fostering' was ignored" in notice
    latest = latest_date(demo_db)
    assert dash_duo.find_element("#shell-as-at").get_attribute("value") == f"{latest:%-d %b %Y}"
    # The page still draws, for the defaults.
    dash_duo.wait_for_element("#caseloads-workers-graph", timeout=20)
    expected = workers_title(worker_table(caseloads(demo_db, Filters(latest))), demo_db.standards.caseload_per_fte)
    assert _workers_title(dash_duo) == expected
    assert not severe_logs(dash_duo)


def test_bookmarked_url_restores_the_filters(dash_duo, app, demo_db, free_port):
    dash_duo.start_server(app, port=free_port)
    dash_duo.wait_for_page(f"{dash_duo.server_url}/caseloads?as_at=2022-06-30&team=T02&team=T03")
    dash_duo.wait_for_element("#caseloads-workers-graph", timeout=20)
    assert dash_duo.find_element("#shell-as-at").get_attribute("value") == "30 Jun 2022"
    shown = dash_duo.find_element("#shell-teams").text
    assert "2" in shown or ("North" in shown and "South" in shown), shown
    f = Filters(__import__("datetime").date(2022, 6, 30), teams=("T02", "T03"))
    expected = workers_title(worker_table(caseloads(demo_db, f)), demo_db.standards.caseload_per_fte)
    dash_duo.wait_for_text_to_equal("#caseloads-workers-card h2", expected, timeout=20)
    # The navbar links carry the same filters, so moving between pages keeps them.
    overview = dash_duo.find_element("#shell-navbar .nav-link[href^='/?']").get_attribute("href")
    assert "as_at=2022-06-30" in overview and "team=T02" in overview and "team=T03" in overview
    assert not dash_duo.find_elements("#shell-notice")
    assert not severe_logs(dash_duo)
