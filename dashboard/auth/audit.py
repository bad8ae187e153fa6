"""The audit log: who viewed child-level detail, downloaded a CSV or a board pack, for which view.

One JSON object per line (the format is in README, "Audit log"). It names the *user* and what they
looked at (page, part, item, filters, role, how many child-level rows were sent) and never a child
id, a child's or a worker's name, or any rendered value. ``CSC_AUDIT_LOG``:

* a file path: opened in append mode and flushed after each line (several gunicorn workers may
  share it: each line is one ``write`` of an ``O_APPEND`` file);
* ``syslog``: :class:`logging.handlers.SysLogHandler` to the local syslog (``/dev/log``);
* unset: the logger ``csc_insight.audit``, written to stderr.
"""

from __future__ import annotations

import json
import logging
import logging.handlers
import os
import sys
import threading
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

LOGGER = "csc_insight.audit"


class AuditLog:
    """Appends audit events to the configured sink (one per app)."""

    def __init__(self, target: str | None = None):
        self.target = target
        self._lock = threading.Lock()
        self._file = None
        self._syslog: logging.Handler | None = None
        if target == "syslog":
            address = "/dev/log" if os.path.exists("/dev/log") else ("localhost", 514)
            self._syslog = logging.handlers.SysLogHandler(address=address)
        elif target:
            self._file = Path(target).open("a", encoding="utf-8")  # kept open for the app's life
        else:
            _stderr_logger()

    def write(self, event: dict[str, Any]) -> None:
        line = json.dumps(event, separators=(",", ":"), sort_keys=True, default=str)
        if self._file is not None:
            with self._lock:
                self._file.write(line + "\n")
                self._file.flush()
        elif self._syslog is not None:
            self._syslog.handle(logging.LogRecord(LOGGER, logging.INFO, __file__, 0, line, None, None))
        else:
            logging.getLogger(LOGGER).info(line)


def _stderr_logger() -> None:
    log = logging.getLogger(LOGGER)
    if not any(getattr(h, "_csc_audit", False) for h in log.handlers):
        handler = logging.StreamHandler(sys.stderr)
        handler._csc_audit = True  # type: ignore[attr-defined]
        log.addHandler(handler)
    log.setLevel(logging.INFO)
    log.propagate = False  # audit lines are not application log lines


def utc_now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def filters_of(filters, presentation: bool) -> dict[str, Any]:
    """A view's filters as the audit log records them (``data_layer.Filters``: dates and codes only)."""
    return {
        "as_at": filters.as_at.isoformat(),
        "services": list(filters.services),
        "teams": list(filters.teams),
        "presentation": bool(presentation),
    }


def audit_event(event: str, *, filters: dict[str, Any] | None = None, **fields: Any) -> None:
    """Record ``event`` for the current request's user (no-op outside an app serving a request).

    Inside :func:`collected` (a cached render being computed) the event is kept for the caller, which
    writes it now and again whenever the cached render is served: a cache hit is a view too.
    """
    from flask import g, has_request_context

    if not has_request_context():
        return
    pending = g.get("csc_audit_collect")
    if pending is not None:
        pending.append((event, {"filters": filters, **fields}))
        return
    write_events([(event, {"filters": filters, **fields})])


def write_events(events) -> None:
    """Write ``(event, fields)`` pairs for the current request's user, stamped now."""
    from flask import current_app, has_request_context

    from .identity import EXTENSION, current_user

    if not events or not has_request_context():
        return
    state = current_app.extensions.get(EXTENSION)
    if state is None:
        return
    user = current_user()
    for event, fields in events:
        state.audit.write(
            {
                "time": utc_now(),
                "event": event,
                "user": user.name if user else None,
                "role": user.role if user else None,
                "auth": state.config.mode,
                **fields,
            }
        )


@contextmanager
def collected():
    """Collect (not write) the audit events of the block: ``with collected() as events: ...``."""
    from flask import g, has_request_context

    events: list = []
    if not has_request_context():
        yield events
        return
    outer = g.get("csc_audit_collect")
    g.csc_audit_collect = events
    try:
        yield events
    finally:
        g.csc_audit_collect = outer
