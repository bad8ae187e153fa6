"""Transfers on time, counted once: the Transfers page's tiles and the Overview's tiles both read this.

Pure: the rows of :func:`data_layer.queries.transfers.transfers`, each already judged against
``transfer_working_days`` (``on_time``, ``late``, ``pending``), in; the counts out.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd


@dataclass(frozen=True)
class Timeliness:
    """``completed`` transfers, ``on_time`` of them (within the standard's working days), ``pending``
    ones and ``pending_late`` of those (already past the standard while waiting)."""

    completed: int
    on_time: int
    pending: int
    pending_late: int

    @property
    def completed_late(self) -> int:
        return self.completed - self.on_time


def timeliness(rows: pd.DataFrame) -> Timeliness:
    """Completed transfers on time and pending transfers already late, from ``transfers(db, f)`` rows."""
    if rows.empty:
        return Timeliness(0, 0, 0, 0)
    pending = rows["pending"].astype(bool)
    done, waiting = rows[~pending], rows[pending]
    return Timeliness(
        completed=len(done),
        on_time=int(done["on_time"].astype(bool).sum()),
        pending=len(waiting),
        pending_late=int(waiting["late"].astype(bool).sum()),
    )


__all__ = ["Timeliness", "timeliness"]
