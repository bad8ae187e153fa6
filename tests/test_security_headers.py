"""Security headers: no framing, no sniffing, no referrer, Dash-compatible CSP, nothing with data cached."""

from __future__ import annotations

import pytest

from dashboard.headers import content_security_policy
from tests.apps import make_app


@pytest.fixture(scope="module")
def app(small_demo):
    return make_app(db=small_demo)


@pytest.fixture(scope="module")
def client(app):
    return app.server.test_client()


@pytest.mark.parametrize("path", ["/", "/caseloads", "/_dash-layout", "/_dash-dependencies", "/nope"])
def test_every_response_carries_the_fixed_headers_and_is_not_stored(client, path):
    headers = client.get(path).headers
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Referrer-Policy"] == "no-referrer"
    assert headers["X-Frame-Options"] == "DENY"
    assert headers["Cache-Control"] == "no-store"
    assert "Strict-Transport-Security" not in headers  # plain HTTP here


def test_pages_get_a_policy_that_allows_only_the_apps_scripts_and_dashs_inline_ones(app, client):
    policy = client.get("/plans").headers["Content-Security-Policy"]
    directives = dict(d.split(" ", 1) for d in policy.split("; "))
    assert directives["default-src"] == "'self'"
    assert directives["frame-ancestors"] == "'none'" and directives["object-src"] == "'none'"
    scripts = directives["script-src"].split()
    assert scripts[0] == "'self'" and "'unsafe-inline'" not in scripts and "'unsafe-eval'" not in scripts
    assert set(scripts[1:]) == set(app.csp_hashes()) and len(scripts) > 1  # the renderer at least


def test_json_responses_get_no_policy_and_static_files_may_be_cached(client):
    assert "Content-Security-Policy" not in client.get("/_dash-layout").headers
    asset = client.get("/assets/style.css")
    assert asset.status_code == 200 and asset.headers.get("Cache-Control") != "no-store"


def test_hsts_only_over_https(client):
    headers = client.get("/", base_url="https://localhost").headers
    assert headers["Strict-Transport-Security"].startswith("max-age=")


def test_the_policy_text():
    text = content_security_policy(["'sha256-abc'"])
    assert "script-src 'self' 'sha256-abc'" in text and "img-src 'self' data:" in text
