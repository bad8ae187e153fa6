"""Every page's ``layout(**query)`` draws, whatever the address holds and whatever state the database is in.

Dash calls a page's layout with every query-string key of the address as a keyword, and an
address is typed or bookmarked by anyone: an unknown key, or a key given twice (Dash passes a
list), must not break the page. Layouts never query the database either (the figures come from
guarded callbacks), so a database that fails every call still gives a page with its frame.
"""

from __future__ import annotations

import importlib
import inspect
from pathlib import Path

import dash
import pytest
from dash.development.base_component import Component

from data_layer import DatabaseError, load_standards
from tests.apps import make_app

PAGES_DIR = Path(__file__).resolve().parents[1] / "dashboard" / "pages"


class BrokenDatabase:
    """A database whose standards load but whose every other use fails, as when the server goes away."""

    is_demo = False

    def __init__(self):
        self.standards = load_standards()

    def __getattr__(self, name):
        raise DatabaseError("The database could not answer (OperationalError).")


@pytest.fixture(scope="module")
def app():
    return make_app(db=BrokenDatabase())


def _pages():
    return sorted(dash.page_registry.values(), key=lambda p: p["module"])


def test_dash_names_the_pages_by_their_real_modules(app):
    files = sorted(p.stem for p in PAGES_DIR.glob("*.py") if not p.name.startswith("_"))
    assert sorted(dash.page_registry) == [f"dashboard.pages.{f}" for f in files]
    for name, page in dash.page_registry.items():
        module = importlib.import_module(name)  # the module Dash ran, not a second copy
        assert page["layout"] is module.layout
        assert Path(module.__file__).parent == PAGES_DIR


@pytest.mark.parametrize(
    "query",
    [{}, {"junk": "x"}, {"as_at": "not a date", "teams": ["A", "B"]}, {"pilot": ["a", "b"], "split": "nope"}],
    ids=["none", "unknown-key", "shell-keys", "repeated-keys"],
)
def test_every_layout_draws_on_any_query_and_a_failing_database(app, query):
    assert _pages(), "no page registered"
    for page in _pages():
        params = set(inspect.signature(page["layout"]).parameters) - {"_query"}
        extra = {p: ["a", "b"] for p in params}  # every named parameter given twice in the address
        with app.server.test_request_context(page["path"]):
            for kwargs in (query, {**query, **extra}):
                tree = page["layout"](**kwargs)
                assert isinstance(tree, Component), (page["module"], kwargs)
