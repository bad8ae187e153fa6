"""Roles enforced on the server, over real HTTP (header mode): board, manager, analyst, and the audit log.

The hand-worked authority of ``tests/test_caseloads.py``: at 1 March 2023 the unallocated children are
C4, C8 and C10 (team T1) and C9 (team T2).
"""

from __future__ import annotations

import json

import pytest

from dashboard.sections import page
from dashboard.sections.base import View
from dashboard.sections.common import rows_of_teams
from tests.apps import make_app
from tests.auth_helpers import as_user, audit_lines, csv_body, header_auth, pack_body, part_body, store
from tests.test_caseloads import ROWS, D

CHILD_IDS = {f"C{i}" for i in range(1, 15)}
BOARD = as_user("Ada Board", "grp-board")
MANAGER_T2 = as_user("Mo Manager", "grp-tm-t2,grp-unrelated")
ANALYST = as_user("Al Analyst", "grp-analysts")


@pytest.fixture
def served(make_db, tmp_path):
    app = make_app(db=make_db(ROWS), auth=header_auth(tmp_path))
    return app, app.server.test_client(), tmp_path


def _unallocated_ids(response) -> set[str]:
    data = json.loads(response.get_data())
    grids = []

    def walk(node):
        if isinstance(node, dict):
            if node.get("props", {}).get("id") == "caseloads-unallocated-grid":
                grids.append(node["props"])
            for v in node.values():
                walk(v)
        elif isinstance(node, list):
            for v in node:
                walk(v)

    walk(data)
    return {r["child_id"] for g in grids for r in g.get("rowData") or []}


@pytest.mark.parametrize("backend", ["sqlite"])
def test_a_board_member_asking_for_full_detail_still_gets_presentation_mode(served):
    app, client, tmp_path = served
    r = client.post(
        "/_dash-update-component", json=part_body("caseloads-body", store(D, presentation=False)), headers=BOARD
    )
    assert r.status_code == 200
    text = r.get_data(as_text=True)
    assert not (CHILD_IDS & set(_words(text))), "a board member was sent child ids"
    assert "caseloads-unallocated-grid-hidden" in text  # the presentation-mode note, not the grid
    assert "<5" in text.replace("\\u003c", "<")  # small counts suppressed (W2 has 1 case)
    csv = client.post(
        "/_dash-update-component", json=csv_body(app, "caseloads-unallocated-grid", store(D)), headers=BOARD
    )
    assert csv.status_code == 204 and not (CHILD_IDS & set(_words(csv.get_data(as_text=True))))
    assert audit_lines(tmp_path) == []  # nothing child-level was sent


def _words(text: str) -> list[str]:
    import re

    return re.findall(r"C\d+", text)


@pytest.mark.parametrize("backend", ["sqlite"])
def test_a_manager_sees_child_rows_of_their_teams_only(served):
    app, client, tmp_path = served
    r = client.post("/_dash-update-component", json=part_body("caseloads-body", store(D)), headers=MANAGER_T2)
    assert r.status_code == 200 and _unallocated_ids(r) == {"C9"}
    analyst = client.post("/_dash-update-component", json=part_body("caseloads-body", store(D)), headers=ANALYST)
    assert _unallocated_ids(analyst) == {"C4", "C8", "C9", "C10"}
    # aggregates are the same for both: the workers chart counts every team
    assert _figure(r, "caseloads-workers") == _figure(analyst, "caseloads-workers")
    csv = client.post(
        "/_dash-update-component", json=csv_body(app, "caseloads-unallocated-grid", store(D)), headers=MANAGER_T2
    )
    content = next(iter(json.loads(csv.get_data())["response"].values()))["data"]["content"]
    assert set(_words(content)) == {"C9"}
    lines = audit_lines(tmp_path)
    views = [x for x in lines if x["event"] == "child_detail_view"]
    downloads = [x for x in lines if x["event"] == "csv_download"]
    assert [(v["user"], v["role"], v["page"], v["part"], v["rows"]) for v in views] == [
        ("Mo Manager", "manager", "caseloads", "body", 1),
        ("Al Analyst", "analyst", "caseloads", "body", 4),
    ]
    assert downloads[0]["item"] == "caseloads-unallocated-grid" and downloads[0]["child_level"] is True
    assert views[0]["filters"] == {"as_at": "2023-03-01", "services": [], "teams": [], "presentation": False}
    raw = (tmp_path / "audit.log").read_text()
    assert not (CHILD_IDS & set(_words(raw))) and "Worker W" not in raw  # no child id, no worker name


def _figure(response, chart_id: str):
    data = json.loads(response.get_data())
    found = []

    def walk(node):
        if isinstance(node, dict):
            if node.get("props", {}).get("id") == f"{chart_id}-graph":
                found.append(node["props"]["figure"]["data"])
            for v in node.values():
                walk(v)
        elif isinstance(node, list):
            for v in node:
                walk(v)

    walk(data)
    assert found, chart_id
    return found


@pytest.mark.parametrize("backend", ["sqlite"])
def test_the_board_pack_is_audited_for_any_role(served):
    app, client, tmp_path = served
    r = client.post("/_dash-update-component", json=pack_body(app, store(D)), headers=BOARD)
    assert r.status_code == 200
    assert "<html" in json.loads(r.get_data())["response"]["shell-pack-download"]["data"]["content"].lower()
    (line,) = audit_lines(tmp_path)
    assert line["event"] == "board_pack" and line["role"] == "board" and line["filters"]["presentation"] is True
    assert set(line) == {"time", "event", "user", "role", "auth", "filters"}
    assert line["time"].endswith("Z")


def test_every_child_level_table_keeps_only_the_managers_teams(small_demo):
    """Every part of every page, a manager of one team: each child-level table is the unscoped one filtered."""
    from dashboard.filters import load_filter_options
    from dashboard.sections import PAGE_MODULES, compute_or_missing
    from data_layer import Filters, team_options

    team = str(team_options(small_demo)["team_id"].iloc[0])
    as_at = load_filter_options(small_demo).latest
    seen = set()
    for key in PAGE_MODULES:
        spec = page(key)
        for part, _fn in spec.parts:
            full = compute_or_missing(spec, part, small_demo, View.make(Filters(as_at)))
            mine = compute_or_missing(spec, part, small_demo, View.make(Filters(as_at), detail_teams=frozenset({team})))
            pairs = zip([t for s in full for t in s.tables], [t for s in mine for t in s.tables], strict=True)
            for a, b in pairs:
                if not a.child_level:
                    assert len(a.rows) == len(b.rows), a.id  # aggregates unchanged
                    continue
                cols = [c for c in ("team_id", "referring_team_id", "from_team_id", "to_team_id") if c in a.rows]
                assert cols, f"{a.id} has no team id column"
                assert (a.total_rows or len(a.rows)) == len(a.rows), f"{a.id} is capped: pick a smaller fixture"
                want = rows_of_teams(a.rows, frozenset({team}), cols)
                assert b.rows["child_id"].tolist() == want["child_id"].tolist(), a.id
                assert len(want) < len(a.rows) or a.rows.empty, f"{a.id}: the other teams' rows were not removed"
                seen.add(a.id)
    # every child-level list of the pages (jarp-later-grid, drawn only when some referrals are booked
    # for a later panel, is built by the same call as jarp-agenda-grid)
    assert seen == {
        "caseloads-unallocated-grid",
        "jarp-agenda-grid",
        "jarp-below-grid",
        "jarp-carried-grid",
        "jarp-reviews-grid",
        "plans-drift-grid",
        "transfers-pending-grid",
        "transfers-keyworker-grid",
    }, sorted(seen)
