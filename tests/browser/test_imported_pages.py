"""A database built by ``csc-dashboard import`` from small returns: every page renders in Chromium
without an error, and what the returns do not hold is stated (issue 15)."""

from __future__ import annotations

import pytest

from data_layer import connect
from data_layer.imports import import_returns
from tests import import_samples as samples
from tests.apps import make_app
from tests.browser.test_partial_pages import _visit_every_page

pytestmark = pytest.mark.browser


def test_every_page_renders_on_imported_returns(dash_duo, tmp_path, free_port):
    out = tmp_path / "returns.duckdb"
    import_returns(out, today=samples.TODAY, **samples.write_all(tmp_path / "in"))
    db = connect(f"duckdb:///{out}")
    assert db.source == "native"
    dash_duo.start_server(make_app(db=db), port=free_port)
    _visit_every_page(dash_duo)
    dash_duo.wait_for_page(f"{dash_duo.server_url}/jarp")
    dash_duo.wait_for_contains_text("#jarp-body", "not in this database", timeout=30)
    # the import's reconciliation is on the data-quality panel (and not in presentation mode)
    dash_duo.wait_for_page(f"{dash_duo.server_url}/caseloads")
    dash_duo.wait_for_contains_text("#caseloads-data-quality-import-wrapper summary", "Imported returns:", timeout=30)
    assert "rejected" in dash_duo.find_element("#caseloads-data-quality-import-wrapper summary").text
    dash_duo.wait_for_page(f"{dash_duo.server_url}/caseloads?presentation=1")
    dash_duo.wait_for_contains_text(
        "#caseloads-data-quality-import-wrapper summary", "outside presentation mode", timeout=30
    )
    db.dispose()
