"""Page callbacks' outputs are cached per inputs; errors are never cached."""

from flask import Flask

from dashboard.cache import cached_render, init_cache
from dashboard.components import guarded
from data_layer import DatabaseError


def _app(seconds=300):
    server = Flask(__name__)
    init_cache(server, seconds)
    return server


def test_same_inputs_are_answered_from_the_cache():
    calls = []

    def render(store, split="type"):
        calls.append((store["as_at"], split))
        return {"figure": [1, 2, 3], "as_at": store["as_at"]}

    with _app().app_context():
        first = cached_render(render, {"as_at": "2023-03-31"}, split="type")
        again = cached_render(render, {"as_at": "2023-03-31"}, split="type")
        other = cached_render(render, {"as_at": "2023-03-24"}, split="type")
        other_split = cached_render(render, {"as_at": "2023-03-31"}, split="team")
    assert first == again == {"figure": [1, 2, 3], "as_at": "2023-03-31"}
    assert other["as_at"] == "2023-03-24"
    assert other_split == first  # same answer, but computed again: the split is part of the key
    assert calls == [("2023-03-31", "type"), ("2023-03-24", "type"), ("2023-03-31", "team")]


def test_cache_off_and_outside_an_app_always_call():
    calls = []

    def render(x):
        calls.append(x)
        return x

    cached_render(render, 1)
    with _app(seconds=0).app_context():
        cached_render(render, 1)
        cached_render(render, 1)
    assert calls == [1, 1, 1]


def test_a_failure_is_shown_and_not_cached():
    state = {"down": True, "calls": 0}

    @guarded()
    def render(store):
        state["calls"] += 1
        if state["down"]:
            raise DatabaseError("The database could not answer")
        return "page"

    with _app().app_context():
        alert = render({"as_at": "2023-03-31"})
        assert "could not answer" in str(alert.children)
        state["down"] = False
        assert render({"as_at": "2023-03-31"}) == "page"
        assert render({"as_at": "2023-03-31"}) == "page"
    assert state["calls"] == 2
