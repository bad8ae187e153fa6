"""Bounded inputs (issue 16, items 4 and 5): each attack of the issue, over real HTTP to the app.

A malformed callback value or body is a 400 with a short generic body, never a 500 and never split
into characters; a body over ``CSC_MAX_REQUEST_BYTES`` is a 413; an exception in a callback is
logged as its class and the callback id only and answered with a body that holds nothing; a 1 MB
worker name reaches no response whole.
"""

from __future__ import annotations

import json
import logging
from dataclasses import replace

import pytest
from dash import Input, Output

from dashboard import payloads
from dashboard.http_guard import GENERIC, SERVER_ERROR, dispatch_problem, output_ids
from dashboard.settings import Settings
from dashboard.text_bounds import bound_frame, shorten
from tests.apps import make_app
from tests.test_caseloads import ROWS

URL = "/_dash-update-component"
AS_AT = "2023-03-01"
STORE = {"as_at": AS_AT, "services": [], "teams": [], "presentation": False, "notices": []}
NAV = '..{"path":["ALL"],"type":"shell-nav"}.href...{"path":["ALL"],"type":"shell-nav"}.active...shell-brand.href..'
SYNC = (
    "..shell-filters.data...shell-url-search.data...shell-as-at.date...shell-services.value...shell-teams.value"
    "...shell-presentation.value...shell-notices.children...shell-root.className.."
)


def _outputs(output: str):
    parts = output[2:-2].split("...") if output.startswith("..") else [output]
    outs = [{"id": p.rsplit(".", 1)[0], "property": p.rsplit(".", 1)[1]} for p in parts]
    return outs if output.startswith("..") else outs[0]


def page_body(store, output="caseloads-body.children"):
    return {
        "output": output,
        "outputs": _outputs(output),
        "inputs": [{"id": "shell-filters", "property": "data", "value": store}],
        "changedPropIds": ["shell-filters.data"],
    }


def sync_body(search="", services=None, teams=None, as_at=None, presentation=False, changed="_pages_location.search"):
    values = [("_pages_location", "search", search), ("shell-as-at", "date", as_at)]
    values += [("shell-services", "value", services), ("shell-teams", "value", teams)]
    values += [("shell-presentation", "value", presentation)]
    return {
        "output": SYNC,
        "outputs": _outputs(SYNC),
        "inputs": [{"id": i, "property": p, "value": v} for i, p, v in values],
        "changedPropIds": [changed],
    }


@pytest.fixture(scope="module")
def client(small_demo):
    app = make_app(small_demo)
    c = app.server.test_client()
    assert c.get("/").status_code == 200  # first request: Dash registers its page router
    c.app = app
    return c


# --------------------------------------------------------------------------- the schema, directly


def test_a_string_where_a_list_belongs_is_refused_not_split():
    with pytest.raises(payloads.Refused):
        payloads.filters_store({**STORE, "services": "CIN/CP" * 500_000})  # the issue's 3 MB string
    with pytest.raises(payloads.Refused):
        payloads.text_list("T1")
    assert payloads.text_list(["T1", "T2"]) == ["T1", "T2"]
    assert payloads.text_list(None) == []


@pytest.mark.parametrize(
    "store",
    [
        "x",
        5,
        [STORE],
        {**STORE, "teams": ["T"] * (payloads.MAX_CHOICES + 1)},
        {**STORE, "teams": ["x" * (payloads.MAX_TEXT + 1)]},
        {**STORE, "teams": [5]},
        {**STORE, "as_at": 20230301},
        {**STORE, "as_at": "2023-03-01" * 10},
        {**STORE, "presentation": "false"},  # a string is not a switch: not silently "on"
        {**STORE, "presentation": 0},
        {**STORE, "unknown": 1},
    ],
)
def test_the_filters_store_is_checked_by_type_and_size(store):
    with pytest.raises(payloads.Refused):
        payloads.filters_store(store)


def test_a_good_store_passes_and_an_empty_one_is_nothing_to_do():
    assert payloads.filters_store(STORE) == STORE
    assert payloads.filters_store(None) is None and payloads.filters_store({}) is None
    assert payloads.filters_store({"as_at": AS_AT}) == {**STORE}


@pytest.mark.parametrize("value", [-1, 1.5, float("nan"), "3", True, [1], 10**12])
def test_clicks_must_be_a_small_whole_number(value):
    with pytest.raises(payloads.Refused):
        payloads.clicks(value)


def test_clicks_accepts_what_a_button_sends():
    assert [payloads.clicks(v) for v in (None, 0, 3, 4.0)] == [0, 0, 3, 4]


def test_csv_request_and_controls_schema():
    good = {"page": "caseloads", "part": "body", "item": "caseloads-workers", "controls": {"split": "type"}}
    assert payloads.csv_request(good) == good
    for bad in ("x", {**good, "controls": "x"}, {**good, "item": 5}, {**good, "controls": {"a": [1]}}, {"evil": 1}):
        with pytest.raises(payloads.Refused):
            payloads.csv_request(bad)


def test_output_ids_of_single_and_multi_output_callbacks():
    assert output_ids("a.children") == ["a"]
    assert output_ids("..a.data...b.value..") == ["a", "b"]


def test_dispatch_problem_names_the_shape_fault(client):
    cmap = client.app.callback_map
    good = page_body(STORE)
    assert dispatch_problem(good, cmap) is None
    assert dispatch_problem([good], cmap) == "the body is not a JSON object"
    assert dispatch_problem({**good, "outputs": [good["outputs"]]}, cmap) == "a dependency is malformed"
    assert dispatch_problem({**good, "inputs": {}}, cmap) == "wrong number of dependencies"
    assert dispatch_problem({**good, "inputs": []}, cmap) == "wrong number of dependencies"
    assert dispatch_problem({**good, "output": "nope.children"}, cmap) == "no server callback has this output"
    assert dispatch_problem({**good, "changedPropIds": "x"}, cmap) == "changed properties are not a list"
    assert dispatch_problem({**good, "changedPropIds": ["x"] * 2000}, cmap) == "too many changed properties"
    assert dispatch_problem({k: v for k, v in good.items() if k != "output"}, cmap) == "unexpected or missing fields"


# --------------------------------------------------------------------------- over HTTP


def test_a_good_request_still_answers(client):
    r = client.post(URL, json=page_body(STORE))
    assert r.status_code == 200 and b"caseloads-body" in r.data


@pytest.mark.parametrize(
    "body",
    [
        pytest.param(
            {**page_body(STORE), "outputs": [{"id": "caseloads-body", "property": "children"}]}, id="outputs-list"
        ),
        pytest.param(page_body({**STORE, "services": "ABC" * 100_000}), id="services-300KB-string"),  # 3 MB: 413
        pytest.param(sync_body(search=5), id="url-sync-search-5"),
        pytest.param(sync_body(services="CIN/CP", changed="shell-services.value"), id="services-control-string"),
        pytest.param(
            {
                "output": NAV,
                "outputs": [[], [], {"id": "shell-brand", "property": "href"}],
                "inputs": [
                    {"id": "shell-filters", "property": "data", "value": STORE},
                    {"id": "_pages_location", "property": "pathname", "value": 5},
                ],
                "changedPropIds": [],
            },
            id="navbar-pathname-5",
        ),
        pytest.param(
            {
                "output": '{"chart":["MATCH"],"type":"csv-download"}.data',
                "outputs": {"id": {"chart": "x", "type": "csv-download"}, "property": "data"},
                "inputs": [{"id": {"chart": "x", "type": "csv-button"}, "property": "n_clicks", "value": 1}],
                "state": [
                    {"id": {"chart": "x", "type": "csv-request"}, "property": "data", "value": "x"},
                    {"id": "shell-filters", "property": "data", "value": STORE},
                ],
                "changedPropIds": [],
            },
            id="csv-state-x",
        ),
        pytest.param(
            {
                "output": "..shell-pack-download.data...shell-pack-message.children..",
                "outputs": [
                    {"id": "shell-pack-download", "property": "data"},
                    {"id": "shell-pack-message", "property": "children"},
                ],
                "inputs": [{"id": "shell-pack-button", "property": "n_clicks", "value": 1}],
                "state": [{"id": "shell-filters", "property": "data", "value": {**STORE, "teams": "T1"}}],
                "changedPropIds": [],
            },
            id="pack-teams-string",
        ),
        pytest.param({"output": "shell-url-dummy.children", "inputs": []}, id="clientside-callback"),
    ],
)
def test_each_attack_of_the_issue_is_a_400_with_a_short_body(client, body):
    r = client.post(URL, json=body)
    assert r.status_code == 400
    assert r.data == (GENERIC[400] + "\n").encode()


def test_the_page_router_of_dash_refuses_a_number_for_the_search(client):
    router = next(k for k in client.app.callback_map if "_pages_content" in k)
    body = {
        "output": router,
        "outputs": _outputs(router),
        "inputs": [
            {"id": "_pages_location", "property": "pathname", "value": "/caseloads"},
            {"id": "_pages_location", "property": "search", "value": 5},
        ],
        "changedPropIds": [],
    }
    assert client.post(URL, json=body).status_code == 400
    body["inputs"][1]["value"] = "?as_at=2023-03-01"
    assert client.post(URL, json=body).status_code == 200


@pytest.mark.parametrize("raw", [b"{not json", b"[" * 100_000, b"null", b'"x"', b"[]"])
def test_a_body_that_is_not_a_json_object_is_a_400(client, raw):
    r = client.post(URL, data=raw, content_type="application/json")
    assert r.status_code == 400 and b"Traceback" not in r.data


def test_a_body_over_the_limit_is_a_413_without_a_traceback(small_demo, caplog):
    app = make_app(small_demo, replace(Settings(), max_request_bytes=10_000))
    c = app.server.test_client()
    with caplog.at_level(logging.INFO):
        r = c.post(URL, json=page_body({**STORE, "notices": ["x" * 300] * 50}))
    assert r.status_code == 413 and r.data == (GENERIC[413] + "\n").encode()
    assert "Traceback" not in caplog.text
    assert c.post(URL, json=page_body(STORE)).status_code == 200  # 1 KB: under the limit


def test_the_default_body_limit_leaves_room_for_every_team_and_service(client, small_demo):
    """The largest request the shell sends (every team and service chosen, a URL of them all) fits 1 MB."""
    from dashboard.filters import load_filter_options

    options = load_filter_options(small_demo)
    store = {**STORE, "teams": list(options.teams), "services": list(options.services)}
    body = sync_body(search="?" + "&".join(f"team={t}" for t in options.teams), teams=list(options.teams))
    size = max(len(json.dumps(body)), len(json.dumps(page_body(store))))
    assert size * 50 < Settings().max_request_bytes  # 50 times the demo's largest body
    assert client.post(URL, json=page_body(store)).status_code == 200


def test_an_exception_in_a_callback_logs_its_class_and_id_only(small_demo, caplog):
    app = make_app(small_demo)
    secret = "C0009999 Alexandra Secretname"

    def boom(value):
        raise ValueError(f"rendered page with {secret} and {value}")

    app.callback(Output("boom-out", "children"), Input("boom-in", "value"))(boom)
    c = app.server.test_client()
    body = {
        "output": "boom-out.children",
        "outputs": {"id": "boom-out", "property": "children"},
        "inputs": [{"id": "boom-in", "property": "value", "value": "Value Of Input"}],
        "changedPropIds": ["boom-in.value"],
    }
    with caplog.at_level(logging.DEBUG):
        r = c.post(URL, json=body)
    assert r.status_code == 500
    assert r.data == (SERVER_ERROR + "\n").encode()
    messages = [rec.getMessage() for rec in caplog.records]
    assert "callback boom-out.children failed: ValueError" in messages
    logged = caplog.text + "".join(str(rec.exc_info) for rec in caplog.records)
    assert secret not in logged and "Value Of Input" not in logged and "Traceback" not in logged


def test_http_errors_keep_their_status_and_headers_with_a_generic_body(client):
    r = client.put(URL, json=page_body(STORE))
    assert r.status_code == 405 and "POST" in r.headers.get("Allow", "") and r.data == b"Method not allowed.\n"
    r = client.get("/assets/no-such-file.css")
    assert r.status_code == 404 and r.data == b"Not found.\n"


# --------------------------------------------------------------------------- bounded text


def test_shorten_and_bound_frame():
    import pandas as pd

    assert shorten("abcdef", 4) == "abc…" and shorten("abcd", 4) == "abcd" and shorten(5, 1) == 5
    frame = pd.DataFrame({"worker_name": ["x" * 10, "ok", None], "n": [1, 2, 3], "reasons": ["y" * 10] * 3})
    out = bound_frame(frame, 5)
    assert out["worker_name"].tolist() == ["xxxx…", "ok", None] and out["n"].tolist() == [1, 2, 3]
    assert out["reasons"].tolist() == ["y" * 10] * 3  # a computed sentence keeps its length
    assert out.attrs["csc_shortened_cells"] == 1
    assert frame["worker_name"][0] == "x" * 10  # the input frame is not changed
    assert bound_frame(frame, 50) is frame


HUGE = "Zebedee" + "q" * 1_000_000  # a 1 MB worker name


@pytest.fixture
def huge_name_client(make_db):
    rows = {**ROWS, "workers": [dict(w, worker_name=HUGE) if w["worker_id"] == "W1" else w for w in ROWS["workers"]]}
    db = make_db(rows)
    c = make_app(db).server.test_client()
    assert c.get("/").status_code == 200
    yield c
    db.dispose()


@pytest.mark.parametrize("backend", ["sqlite", "duckdb"])  # the contract's PostgreSQL tables cap names at 200
@pytest.mark.parametrize("presentation", [False, True])
def test_a_1mb_worker_name_is_sent_shortened_with_a_note(huge_name_client, presentation):
    r = huge_name_client.post(URL, json=page_body({**STORE, "presentation": presentation}))
    assert r.status_code == 200
    assert len(r.data) < 300_000  # the page without the name is ~100 KB; with it, over 1 MB
    assert HUGE[:200].encode() not in r.data
    text = json.dumps(r.get_json(), ensure_ascii=False)
    if not presentation:  # presentation mode shows "Worker n", never the name
        assert "Zebedee" + "q" * 72 + "…" in text
        assert "are shortened here" in text
