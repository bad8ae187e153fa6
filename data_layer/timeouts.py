"""Connect and statement timeouts, and a bounded pool of reader threads a hung database cannot exhaust.

A database can stop answering without closing the connection (a paused or overloaded server: the
kernel still acknowledges TCP, and a stopped PostgreSQL does not run its own ``statement_timeout``),
so every read also has a client-side deadline. Reads run on a few worker threads per database; the
caller waits at most the deadline, then gets :class:`DatabaseTimeout`. A worker stuck past its
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
from concurrent.futures import Future, ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from dataclasses import dataclass
from typing import Any, TypeVar

from .errors import DatabaseTimeout

log = logging.getLogger(__name__)

T = TypeVar("T")

DEFAULT_CONNECT_TIMEOUT = 5.0
DEFAULT_STATEMENT_TIMEOUT = 30.0


def _seconds(value: str | None, default: float) -> float:
    try:
        seconds = float(value) if value and value.strip() else default
    except ValueError:
        return default
    return seconds if seconds > 0 else default


@dataclass(frozen=True)
class Timeouts:
    """How long to wait for a connection and for one statement, in seconds."""

    connect: float = DEFAULT_CONNECT_TIMEOUT
    statement: float = DEFAULT_STATEMENT_TIMEOUT

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Timeouts:
        env = os.environ if environ is None else environ
        return cls(
            connect=_seconds(env.get("CSC_DB_CONNECT_TIMEOUT"), DEFAULT_CONNECT_TIMEOUT),
            statement=_seconds(env.get("CSC_DB_STATEMENT_TIMEOUT"), DEFAULT_STATEMENT_TIMEOUT),
        )

    @property
    def deadline(self) -> float:
        """The most a caller waits for one read: a connection (pool checkout or a new one) plus the statement."""
        return self.connect + self.statement


class BoundedReader:
    """Runs reads on ``slots`` worker threads, each caller waiting at most ``timeouts.deadline``.

    ``interrupt`` (optional) is called with whatever a read registered through the ``on_start``
    argument it receives (the driver connection), when that read passes its deadline: SQLite and
    DuckDB can stop a running statement from another thread, which frees the slot at once.
    """

    def __init__(self, slots: int, timeouts: Timeouts, interrupt: Callable[[Any], None] | None = None):
        self.slots = max(1, slots)
        self.timeouts = timeouts
        self._interrupt = interrupt
        self._pool = ThreadPoolExecutor(max_workers=self.slots, thread_name_prefix="csc-db-read")
        self._free = threading.BoundedSemaphore(self.slots)
        self._lock = threading.Lock()
        self._stuck: set[Future] = set()

    @property
    def stuck(self) -> int:
        """Reads still running past their deadline."""
        with self._lock:
            return len(self._stuck)

    def run(self, fn: Callable[[Callable[[Any], None]], T]) -> T:
        """``fn(on_start)`` on a worker thread; :class:`DatabaseTimeout` after the deadline."""
        deadline = self.timeouts.deadline
        if self.stuck >= self.slots:  # every slot is held by a database that stopped answering
            raise DatabaseTimeout(deadline)
        started = time.monotonic()
        if not self._free.acquire(timeout=deadline):
            raise DatabaseTimeout(deadline)
        handle: list[Any] = []
        try:
            future = self._pool.submit(fn, handle.append)
        except BaseException:
            self._free.release()
            raise
        future.add_done_callback(self._finished)
        try:
            return future.result(timeout=max(0.0, deadline - (time.monotonic() - started)))
        except FutureTimeout:
            with self._lock:
                if not future.done():
                    self._stuck.add(future)
            log.warning("database read passed its %.0f s deadline", deadline)
            if self._interrupt is not None and handle:
                try:
                    self._interrupt(handle[0])
                except Exception as exc:  # noqa: BLE001 - best effort; the slot is counted as stuck
                    log.warning("interrupting a read failed: %s", type(exc).__name__)
            raise DatabaseTimeout(deadline) from None

    def _finished(self, future: Future) -> None:
        with self._lock:
            self._stuck.discard(future)
        self._free.release()

    def shutdown(self) -> None:
        self._pool.shutdown(wait=False, cancel_futures=True)


__all__ = ["BoundedReader", "DatabaseTimeout", "Timeouts"]
