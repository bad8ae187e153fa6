"""CSV on click: the page payload carries which item to download, never the data; the server
recomputes the item for the filters and applies disclosure (presentation mode)."""

from __future__ import annotations

import json
from datetime import date
from io import StringIO

import pandas as pd
import plotly
import pytest
from dash.exceptions import PreventUpdate

from dashboard.disclosure import Disclosure
from dashboard.figures.caseloads import presented_workers, worker_table
from dashboard.url_state import ViewState
from dashboard.views import csv_for_request, render_part
from data_layer import Filters, caseloads
from tests.apps import make_app


@pytest.fixture(scope="module")
def app(small_demo):
    return make_app(db=small_demo)


def _store(presentation: bool, teams=()) -> dict:
    return ViewState(as_at=date(2023, 3, 29), teams=tuple(teams), presentation=presentation).to_store()


def _request(item: str) -> dict:
    return {"page": "caseloads", "part": "body", "controls": {}, "item": item}


def test_the_page_payload_holds_no_csv_text(app, small_demo):
    with app.server.test_request_context():
        tree = render_part("caseloads", "body", _store(False))
    payload = json.dumps(tree, cls=plotly.utils.PlotlyJSONEncoder)
    header = worker_table(caseloads(small_demo, Filters(date(2023, 3, 29)))).to_csv(index=False).splitlines()[0]
    assert header not in payload
    assert '"csv"' not in payload
    stores = [s for s in _stores(tree)]
    assert stores and all(set(s) == {"page", "part", "controls", "item"} for s in stores)


def _stores(node):
    from dash import dcc

    if isinstance(node, (list, tuple)):
        for n in node:
            yield from _stores(n)
        return
    if isinstance(node, dcc.Store) and isinstance(node.id, dict) and node.id.get("type") == "csv-request":
        yield node.data
    yield from _stores(getattr(node, "children", None) or [])


def test_csv_equals_the_chart_table_in_normal_mode(app, small_demo):
    with app.server.test_request_context():
        sent = csv_for_request(_request("caseloads-workers"), _store(False))
    got = pd.read_csv(StringIO(sent["content"]))
    want = worker_table(caseloads(small_demo, Filters(date(2023, 3, 29))))
    assert sent["filename"] == "caseloads-workers.csv"
    assert got["worker"].tolist() == want["worker"].tolist() and got["cases"].tolist() == want["cases"].tolist()


def test_csv_equals_the_displayed_values_in_presentation_mode(app, small_demo):
    with app.server.test_request_context():
        sent = csv_for_request(_request("caseloads-workers"), _store(True))
    got = pd.read_csv(StringIO(sent["content"]), dtype=str)
    d = Disclosure(threshold=small_demo.standards.suppress_below, active=True)
    want = presented_workers(worker_table(caseloads(small_demo, Filters(date(2023, 3, 29)))), d)
    pd.testing.assert_frame_equal(got, pd.read_csv(StringIO(want.to_csv(index=False)), dtype=str))
    assert "<5" in set(got["cases"])


def test_child_level_lists_give_nothing_in_presentation_mode(app):
    with app.server.test_request_context():
        normal = csv_for_request(_request("caseloads-unallocated-grid"), _store(False))
        assert "child_id" in normal["content"].splitlines()[0]
        with pytest.raises(PreventUpdate):
            csv_for_request(_request("caseloads-unallocated-grid"), _store(True))


@pytest.mark.parametrize(
    "request_",
    [
        None,
        {"page": "nope", "part": "body", "item": "caseloads-workers"},
        {"page": "caseloads", "part": "nope", "item": "caseloads-workers"},
        {"page": "caseloads", "part": "body", "item": "no-such-chart"},
    ],
)
def test_a_stale_or_empty_request_gives_no_download(app, request_):
    with app.server.test_request_context(), pytest.raises(PreventUpdate):
        csv_for_request(request_, _store(False))


@pytest.mark.parametrize(
    "request_",
    [
        "x",
        5,
        [],
        {"page": "caseloads", "part": "body", "item": ["caseloads-workers"]},
        {"page": ["caseloads"], "part": "body", "item": "caseloads-workers"},
    ],
)
def test_a_malformed_request_is_refused(app, request_):
    from dashboard.payloads import Refused

    with app.server.test_request_context(), pytest.raises(Refused):
        csv_for_request(request_, _store(False))


def test_presentation_only_setting_forces_it_whatever_the_browser_sends(small_demo):
    from dashboard.settings import Settings

    app = make_app(db=small_demo, settings=Settings(presentation_only=True))
    with app.server.test_request_context():
        sent = csv_for_request(_request("caseloads-workers"), _store(False))
        with pytest.raises(PreventUpdate):
            csv_for_request(_request("caseloads-unallocated-grid"), _store(False))
    assert "Worker 1" in sent["content"] and "role" not in sent["content"].splitlines()[0]


def test_a_part_the_database_cannot_serve_gives_no_download(small_demo, tmp_path):
    """A missing table (partial data) or a database that stops answering: no file, no error page."""
    import shutil
    import sqlite3

    from data_layer import connect

    path = tmp_path / "no-allocations.sqlite"
    shutil.copy(small_demo.fixture_path, path)
    with sqlite3.connect(path) as conn:
        conn.execute("DROP TABLE allocations")
    app = make_app(db=connect(f"sqlite:///{path}"))
    with app.server.test_request_context(), pytest.raises(PreventUpdate):
        csv_for_request(_request("caseloads-workers"), _store(False))
