"""Bounded text: no name or code longer than ``CSC_MAX_TEXT_CHARS`` reaches a chart, a table, a CSV or the pack.

The data layer returns the database's text whole (a 100 MB worker name once made a 944 MB page).
Bounding it is presentation, so it happens in one place in the dashboard: every frame a section
gets from the data layer passes :func:`dashboard.cache.cached_call`, which shortens over-long names
and codes (the id and name columns, :func:`is_name_column`) with :func:`bound_frame` (``"…"`` at
the end) and marks the frame; :func:`dashboard.sections.compute` then adds a note to the part
(``dashboard.sections.shortened_note``), so the reader knows some text was cut. Computed sentences
and lists of codes are left whole: they are the data layer's own text, not a name from the database.

The CSV is bounded too: it is built from the same values as the screen (one set of values for
every output), and a name no screen can show is a data-quality problem for the authority's own
system, not something to download.
"""

from __future__ import annotations

from contextvars import ContextVar

import pandas as pd

ELLIPSIS = "…"
DEFAULT_MAX_CHARS = 80
#: The columns holding names and codes: ids and names (``child_id``, ``worker_name``, ``from_team_name``)
#: and the contract's short codes. Computed sentences (JARP ``reasons``) and lists of codes
#: (``services_requested``) are the data layer's own text and keep their length.
NAME_COLUMNS = frozenset({"service", "area", "role", "worker", "team", "name"})


def is_name_column(column: object) -> bool:
    name = str(column)
    return name.endswith(("_id", "_name")) or name in NAME_COLUMNS


#: Frames whose text was shortened carry this in ``DataFrame.attrs`` (it survives copies and the cache).
SHORTENED = "csc_shortened_cells"

_seen: ContextVar[list[int] | None] = ContextVar("csc_text_shortened", default=None)


def shorten(value, max_chars: int = DEFAULT_MAX_CHARS):
    """``value`` cut to ``max_chars`` characters ending in "…" when it is a longer string; anything else as is."""
    if isinstance(value, str) and len(value) > max_chars:
        return value[: max_chars - 1] + ELLIPSIS
    return value


def _longest(texts: pd.Series) -> int:
    """Length of the longest value of a column of text and missing values."""
    values = texts.to_numpy(dtype=object)
    return max(map(len, values[pd.notna(values)]), default=0)


def bound_frame(frame: pd.DataFrame, max_chars: int = DEFAULT_MAX_CHARS) -> pd.DataFrame:
    """``frame`` with each name or code longer than ``max_chars`` cut to that length (the same frame if none is)."""
    shortened = 0
    out = frame
    for column in frame.columns:
        if not is_name_column(column):
            continue
        series = frame[column]
        if series.dtype != object and not isinstance(series.dtype, pd.StringDtype):
            continue
        kind = pd.api.types.infer_dtype(series, skipna=True)
        if kind not in ("string", "mixed", "mixed-integer"):
            continue
        if kind == "string" and _longest(series) <= max_chars:
            continue  # the usual case, checked at C speed (a lambda per row took 18% of a 1M-children callback)
        # .str.len() is NaN for a value that is not text, so it is never "too long"
        count = int((series.str.len() > max_chars).sum())
        if not count:
            continue
        if out is frame:
            out = frame.copy()
        out[column] = series.map(lambda v: shorten(v, max_chars))
        shortened += count
    if shortened:
        out.attrs[SHORTENED] = frame.attrs.get(SHORTENED, 0) + shortened
    return out


def bound(value, max_chars: int = DEFAULT_MAX_CHARS):
    """A data-layer result with its text bounded: frames (also inside a tuple, list or dict) are shortened."""
    if isinstance(value, pd.DataFrame):
        return bound_frame(value, max_chars)
    if isinstance(value, tuple) and not hasattr(value, "_fields"):
        return tuple(bound(v, max_chars) for v in value)
    if isinstance(value, list):
        return [bound(v, max_chars) for v in value]
    if isinstance(value, dict):
        return {k: bound(v, max_chars) for k, v in value.items()}
    return value


def note_shortened(value) -> None:
    """Tell the part being computed (if any) that ``value`` had text shortened."""
    seen = _seen.get()
    if seen is None:
        return
    frames = value if isinstance(value, tuple | list) else value.values() if isinstance(value, dict) else [value]
    for frame in frames:
        if isinstance(frame, pd.DataFrame) and frame.attrs.get(SHORTENED):
            seen.append(int(frame.attrs[SHORTENED]))


def collecting():
    """Start collecting shortened-text marks for one part; returns (the list, the token to reset)."""
    seen: list[int] = []
    return seen, _seen.set(seen)


def stop_collecting(token) -> None:
    _seen.reset(token)


__all__ = [
    "shorten",
    "is_name_column",
    "bound_frame",
    "bound",
    "note_shortened",
    "collecting",
    "stop_collecting",
    "ELLIPSIS",
    "DEFAULT_MAX_CHARS",
]
