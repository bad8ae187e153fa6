"""The Host header is never echoed into a page; CSC_ALLOWED_HOSTS refuses any other host."""

from __future__ import annotations

from dataclasses import replace

from dashboard.hosts import drop_request_tags
from dashboard.settings import Settings
from tests.apps import make_app


def test_a_forged_host_appears_nowhere_in_a_page(small_demo):
    client = make_app(small_demo).server.test_client()
    response = client.get("/caseloads?teams=T01", headers={"Host": "evil.example"})
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "evil.example" not in page
    assert 'property="og:title"' in page  # the tags not built from the request stay


def test_only_the_allowed_hosts_are_served(small_demo):
    settings = replace(Settings.from_env({}), allowed_hosts=("csc.example.org",))
    client = make_app(small_demo, settings).server.test_client()
    assert client.get("/", headers={"Host": "csc.example.org"}).status_code == 200
    refused = client.get("/", headers={"Host": "evil.example"})
    assert refused.status_code == 400
    assert "evil.example" not in refused.get_data(as_text=True)
    update = client.post("/_dash-update-component", json={}, headers={"Host": "evil.example"})
    assert update.status_code == 400


def test_the_setting_is_read_from_the_environment():
    assert Settings.from_env({"CSC_ALLOWED_HOSTS": " a.example , .b.example,"}).allowed_hosts == (
        "a.example",
        ".b.example",
    )
    assert Settings.from_env({}).allowed_hosts == ()


def test_only_request_built_tags_are_dropped():
    metas = (
        '<meta property="twitter:url" content="http://x/">'
        '<meta property="og:title" content="T">'
        '<meta property="og:image" content="http://x/a.svg">'
    )
    assert drop_request_tags(metas) == '<meta property="og:title" content="T">'
