"""Sign-in, roles and the audit log (issue 16): who may see what, decided on the server.

:func:`register_auth` (called by ``create_app``) puts the gate in front of every request
(:mod:`.gate`), the OIDC routes when ``CSC_AUTH=oidc`` (:mod:`.oidc`) and the audit log
(:mod:`.audit`) on the Flask server. Everything else asks :func:`current_user`: the filters
(board: presentation always), the views (manager: their teams' child rows), the shell (the
navbar's name and role, the "sign-in is off" banner).
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import Flask

from .access import AccessPolicy, Grant
from .audit import AuditLog, audit_event, collected, filters_of, write_events
from .config import AuthConfig, AuthConfigError
from .gate import register_gate
from .identity import EXTENSION, User, access_scope, current_user

__all__ = [
    "AccessPolicy",
    "AuthConfig",
    "AuthConfigError",
    "Grant",
    "User",
    "access_scope",
    "audit_event",
    "collected",
    "write_events",
    "auth_mode",
    "current_user",
    "filters_of",
    "register_auth",
]


@dataclass
class AuthState:
    config: AuthConfig
    audit: AuditLog


def register_auth(server: Flask, config: AuthConfig, db) -> AuthState:
    """Install sign-in (mode ``config.mode``) and the audit log on ``server``."""
    state = AuthState(config=config, audit=AuditLog(config.audit_log))
    server.extensions[EXTENSION] = state
    register_gate(server, config, db)
    if config.mode == "oidc":
        from .oidc import register_oidc  # Authlib is only imported when it is used

        register_oidc(server, config)
    return state


def auth_mode() -> str:
    """The serving app's sign-in mode (``none`` outside an app)."""
    from flask import current_app, has_app_context

    state = current_app.extensions.get(EXTENSION) if has_app_context() else None
    return state.config.mode if state else "none"
