"""Run-time settings of the dashboard, read from the environment in one place.

Everything an operator may change without touching code is here, with a safe default: debug is
off (Dash's debug mode shows tracebacks that can carry data values), caching is on.

| variable | default | meaning |
|---|---|---|
| ``CSC_DATABASE_URL`` | (unset: the embedded demo) | SQLAlchemy URL of the authority's database |
| ``CSC_DEBUG`` | ``0`` | ``1`` turns Dash debug mode on (never on live data) |
| ``CSC_CACHE_SECONDS`` | ``300`` | how long query results are reused; ``0`` turns caching off |
| ``CSC_CACHE_MAX_MB`` | ``256`` | memory the cache may hold per server process (LRU out first); ``0`` = no cache |
| ``CSC_CACHE_URL`` | (unset: per process) | ``redis://host:port/db``: query results shared by every worker |
| ``CSC_WARM_ON_START`` | ``0`` | ``1``: each process keeps the default view cached (``dashboard.warm``) |
| ``CSC_TITLE`` | ``CSC Insight`` | name shown in the navbar and the browser tab |
| ``CSC_MAX_TABLE_ROWS`` | ``200`` | most rows a list (children, workers) sends to the browser (most urgent first) |
| ``CSC_PRESENTATION_ONLY`` | ``0`` | ``1`` forces presentation mode on for everyone (a meeting-room screen) |
| ``CSC_ALLOWED_HOSTS`` | (unset: any) | comma-separated host names served; any other ``Host`` gets 400 |
| ``CSC_DB_CONNECT_TIMEOUT`` | ``5`` | seconds to wait for a database connection (or a pooled one) |
| ``CSC_DB_STATEMENT_TIMEOUT`` | ``30`` | seconds one query may run; a read waits at most connect + statement |
| ``CSC_DUCKDB_MEMORY_MB`` | ``256`` | memory DuckDB may use per server process; ``0`` = DuckDB's own (80% of RAM) |
| ``CSC_AUTH`` | ``none`` | sign-in: ``oidc``, ``header`` or ``none`` (read by :mod:`dashboard.auth.config`) |
| ``CSC_ACCESS_FILE`` | (unset) | TOML mapping groups to roles (board, manager teams, analyst); needed unless ``none`` |
| ``CSC_OIDC_METADATA_URL``, ``_CLIENT_ID``, ``_CLIENT_SECRET`` | (unset) | the OIDC provider and client |
| ``CSC_OIDC_GROUPS_CLAIM`` | ``groups`` | the id_token claim holding the user's groups (``oidc``) |
| ``CSC_SECRET_KEY`` | (unset) | signs the session cookie; required with ``oidc`` (32+ characters) |
| ``CSC_AUTH_USER_HEADER``, ``_GROUPS_HEADER`` | ``X-Forwarded-User``, ``-Groups`` | the proxy's headers |
| ``CSC_AUTH_TRUSTED_PROXIES`` | ``127.0.0.1`` | peers whose headers are believed (IPs or CIDRs, comma-separated) |
| ``CSC_AUDIT_LOG`` | (stderr) | the audit log: a file path or ``syslog`` |
| ``CSC_MAX_REQUEST_BYTES`` | ``1048576`` | largest request body accepted (1 MB); larger ones get HTTP 413 |
| ``CSC_MAX_TEXT_CHARS`` | ``80`` | longest name or code shown (screen, CSV, pack); longer ones end in "…" with a note |

The data layer reads ``CSC_STANDARDS_FILE`` (practice standards), ``CSC_DEMO_DB`` and
``CSC_DUCKDB_MEMORY_MB`` itself, and the two timeouts too when opened without them
(``data_layer.timeouts``); the values here are the same.
gunicorn's configuration (``dashboard/gunicorn_conf.py``) reads ``CSC_BIND`` (``127.0.0.1:8050``),
``CSC_WORKERS`` (the CPUs, at least 2) and ``CSC_THREADS`` (``4``) itself.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import urlsplit

from data_layer.timeouts import DEFAULT_CONNECT_TIMEOUT, DEFAULT_STATEMENT_TIMEOUT, Timeouts

_TRUE = {"1", "true", "yes", "on"}


class StartupError(RuntimeError):
    """The dashboard cannot start; the message is the whole explanation for the operator.

    Defined here, the lowest module that refuses to start (a bad setting); :mod:`dashboard.startup`
    and :mod:`dashboard.auth` raise it too."""


class SettingsError(StartupError):
    """A setting whose value cannot be used: the message names the variable and the value."""


def _whole_number(env: Mapping[str, str], key: str, default: int, minimum: int) -> int:
    """``env[key]`` as a whole number of at least ``minimum``; unset or blank is ``default``.

    A value that is not one is refused, naming the variable, rather than quietly replaced: an
    operator who set ``CSC_CACHE_MAX_MB=2GB`` should hear about it, not run with the default.
    """
    raw = env.get(key, "")
    if not raw.strip():
        return default
    try:
        value = int(raw.strip())
    except ValueError:
        raise SettingsError(f"{key}={raw[:40]!r} is not a whole number (default {default}).") from None
    if value < minimum:
        raise SettingsError(f"{key}={value} is below {minimum} (default {default}).")
    return value


def _cache_url(env: Mapping[str, str]) -> str | None:
    """``CSC_CACHE_URL`` when it is a Redis URL (``redis://``, ``rediss://``, ``unix://``); refused otherwise.

    The message shows the URL without its password: it is read by whoever reads the start-up log.
    """
    raw = env.get("CSC_CACHE_URL", "").strip()
    if not raw:
        return None
    try:
        parts = urlsplit(raw)
        port = parts.port  # a port that is not a number raises here
        shown = raw.replace(f":{parts.password}@", ":***@") if parts.password else raw
    except ValueError:
        parts, port, shown = None, None, "(unparseable)"
    db = (parts.path.strip("/") if parts else "") or "0"
    if (
        parts is None
        or parts.scheme not in ("redis", "rediss", "unix")
        or (parts.scheme != "unix" and not parts.hostname)
        or (parts.scheme == "unix" and not parts.path)
        or (parts.scheme != "unix" and not db.isdigit())
        or (port is not None and not 0 < port < 65536)
    ):
        raise SettingsError(f"CSC_CACHE_URL={shown[:80]!r} is not a Redis URL (redis://host:6379/0).")
    return raw


def _switch(env: Mapping[str, str], key: str) -> bool:
    """``env[key]`` as on (``1``, ``true``, ``yes``, ``on``) or off (``0``, ``false``, ``no``, ``off``,
    unset or blank); anything else is refused, naming the variable."""
    raw = env.get(key, "").strip().lower()
    if raw in _TRUE:
        return True
    if raw in ("", "0", "false", "no", "off"):
        return False
    raise SettingsError(f"{key}={raw[:40]!r} is neither 1 nor 0 (default 0).")


@dataclass(frozen=True)
class Settings:
    database_url: str | None = None
    debug: bool = False
    cache_seconds: int = 300
    title: str = "CSC Insight"
    max_table_rows: int = 200  # JARP's two lists of 500 at national size were 430 KB for one page
    presentation_only: bool = False
    allowed_hosts: tuple[str, ...] = ()
    db_timeouts: Timeouts = Timeouts(DEFAULT_CONNECT_TIMEOUT, DEFAULT_STATEMENT_TIMEOUT)
    cache_max_mb: int = 256
    max_request_bytes: int = 1_048_576
    max_text_chars: int = 80
    cache_url: str | None = None
    warm_on_start: bool = False

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Settings:
        """The settings of ``environ`` (default: the process environment); :class:`SettingsError` names a bad one."""
        env = os.environ if environ is None else environ
        try:
            timeouts = Timeouts.from_env(env)
        except ValueError as exc:
            raise SettingsError(str(exc)) from None
        settings = cls(
            database_url=env.get("CSC_DATABASE_URL") or None,
            debug=env.get("CSC_DEBUG", "").strip().lower() in _TRUE,
            cache_seconds=_whole_number(env, "CSC_CACHE_SECONDS", 300, 0),
            title=env.get("CSC_TITLE") or "CSC Insight",
            max_table_rows=_whole_number(env, "CSC_MAX_TABLE_ROWS", 200, 1),
            presentation_only=env.get("CSC_PRESENTATION_ONLY", "").strip().lower() in _TRUE,
            allowed_hosts=tuple(h.strip() for h in env.get("CSC_ALLOWED_HOSTS", "").split(",") if h.strip()),
            db_timeouts=timeouts,
            cache_max_mb=_whole_number(env, "CSC_CACHE_MAX_MB", 256, 0),
            max_request_bytes=_whole_number(env, "CSC_MAX_REQUEST_BYTES", 1_048_576, 1024),
            max_text_chars=_whole_number(env, "CSC_MAX_TEXT_CHARS", 80, 8),
            cache_url=_cache_url(env),
            warm_on_start=_switch(env, "CSC_WARM_ON_START"),
        )
        if settings.warm_on_start and not (settings.cache_seconds and settings.cache_max_mb):
            raise SettingsError(
                "CSC_WARM_ON_START=1 fills the cache, but the cache is off "
                f"(CSC_CACHE_SECONDS={settings.cache_seconds}, CSC_CACHE_MAX_MB={settings.cache_max_mb}): "
                "turn one on or the other off."
            )
        return settings
