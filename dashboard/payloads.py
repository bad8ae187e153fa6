"""What a callback may receive from the browser, by type and size: the one schema of every store and control.

Every value a callback reads arrives from a client that can send anything (``"services"`` as a
3 MB string instead of a list, ``search: 5``). The readers here check type and size *before*
use and either return a clean value or raise :class:`Refused`, a ``400 Bad Request`` with a short
generic body (Flask answers it; nothing of the value is echoed or logged). "Nothing there yet"
(``None``, an empty store) is not refused: callers answer it with ``PreventUpdate`` (HTTP 204).

Pure functions (no Flask request, no database), so the shell, the views, the pack button and the
page callbacks share one set of rules and tests can call them directly.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from werkzeug.exceptions import BadRequest

#: Longest id, code or name a store may hold (the data contract's ids are 64, services 100).
MAX_TEXT = 200
#: Most teams or services one filter may name (an authority has tens of teams).
MAX_CHOICES = 500
#: The store's notices, written by the server about what it dropped from an address.
MAX_NOTICES, MAX_NOTICE_CHARS = 256, 400
#: ``location.search`` and ``location.pathname`` (browsers cap a URL near 8 KB anyway).
MAX_SEARCH, MAX_PATH = 8192, 2048
#: A date as the date picker sends it (``2024-03-31`` or ``2024-03-31T00:00:00``).
MAX_DATE = 32
#: Most controls a page or a CSV request carries.
MAX_CONTROLS = 16
MAX_CLICKS = 10**9

FILTER_KEYS = ("as_at", "services", "teams", "presentation", "notices")
CSV_REQUEST_KEYS = ("page", "part", "item", "controls")


class Refused(BadRequest):
    """A callback value of the wrong type or size: HTTP 400, the same short body whatever was wrong."""

    description = "The request was not understood."


def text(value: Any, max_len: int = MAX_TEXT) -> str | None:
    """``None`` or a string of at most ``max_len`` characters; anything else is refused."""
    if value is None:
        return None
    if not isinstance(value, str) or len(value) > max_len:
        raise Refused()
    return value


def text_list(value: Any, max_items: int = MAX_CHOICES, max_len: int = MAX_TEXT) -> list[str]:
    """A list of short strings (``None`` is the empty list). A string is refused, never split into characters."""
    if value is None:
        return []
    if not isinstance(value, list) or len(value) > max_items:
        raise Refused()
    for item in value:
        if not isinstance(item, str) or len(item) > max_len:
            raise Refused()
    return list(value)


def flag(value: Any) -> bool:
    """A switch: ``True``/``False`` (``None`` is off)."""
    if value is None:
        return False
    if not isinstance(value, bool):
        raise Refused()
    return value


def clicks(value: Any) -> int:
    """A button's ``n_clicks``: a non-negative whole number (``None`` is 0)."""
    if value is None:
        return 0
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise Refused()
    if isinstance(value, float) and (math.isnan(value) or not value.is_integer()):
        raise Refused()
    if not 0 <= value <= MAX_CLICKS:
        raise Refused()
    return int(value)


def filters_store(data: Any) -> dict[str, Any] | None:
    """The global filters store (``ViewState.to_store``) checked by type and size, or ``None`` if empty.

    Only shapes are checked here; whether a date, team or service exists in the data is
    :func:`dashboard.url_state.validate`'s job (it falls back to defaults with a notice).
    """
    if data is None or data == {}:
        return None
    if not isinstance(data, Mapping) or any(k not in FILTER_KEYS for k in data):
        raise Refused()
    return {
        "as_at": text(data.get("as_at"), MAX_DATE),
        "services": text_list(data.get("services")),
        "teams": text_list(data.get("teams")),
        "presentation": flag(data.get("presentation")),
        "notices": text_list(data.get("notices"), MAX_NOTICES, MAX_NOTICE_CHARS),
    }


def controls(raw: Any) -> dict[str, str | None]:
    """A page's control values (name -> short string or ``None``); whether a value is allowed is the page's call."""
    if raw is None:
        return {}
    if not isinstance(raw, Mapping) or len(raw) > MAX_CONTROLS:
        raise Refused()
    out: dict[str, str | None] = {}
    for key, value in raw.items():
        out[text(key) or ""] = text(value)
    return out


def csv_request(data: Any) -> dict[str, Any]:
    """A CSV button's store (page, part, item id, controls), as :func:`dashboard.render.csv_button` writes it."""
    if not isinstance(data, Mapping) or any(k not in CSV_REQUEST_KEYS for k in data):
        raise Refused()
    return {
        "page": text(data.get("page")),
        "part": text(data.get("part")),
        "item": text(data.get("item")),
        "controls": controls(data.get("controls")),
    }


def pattern_paths(ids: Any, max_items: int = MAX_CHOICES) -> list[str]:
    """The ``path`` of each pattern id ``{"type": ..., "path": "/x"}`` (navbar and shell links)."""
    if not isinstance(ids, list) or len(ids) > max_items:
        raise Refused()
    out = []
    for id_ in ids:
        if not isinstance(id_, Mapping):
            raise Refused()
        path = text(id_.get("path"), MAX_PATH)
        if path is None:
            raise Refused()
        out.append(path)
    return out


__all__ = [
    "Refused",
    "text",
    "text_list",
    "flag",
    "clicks",
    "filters_store",
    "controls",
    "csv_request",
    "pattern_paths",
    "MAX_TEXT",
    "MAX_CHOICES",
]
