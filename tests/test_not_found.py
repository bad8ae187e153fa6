"""An address that is not a page: status 404 and links back, while every page and Dash's own routes still answer."""

from __future__ import annotations

import pytest

from dashboard.settings import Settings
from dashboard.shell import nav_pages
from tests.apps import make_app

PAGE_PATHS = ["/", "/caseloads", "/plans", "/cin-pilot", "/transfers", "/jarp"]
REFERENCE_PATHS = ["/glossary", "/sources"]  # the navbar's secondary links


@pytest.fixture(scope="module")
def client(small_demo):
    return make_app(db=small_demo).server.test_client()


@pytest.mark.parametrize(
    "path", PAGE_PATHS + REFERENCE_PATHS + ["/data-quality", "/caseloads/", "/plans?as_at=2023-03-31&presentation=1"]
)
def test_every_page_still_answers(client, path):
    assert client.get(path).status_code == 200


@pytest.mark.parametrize("path", ["/_dash-layout", "/_dash-dependencies", "/_favicon.ico", "/assets/style.css"])
def test_dash_routes_and_assets_are_not_judged(client, path):
    assert client.get(path).status_code == 200


@pytest.mark.parametrize("path", ["/nope", "/caseloads/extra", "/favicon.ico", "/404"])
def test_an_unknown_address_is_a_404_with_a_link_to_every_page(client, path):
    response = client.get(path)
    assert response.status_code == 404
    assert response.mimetype == "text/html"
    body = response.get_data(as_text=True)
    assert "Page not found" in body
    hrefs = [f'href="{p}"' for p in PAGE_PATHS + REFERENCE_PATHS]
    assert all(h in body for h in hrefs), body
    assert len(nav_pages()) == len(PAGE_PATHS) and len(nav_pages(secondary=True)) == len(REFERENCE_PATHS)


def test_the_links_back_keep_presentation_mode_and_nothing_else_from_the_request(client):
    body = client.get("/nope?presentation=1&team=<script>alert(1)</script>").get_data(as_text=True)
    assert 'href="/caseloads?presentation=1"' in body
    assert "<script>" not in body and "team=" not in body


def test_presentation_only_keeps_presentation_mode_in_every_link(small_demo):
    app = make_app(db=small_demo, settings=Settings(presentation_only=True))
    body = app.server.test_client().get("/nope").get_data(as_text=True)
    # every page, the reference pages and the data-quality page (linked from pages, not the navbar)
    assert body.count("?presentation=1") == len(nav_pages(linked_only=False)) + len(REFERENCE_PATHS)


def test_the_path_is_not_written_into_the_page(client):
    response = client.get("/%3Cimg%20src=x%20onerror=alert(1)%3E")
    assert response.status_code == 404
    assert "onerror" not in response.get_data(as_text=True)
