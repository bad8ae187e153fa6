"""Dash's callback endpoint, bounded: a body limit, the request's shape checked, errors that hold nothing.

Dash trusts the body of ``POST /_dash-update-component``: an ``outputs`` list where an object
belongs, a missing key or a clientside callback's id makes it raise, and Flask then logs the
exception with its message, which for a return-value error holds the whole rendered page (child
ids, worker names). Three things stop that here:

* ``MAX_CONTENT_LENGTH`` (``CSC_MAX_REQUEST_BYTES``): a larger body is answered 413 before it is read.
* :func:`dispatch_problem`, run before Dash on every callback request: the body must be a JSON
  object of Dash's shape (the fields ``dash-renderer`` sends, of the right types, with as many
  inputs, states and outputs as the registered callback has, each list bounded), or it is 400.
* Error handlers: an HTTP error answers its status with a one-line body; any other exception is
  logged as its class and the callback's output id only (never ``str(exc)`` nor a traceback, which
  echo values) and answered with a generic 500 body. Dash's debug mode, which shows tracebacks in
  the browser, replaces the last handler with its own and stays off in production.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from flask import Response, g, request
from werkzeug.exceptions import HTTPException

log = logging.getLogger(__name__)

#: The fields dash-renderer sends (``parsedChangedPropsIds`` since Dash 3).
BODY_KEYS = frozenset({"output", "outputs", "inputs", "state", "changedPropIds", "parsedChangedPropsIds"})
MAX_OUTPUT_CHARS = 4000  # the callback's output id: one registered key of ``app.callback_map``
MAX_ENTRIES = 1000  # components named by one request (ALL patterns: every link of a page)
MAX_ID_CHARS, MAX_PROPERTY_CHARS, MAX_ID_KEYS = 500, 100, 10
#: Dash's own page router reads these unchecked (``search: 5`` made it raise): text or nothing,
#: and a pathname under the app (starting with ``/``).
LOCATION_ID, MAX_LOCATION_CHARS = "_pages_location", 8192
GENERIC = {400: "Bad request.", 404: "Not found.", 405: "Method not allowed.", 413: "Request too large."}
SERVER_ERROR = "The server could not answer this request."


def _is_all_pattern(spec_id: str) -> bool:
    """A registered dependency whose id matches many components: Dash sends a list for it."""
    return spec_id.startswith("{") and ('["ALL"]' in spec_id or '["ALLSMALLER"]' in spec_id)


def _id_ok(value: Any) -> bool:
    if isinstance(value, str):
        return len(value) <= MAX_ID_CHARS
    if not isinstance(value, Mapping) or len(value) > MAX_ID_KEYS:
        return False
    for key, part in value.items():
        if not isinstance(key, str) or len(key) > MAX_ID_CHARS:
            return False
        if isinstance(part, str) and len(part) > MAX_ID_CHARS:
            return False
        if not isinstance(part, str | int | float | bool):
            return False
    return True


def _target_ok(entry: Any, keys: frozenset[str]) -> bool:
    """One ``{"id": ..., "property": ...}`` (inputs and states also ``"value"``; nothing else)."""
    if not isinstance(entry, Mapping) or "id" not in entry or "property" not in entry or not set(entry) <= keys:
        return False
    prop = entry["property"]
    if entry["id"] == LOCATION_ID:
        value = entry.get("value")
        if value is not None and (not isinstance(value, str) or len(value) > MAX_LOCATION_CHARS):
            return False
        if prop == "pathname" and isinstance(value, str) and not value.startswith("/"):
            return False  # Dash's router raises on a path that is not under the app
    return _id_ok(entry["id"]) and isinstance(prop, str) and len(prop) <= MAX_PROPERTY_CHARS


def _entries_problem(entries: Any, specs: list[str], keys: frozenset[str], budget: list[int]) -> str | None:
    """``entries`` as the callback's dependencies ``specs`` (registered ids) require, within ``budget``."""
    if not isinstance(entries, list) or len(entries) != len(specs):
        return "wrong number of dependencies"
    for entry, spec_id in zip(entries, specs, strict=True):
        group = entry if _is_all_pattern(spec_id) else [entry]
        if not isinstance(group, list):
            return "a pattern dependency is not a list"
        budget[0] -= len(group)
        if budget[0] < 0:
            return "too many components"
        if not all(_target_ok(e, keys) for e in group):
            return "a dependency is malformed"
    return None


def _prop_ids_problem(value: Any, budget: list[int], allow_ids: bool) -> str | None:
    if not isinstance(value, list):
        return "changed properties are not a list"
    budget[0] -= len(value)
    if budget[0] < 0:
        return "too many changed properties"
    for item in value:
        if isinstance(item, str) and len(item) <= MAX_OUTPUT_CHARS:
            continue
        if allow_ids and _id_ok(item):
            continue
        return "a changed property is malformed"
    return None


def output_ids(output: str) -> list[str]:
    """The registered output ids of a callback key: ``a.children`` or ``..a.data...b.value..``."""
    parts = output[2:-2].split("...") if output.startswith("..") and output.endswith("..") else [output]
    return [p.rsplit(".", 1)[0] for p in parts]


def dispatch_problem(body: Any, callback_map: Mapping[str, Any]) -> str | None:
    """Why ``body`` is not a callback request this app can answer (``None`` when it is one).

    Shape only: the values are the callback's to judge (:mod:`dashboard.payloads`).
    """
    if not isinstance(body, Mapping):
        return "the body is not a JSON object"
    if not set(body) <= BODY_KEYS or "output" not in body or "inputs" not in body:
        return "unexpected or missing fields"
    output = body["output"]
    if not isinstance(output, str) or len(output) > MAX_OUTPUT_CHARS:
        return "the output is not a callback id"
    callback = callback_map.get(output)
    if not isinstance(callback, Mapping) or "callback" not in callback:
        return "no server callback has this output"
    budget = [MAX_ENTRIES]
    outs = output_ids(output)
    raw_outputs = body.get("outputs")
    multi = output.startswith("..")
    outputs = raw_outputs if multi else [raw_outputs]
    problem = _entries_problem(outputs, outs, frozenset({"id", "property"}), budget)
    if problem is None:
        value_keys = frozenset({"id", "property", "value"})
        specs = [d["id"] for d in callback.get("inputs", [])]
        problem = _entries_problem(body["inputs"], specs, value_keys, budget)
        states = [d["id"] for d in callback.get("state", [])]
        if problem is None and (states or "state" in body):  # Dash reads a present ``null`` as the list
            problem = _entries_problem(body.get("state"), states, value_keys, budget)
    if problem is None and "changedPropIds" in body:
        problem = _prop_ids_problem(body["changedPropIds"], budget, allow_ids=False)
    if problem is None and "parsedChangedPropsIds" in body:
        problem = _prop_ids_problem(body["parsedChangedPropsIds"], budget, allow_ids=True)
    return problem


def _plain(text: str, status: int) -> Response:
    return Response(text + "\n", status=status, mimetype="text/plain")


def _callback_id() -> str:
    """The output id of the callback being answered, if it is a registered one (else "-")."""
    known = g.get("csc_callback_id")
    return known if isinstance(known, str) else "-"


def register_http_guard(app: Any, max_request_bytes: int) -> None:
    """Bound the body, check callback requests before Dash reads them, and answer errors with nothing in them."""
    server = app.server
    server.config["MAX_CONTENT_LENGTH"] = max_request_bytes
    endpoint = app.config.routes_pathname_prefix + "_dash-update-component"

    def check_dispatch() -> Response | None:
        if request.path != endpoint or request.method != "POST":
            return None
        try:
            body = request.get_json(silent=True)  # parsed once; Dash reads the cached value
        except RecursionError:
            body = None
        except HTTPException:
            raise  # 413 and friends
        problem = dispatch_problem(body, app.callback_map)
        if problem is not None:
            log.info("callback request refused: %s", problem)  # a fixed phrase, nothing from the body
            return _plain(GENERIC[400], 400)
        g.csc_callback_id = body["output"] if isinstance(body, Mapping) else "-"  # a registered id: safe to log
        return None

    def http_error(exc: HTTPException):
        response = exc.get_response()  # keeps headers such as Allow; the body is replaced
        response.set_data(GENERIC.get(response.status_code, exc.name or "Error.") + "\n")
        response.mimetype = "text/plain"
        return response

    def server_error(exc: Exception):
        log.error("callback %s failed: %s", _callback_id()[:MAX_OUTPUT_CHARS], type(exc).__name__)
        return _plain(SERVER_ERROR, 500)

    server.before_request(check_dispatch)
    server.register_error_handler(HTTPException, http_error)
    server.register_error_handler(Exception, server_error)


__all__ = ["register_http_guard", "dispatch_problem", "output_ids", "GENERIC", "SERVER_ERROR"]
