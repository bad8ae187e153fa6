"""Partial data in Chromium: a database missing ``transfers``, one missing ``plan_reviews``, and the
demo authority as an SSD. Each starts, every page renders without an error, and what cannot be
shown is stated in plain words where it would have been (issue 14)."""

from __future__ import annotations

import shutil
import sqlite3

import pytest

from dashboard.sections import pages
from data_layer import connect, load_standards
from tests.apps import make_app
from tests.browser.helpers import severe_logs

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def small_file(tmp_path_factory):
    from data_layer.demo import generate

    return generate(tmp_path_factory.mktemp("partial") / "small.sqlite", children=800, seed=5)


def _without(small_file, table: str, tmp_path_factory):
    path = tmp_path_factory.mktemp(f"no-{table}") / f"no-{table}.sqlite"
    shutil.copy(small_file, path)
    with sqlite3.connect(path) as conn:  # the test's own writable copy; the dashboard opens it read-only
        conn.execute(f"DROP TABLE {table}")
    return connect(f"sqlite:///{path}")


def _visit_every_page(dash_duo):
    for spec in pages():
        dash_duo.wait_for_page(f"{dash_duo.server_url}{spec.path}")
        dash_duo.wait_for_element("#_pages_content > *", timeout=30)
        dash_duo.wait_for_no_elements("._dash-loading", timeout=60)
        body = dash_duo.find_element("#_pages_content").get_attribute("textContent")
        assert not dash_duo.find_elements(".page-error"), f"{spec.path}: {body[:300]}"
        assert not severe_logs(dash_duo), spec.path


def test_a_database_without_transfers_starts_and_says_what_is_missing(
    dash_duo, small_file, tmp_path_factory, free_port
):
    db = _without(small_file, "transfers", tmp_path_factory)
    dash_duo.start_server(make_app(db=db), port=free_port)
    _visit_every_page(dash_duo)
    dash_duo.wait_for_page(f"{dash_duo.server_url}/transfers")
    dash_duo.wait_for_contains_text(
        "#transfers-body-missing-note", "Table transfers is not in this database", timeout=30
    )
    dash_duo.wait_for_page(f"{dash_duo.server_url}/")
    dash_duo.wait_for_contains_text("#overview-left-out", "Transfers on time", timeout=60)
    assert not dash_duo.find_elements("#overview-transfers-on-time")
    db.dispose()


def test_a_database_without_plan_reviews_says_review_drift_cannot_be_shown(
    dash_duo, small_file, tmp_path_factory, free_port
):
    db = _without(small_file, "plan_reviews", tmp_path_factory)
    dash_duo.start_server(make_app(db=db), port=free_port)
    _visit_every_page(dash_duo)
    dash_duo.wait_for_page(f"{dash_duo.server_url}/plans")
    dash_duo.wait_for_contains_text(
        "#plans-drift-unserved-cin-review-overdue", "review drift cannot be shown", timeout=30
    )
    dash_duo.wait_for_page(f"{dash_duo.server_url}/")
    dash_duo.wait_for_contains_text("#overview-left-out", "CIN plan reviews overdue", timeout=60)
    db.dispose()


def test_the_demo_as_an_ssd_serves_every_page_and_names_its_source(dash_duo, small_file, tmp_path_factory, free_port):
    from data_layer.demo.ssd import native_to_ssd

    out = native_to_ssd(small_file, tmp_path_factory.mktemp("ssd") / "ssd.sqlite")
    db = connect(f"sqlite:///{out}", standards=load_standards(f"{out}.standards.toml"))
    assert db.source == "ssd"
    dash_duo.start_server(make_app(db=db), port=free_port)
    _visit_every_page(dash_duo)
    dash_duo.wait_for_contains_text("#shell-source", "Standard Safeguarding Dataset", timeout=10)
    dash_duo.wait_for_page(f"{dash_duo.server_url}/jarp")
    dash_duo.wait_for_contains_text("#jarp-body", "not in", timeout=30)
    db.dispose()
