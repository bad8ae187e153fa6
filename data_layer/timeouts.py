"""Connect and statement timeouts, and a bounded number of reader threads a hung database cannot exhaust.

A database can stop answering without closing the connection (a paused or overloaded server: the
kernel still acknowledges TCP, and a stopped PostgreSQL does not run its own ``statement_timeout``),
so every read also has a client-side deadline. Reads run on their own threads, a few at once per
database; the caller waits at most the deadline, then gets :class:`DatabaseTimeout`. A worker stuck past its
deadline keeps its slot until the driver returns; when every slot is stuck, a new read fails at once
instead of queueing behind them, so the web server's own threads are never all held by the database.

The settings are read from the environment here (the data layer does not import the dashboard):
``CSC_DB_CONNECT_TIMEOUT`` (seconds, default 5) and ``CSC_DB_STATEMENT_TIMEOUT`` (seconds, default 30).
"""

from __future__ import annotations

import logging
import os
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, TypeVar

from .errors import DatabaseTimeout

log = logging.getLogger(__name__)

T = TypeVar("T")

DEFAULT_CONNECT_TIMEOUT = 5.0
DEFAULT_STATEMENT_TIMEOUT = 30.0


def _seconds(env: Mapping[str, str], key: str, default: float) -> float:
    """``env[key]`` as a number of seconds above 0 (unset or blank: ``default``).

    Anything else raises ``ValueError`` naming the variable: a timeout quietly replaced by the
    default is a timeout the operator does not know they have.
    """
    raw = env.get(key, "")
    if not raw.strip():
        return default
    try:
        seconds = float(raw.strip())
    except ValueError:
        seconds = float("nan")
    if not seconds > 0 or seconds == float("inf"):
        raise ValueError(f"{key}={raw[:40]!r} is not a number of seconds above 0 (default {default:g}).")
    return seconds


@dataclass(frozen=True)
class Timeouts:
    """How long to wait for a connection and for one statement, in seconds."""

    connect: float = DEFAULT_CONNECT_TIMEOUT
    statement: float = DEFAULT_STATEMENT_TIMEOUT

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Timeouts:
        env = os.environ if environ is None else environ
        return cls(
            connect=_seconds(env, "CSC_DB_CONNECT_TIMEOUT", DEFAULT_CONNECT_TIMEOUT),
            statement=_seconds(env, "CSC_DB_STATEMENT_TIMEOUT", DEFAULT_STATEMENT_TIMEOUT),
        )

    @property
    def deadline(self) -> float:
        """The most a caller waits for one read: a connection (pool checkout or a new one) plus the statement."""
        return self.connect + self.statement


class BoundedReader:
    """Runs each read on a thread of its own, at most ``slots`` at once, each caller waiting at most
    ``timeouts.deadline``.

    A thread per read (started in ~0.1 ms) rather than a pool: a pool's idle workers are shared
    state that outlives requests, and a worker that dies (a server killing its threads, as Dash's
    test runner does) would leave reads queued behind it forever. ``interrupt`` (optional) is called
    with whatever a read registered through the ``on_start`` argument it receives (the driver
    connection) when that read passes its deadline: SQLite and DuckDB can stop a running statement
    from another thread, which frees the slot at once.
    """

    def __init__(self, slots: int, timeouts: Timeouts, interrupt: Callable[[Any], None] | None = None):
        self.slots = max(1, slots)
        self.timeouts = timeouts
        self._interrupt = interrupt
        self._free = threading.BoundedSemaphore(self.slots)
        self._lock = threading.Lock()
        self._stuck: set[int] = set()
        self._closed = False

    @property
    def stuck(self) -> int:
        """Reads still running past their deadline."""
        with self._lock:
            return len(self._stuck)

    def run(self, fn: Callable[[Callable[[Any], None]], T]) -> T:
        """``fn(on_start)`` on a thread of its own; :class:`DatabaseTimeout` after the deadline."""
        deadline = self.timeouts.deadline
        if self._closed:
            raise RuntimeError("this database has been closed")
        if self.stuck >= self.slots:  # every slot is held by a database that stopped answering
            raise DatabaseTimeout(deadline)
        started = time.monotonic()
        if not self._free.acquire(timeout=deadline):
            raise DatabaseTimeout(deadline)
        handle: list[Any] = []
        outcome: dict[str, Any] = {}
        done = threading.Event()

        def work() -> None:
            try:
                outcome["value"] = fn(handle.append)
            except BaseException as exc:  # noqa: BLE001 - handed to the caller, who re-raises it
                outcome["error"] = exc
            finally:
                with self._lock:
                    self._stuck.discard(id(done))
                self._free.release()
                done.set()

        try:
            threading.Thread(target=work, name="csc-db-read", daemon=True).start()
        except BaseException:
            self._free.release()
            raise
        if not done.wait(timeout=max(0.0, deadline - (time.monotonic() - started))):
            with self._lock:
                if not done.is_set():
                    self._stuck.add(id(done))
            log.warning("database read passed its %.0f s deadline", deadline)
            if self._interrupt is not None and handle:
                try:
                    self._interrupt(handle[0])
                except Exception as exc:  # noqa: BLE001 - best effort; the slot is counted as stuck
                    log.warning("interrupting a read failed: %s", type(exc).__name__)
            raise DatabaseTimeout(deadline) from None
        if "error" in outcome:
            raise outcome["error"]
        return outcome["value"]

    def shutdown(self) -> None:
        """No new reads; those running finish on their own threads."""
        self._closed = True
