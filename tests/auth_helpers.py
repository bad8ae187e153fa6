"""Shared pieces of the sign-in tests: an access file, a header-mode config, callback bodies posted over HTTP."""

from __future__ import annotations

import json
from datetime import date

from dashboard.auth import AuthConfig
from dashboard.url_state import ViewState

ACCESS_TOML = """
[roles]
board = ["grp-board"]
analyst = ["grp-analysts"]
[managers."grp-tm-t1"]
teams = ["T1"]
[managers."grp-tm-t2"]
teams = ["T2"]
"""


def access_file(tmp_path) -> str:
    path = tmp_path / "access.toml"
    path.write_text(ACCESS_TOML)
    return str(path)


def header_auth(tmp_path, **env) -> AuthConfig:
    return AuthConfig.from_env(
        {
            "CSC_AUTH": "header",
            "CSC_ACCESS_FILE": access_file(tmp_path),
            "CSC_AUDIT_LOG": str(tmp_path / "audit.log"),
            **env,
        }
    )


def as_user(name: str, groups: str) -> dict:
    return {"X-Forwarded-User": name, "X-Forwarded-Groups": groups}


def store(as_at: date, presentation: bool = False, teams=()) -> dict:
    return ViewState(as_at=as_at, teams=tuple(teams), presentation=presentation).to_store()


def part_body(container: str, filters: dict) -> dict:
    """A page part's callback request, as the browser sends it."""
    return {
        "output": f"{container}.children",
        "outputs": {"id": container, "property": "children"},
        "inputs": [{"id": "shell-filters", "property": "data", "value": filters}],
        "changedPropIds": ["shell-filters.data"],
    }


def csv_body(app, item: str, filters: dict, page: str = "caseloads", part: str = "body") -> dict:
    """The CSV button's callback request for ``item`` (its output key as the app registered it)."""
    output = next(k for k in app.callback_map if "csv-download" in k)
    return {
        "output": output,
        "outputs": {"id": {"type": "csv-download", "chart": item}, "property": "data"},
        "inputs": [{"id": {"type": "csv-button", "chart": item}, "property": "n_clicks", "value": 1}],
        "state": [
            {
                "id": {"type": "csv-request", "chart": item},
                "property": "data",
                "value": {"page": page, "part": part, "controls": {}, "item": item},
            },
            {"id": "shell-filters", "property": "data", "value": filters},
        ],
        "changedPropIds": [json.dumps({"chart": item, "type": "csv-button"}, separators=(",", ":")) + ".n_clicks"],
    }


def pack_body(app, filters: dict) -> dict:
    output = next(k for k in app.callback_map if "shell-pack-download" in k)
    return {
        "output": output,
        "outputs": [
            {"id": "shell-pack-download", "property": "data"},
            {"id": "shell-pack-message", "property": "children"},
        ],
        "inputs": [{"id": "shell-pack-button", "property": "n_clicks", "value": 1}],
        "state": [{"id": "shell-filters", "property": "data", "value": filters}],
        "changedPropIds": ["shell-pack-button.n_clicks"],
    }


def audit_lines(tmp_path) -> list[dict]:
    path = tmp_path / "audit.log"
    return [json.loads(line) for line in path.read_text().splitlines()] if path.exists() else []
