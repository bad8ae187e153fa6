"""The sign-in gate: a ``before_request`` hook that identifies every request or refuses it.

Static files (Dash's JavaScript bundles, ``/assets``) hold no data and pass. Everything else (pages,
the layout, every callback, the CSV and board-pack downloads, which are callbacks) needs a user:

* ``none``: everyone is an analyst, but only on the embedded demo database (known by its path, not by
  data that looks synthetic) or from a loopback peer that did not come through a proxy; anything else is 403;
* ``header``: the user and groups headers, read only from a trusted proxy; no user is 401;
* ``oidc``: the signed session cookie set by ``/auth/callback``; a page without one is sent to
  ``/auth/login``, a callback gets 401.

A user whose groups map to no role gets 403 "no role". Refusals carry a short fixed text, never data.
"""

from __future__ import annotations

import time
from urllib.parse import quote

from flask import Flask, Response, redirect, request, session
from werkzeug.datastructures import Headers

from dashboard.headers import STATIC_ENDPOINT_PARTS

from .identity import NOBODY_SIGNED_IN, User, set_user
from .peers import is_loopback, peer_in

MAX_NAME = 256  # a user name longer than this is not a user name
MAX_GROUPS = 500
MAX_GROUP = 256
SESSION_KEY = "csc_user"
SESSION_HOURS = 8
PROXY_HEADERS = ("X-Forwarded-For", "Forwarded", "X-Real-IP")


def refuse(status: int, text: str) -> Response:
    return Response(text + "\n", status=status, mimetype="text/plain", headers=Headers({"Cache-Control": "no-store"}))


def _is_static() -> bool:
    endpoint = request.endpoint
    return endpoint is not None and any(part in endpoint for part in STATIC_ENDPOINT_PARTS)


def _is_page_request() -> bool:
    """A browser asking for a page (redirect it to sign in) rather than a callback or download (401)."""
    return request.method == "GET" and not request.path.startswith("/_")


def split_groups(value: str | None) -> list[str]:
    groups = [g.strip() for g in (value or "").split(",")]
    return [g for g in groups if g and len(g) <= MAX_GROUP][:MAX_GROUPS]


def user_from(name, groups, policy) -> User | Response:
    grant = policy.grant(groups)
    if grant is None:
        return refuse(
            403, "Signed in, but none of your groups has a role in CSC Insight (no role). Ask its administrator."
        )
    return User(name=str(name), grant=grant)


def _none_mode(db) -> User | Response:
    if getattr(db, "embedded_demo", False):  # the demo file by its path; data that looks synthetic is not enough
        return NOBODY_SIGNED_IN
    if is_loopback(request.remote_addr) and not any(h in request.headers for h in PROXY_HEADERS):
        return NOBODY_SIGNED_IN
    return refuse(403, "Sign-in is off (CSC_AUTH=none): this dashboard only answers its own machine. Set CSC_AUTH.")


def _header_mode(config) -> User | Response:
    if not peer_in(request.remote_addr, config.trusted_proxies):
        return refuse(401, "Not signed in: this request did not come through the signing-in proxy.")
    name = (request.headers.get(config.user_header) or "").strip()
    if not name or len(name) > MAX_NAME:
        return refuse(401, "Not signed in.")
    return user_from(name, split_groups(request.headers.get(config.groups_header)), config.access)


def _oidc_mode(config) -> User | Response:
    signed_in = session.get(SESSION_KEY)
    if not isinstance(signed_in, dict) or float(signed_in.get("exp", 0)) < time.time():
        if _is_page_request():
            back = quote(request.full_path.rstrip("?")[:2000], safe="/")
            return redirect("/auth/login?next=" + back)  # type: ignore[return-value]
        return refuse(401, "Not signed in.")
    return user_from(signed_in.get("name", ""), signed_in.get("groups", []), config.access)


def register_gate(server: Flask, config, db) -> None:
    modes = {"none": lambda: _none_mode(db), "header": lambda: _header_mode(config), "oidc": lambda: _oidc_mode(config)}
    identify = modes[config.mode]

    def gate():
        if _is_static() or request.path.startswith("/auth/"):
            return None
        found = identify()
        if isinstance(found, User):
            set_user(found)
            return None
        return found

    server.before_request(gate)
