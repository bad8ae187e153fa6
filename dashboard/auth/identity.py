"""Who is asking: the request's :class:`User`, kept on Flask's ``g`` by the sign-in gate.

Pages, views and the pack ask :func:`current_user`; the gate (:mod:`dashboard.auth.gate`) has
already refused a request without one. A request context that never went through the gate (a
unit test rendering a part inside ``test_request_context``) gets the mode's default: everyone is
an analyst with sign-in off, and nobody otherwise.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import current_app, g, has_app_context, has_request_context

from .access import Grant

EXTENSION = "csc_auth"


@dataclass(frozen=True)
class User:
    """A signed-in person: a display name (for the navbar and the audit log only) and their grant."""

    name: str
    grant: Grant

    @property
    def role(self) -> str:
        return self.grant.role

    @property
    def presentation_only(self) -> bool:
        """Board members see presentation mode whatever the browser sends."""
        return self.grant.role == "board"

    @property
    def detail_teams(self) -> frozenset[str] | None:
        """Teams whose child-level rows this user may see (None: all; empty: none)."""
        return self.grant.teams


#: Everyone, when sign-in is off (``CSC_AUTH=none``: the demo, or a loopback request).
NOBODY_SIGNED_IN = User(name="sign-in off", grant=Grant("analyst"))


def set_user(user: User) -> None:
    g.csc_user = user


def current_user() -> User | None:
    """The request's user; None when nobody is signed in (then show no data) or outside any app.

    Inside an app but outside a request (a script or test working in ``app_context()``), and with
    sign-in off, it is the mode's everyone-analyst user: no HTTP client is involved there.
    """
    if not has_app_context():
        return None
    user = g.get("csc_user") if has_request_context() else None
    if user is not None:
        return user
    state = current_app.extensions.get(EXTENSION)
    if state is None or state.config.mode == "none":
        return NOBODY_SIGNED_IN
    return None


def access_scope() -> str:
    """What the current user may see, as a cache-key part: two users share a cached render only when
    they would be sent the same thing (presentation forced or not, and the same teams' child rows)."""
    user = current_user()
    if user is None:
        return "nobody"
    teams = "*" if user.detail_teams is None else ",".join(sorted(user.detail_teams))
    return f"{user.role}|{teams}"
