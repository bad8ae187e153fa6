"""OpenID Connect sign-in (``CSC_AUTH=oidc``) with Authlib's Flask client: ``/auth/login``, ``/auth/callback``,
``/auth/logout``.

Authlib does the protocol: discovery from ``CSC_OIDC_METADATA_URL``, the authorization-code flow with
``state`` and ``nonce``, and the id_token's signature (the provider's JWKS), issuer, audience, expiry
and nonce. Entra ID is the common case. What the session cookie keeps is only the user's display
name and groups (``CSC_OIDC_GROUPS_CLAIM``), for :data:`SESSION_HOURS`; roles are worked out from them
on every request. The cookie is signed with ``CSC_SECRET_KEY``, HttpOnly, SameSite=Lax, and Secure
when the request came over HTTPS.
"""

from __future__ import annotations

import logging
import time

from authlib.integrations.flask_client import OAuth
from flask import Flask, redirect, request, session, url_for
from flask.sessions import SecureCookieSessionInterface

from .gate import MAX_GROUP, MAX_GROUPS, MAX_NAME, SESSION_HOURS, SESSION_KEY, refuse

log = logging.getLogger(__name__)


class _SessionInterface(SecureCookieSessionInterface):
    """Flask's signed-cookie session, marked Secure whenever the request itself was HTTPS."""

    def get_cookie_secure(self, app) -> bool:
        return bool(request.is_secure) or super().get_cookie_secure(app)


def _safe_next(value: str | None) -> str:
    """Only a path on this site (never ``//host`` or a scheme): no open redirect after sign-in."""
    if not value or not value.startswith("/") or value.startswith("//") or "\\" in value:
        return "/"
    return value[:2000]


def _groups(claims, claim: str) -> list[str]:
    value = claims.get(claim) or []
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list):
        return []
    return [g for g in value if isinstance(g, str) and 0 < len(g) <= MAX_GROUP][:MAX_GROUPS]


def register_oidc(server: Flask, config) -> None:
    oidc = config.oidc
    server.secret_key = config.secret_key
    server.session_interface = _SessionInterface()
    server.config.update(SESSION_COOKIE_NAME="csc_session", SESSION_COOKIE_HTTPONLY=True, SESSION_COOKIE_SAMESITE="Lax")
    oauth = OAuth(server)
    client = oauth.register(
        "csc",
        client_id=oidc.client_id,
        client_secret=oidc.client_secret,
        server_metadata_url=oidc.metadata_url,
        client_kwargs={"scope": "openid profile email"},
    )

    def login():
        session["csc_next"] = _safe_next(request.args.get("next"))
        return client.authorize_redirect(url_for("csc_auth_callback", _external=True))

    def callback():
        try:
            token = client.authorize_access_token()
        except Exception as exc:  # noqa: BLE001 - any protocol or signature failure is a refused sign-in
            log.warning("OIDC sign-in refused: %s", type(exc).__name__)
            return refuse(401, "Sign-in failed. Try again from the start page.")
        claims = token.get("userinfo") or {}
        name = claims.get("name") or claims.get("preferred_username") or claims.get("email") or claims.get("sub")
        if not isinstance(name, str) or not name or len(name) > MAX_NAME:
            return refuse(401, "Sign-in failed: the identity provider sent no user.")
        after = session.get("csc_next", "/")
        session.clear()
        session[SESSION_KEY] = {
            "name": name,
            "groups": [g for g in _groups(claims, oidc.groups_claim) if g in config.access.known_groups],
            "exp": time.time() + SESSION_HOURS * 3600,
        }
        return redirect(_safe_next(after))

    def logout():
        session.clear()
        try:
            end = client.load_server_metadata().get("end_session_endpoint")
        except Exception:  # noqa: BLE001 - the provider is unreachable: signed out here all the same
            end = None
        if isinstance(end, str) and end.startswith("https://"):
            return redirect(end)
        return refuse(200, "Signed out of CSC Insight.")

    server.add_url_rule("/auth/login", "csc_auth_login", login)
    server.add_url_rule("/auth/callback", "csc_auth_callback", callback)
    server.add_url_rule("/auth/logout", "csc_auth_logout", logout)
