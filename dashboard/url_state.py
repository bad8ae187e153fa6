"""The global filters and presentation mode, to and from the URL query string.

A view is bookmarkable: ``/caseloads?as_at=2023-03-31&service=CIN%2FCP&team=T03&team=T04&presentation=1``.

| key | value | default |
|---|---|---|
| ``as_at`` | ISO date ``YYYY-MM-DD`` within the data's date range | the latest date in the data |
| ``service`` | a service name; repeat the key for several | all services |
| ``team`` | a team id; repeat the key for several | all teams |
| ``presentation`` | ``1``/``0`` (also true/false, yes/no, on/off) | ``0`` |

A page's own list filters (``PageSpec.controls``, e.g. ``/plans?flag=cin_review_overdue``) ride in the
same query under the control's name, and the fragment (``#plans-drift-list``) names the element a
link scrolls to (``assets/scroll_to_hash.js``); :func:`link` builds such an address. The shell keeps
both when it rewrites the address, and its links to other pages carry only the keys above.

Parsing never fails: a malformed or out-of-range date, an unknown service or team, or a bad
presentation flag falls back to the default for that key and adds a plain-English notice that the
shell shows above the page. Pure functions, no database: the caller passes the valid choices.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from urllib.parse import parse_qs, parse_qsl, quote, urlencode

from data_layer import Filters

AS_AT, SERVICE, TEAM, PRESENTATION = "as_at", "service", "team", "presentation"
#: The shell's keys; every other key of a query belongs to the page it addresses.
SHELL_KEYS = (AS_AT, SERVICE, TEAM, PRESENTATION)
_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


@dataclass(frozen=True)
class FilterOptions:
    """What the data allows: its date range and its teams (id -> name) and services."""

    latest: date
    earliest: date | None = None
    teams: Mapping[str, str] = field(default_factory=dict)
    services: tuple[str, ...] = ()
    #: False when the data holds no readable event date: ``latest`` is then today's date, a stand-in
    #: the shell says it is (``data_layer.queries.reference.NO_DATED_RECORDS``), never a silent default.
    dated: bool = True


@dataclass(frozen=True)
class ViewState:
    """The validated global filters plus presentation mode, and notices about what was dropped."""

    as_at: date
    services: tuple[str, ...] = ()
    teams: tuple[str, ...] = ()
    presentation: bool = False
    notices: tuple[str, ...] = ()

    @property
    def filters(self) -> Filters:
        return Filters(as_at=self.as_at, services=self.services, teams=self.teams)

    def to_store(self) -> dict:
        """JSON-safe form for a ``dcc.Store``."""
        return {
            AS_AT: self.as_at.isoformat(),
            "services": list(self.services),
            "teams": list(self.teams),
            PRESENTATION: self.presentation,
            "notices": list(self.notices),
        }

    @classmethod
    def from_store(cls, data: Mapping) -> ViewState:
        return cls(
            as_at=date.fromisoformat(data[AS_AT]),
            services=tuple(data.get("services") or ()),
            teams=tuple(str(t) for t in data.get("teams") or ()),
            presentation=bool(data.get(PRESENTATION)),
            notices=tuple(data.get("notices") or ()),
        )


def _values(raw) -> list[str]:
    """Query values as a flat list (accepts one string, a list, or comma-free repeated keys)."""
    if raw is None:
        return []
    if isinstance(raw, str):
        return [raw]
    return [str(v) for v in raw]


def validate(
    as_at_raw,
    services_raw: Iterable[str] | None,
    teams_raw: Iterable[str] | None,
    presentation_raw,
    options: FilterOptions,
) -> ViewState:
    """Check every value against ``options``; keep the good ones, replace the rest by defaults.

    The same rules serve the URL and the filter controls, so a hand-edited URL and a click
    produce the same state.
    """
    notices: list[str] = []
    as_at = options.latest
    raw_date = _values(as_at_raw)
    if raw_date and raw_date[-1].strip():
        text = raw_date[-1].strip()[:10] if "T" in raw_date[-1] else raw_date[-1].strip()
        try:
            parsed = date.fromisoformat(text)
        except ValueError:
            notices.append(
                f"The as-at date '{raw_date[-1][:40]}' is not a date (YYYY-MM-DD); "
                f"showing the latest date in the data, {options.latest:%d %b %Y}."
            )
        else:
            if parsed > options.latest:
                notices.append(
                    f"There is no data after {options.latest:%d %b %Y}; showing that date instead of {parsed:%d %b %Y}."
                )
            elif options.earliest and parsed < options.earliest:
                notices.append(
                    f"There is no data before {options.earliest:%d %b %Y}; showing the latest date, "
                    f"{options.latest:%d %b %Y}."
                )
            else:
                as_at = parsed

    services: list[str] = []
    for s in _values(services_raw):
        if s in options.services:
            if s not in services:
                services.append(s)
        elif s:
            notices.append(f"Unknown service '{s[:60]}' was ignored.")

    teams: list[str] = []
    for t in _values(teams_raw):
        if t in options.teams:
            if t not in teams:
                teams.append(t)
        elif t:
            notices.append(f"Unknown team '{t[:60]}' was ignored.")

    presentation = False
    flag = [] if isinstance(presentation_raw, bool) else _values(presentation_raw)
    if isinstance(presentation_raw, bool):
        presentation = presentation_raw
    elif flag:
        word = flag[-1].strip().lower()
        if word in _TRUE:
            presentation = True
        elif word not in _FALSE:
            notices.append(f"Presentation mode '{flag[-1][:20]}' is not on or off; it is off.")

    return ViewState(
        as_at=as_at, services=tuple(services), teams=tuple(teams), presentation=presentation, notices=tuple(notices)
    )


def parse_query(search: str | None, options: FilterOptions) -> ViewState:
    """A ``location.search`` string (``?a=b&...``, leading ``?`` optional) to a valid ViewState."""
    text = (search or "").lstrip("?")
    try:
        qs = parse_qs(text, keep_blank_values=True, max_num_fields=200)
    except ValueError:
        return ViewState(as_at=options.latest, notices=("The address had too many parameters; showing defaults.",))
    return validate(qs.get(AS_AT), qs.get(SERVICE), qs.get(TEAM), qs.get(PRESENTATION), options)


def to_query(state: ViewState) -> str:
    """The query string (with ``?``) that restores ``state``; presentation only when on."""
    pairs: list[tuple[str, str]] = [(AS_AT, state.as_at.isoformat())]
    pairs += [(SERVICE, s) for s in state.services]
    pairs += [(TEAM, t) for t in state.teams]
    if state.presentation:
        pairs.append((PRESENTATION, "1"))
    return "?" + urlencode(pairs)


def link(path: str, query: str = "", params: Iterable[tuple[str, str]] = (), fragment: str = "") -> str:
    """``path`` + the shell's ``query`` (from :func:`to_query`) + a page's list-filter ``params`` + ``#fragment``.

    A param named as a shell key is dropped (a page's filter never overrides the global ones)."""
    pairs = parse_qsl(query.lstrip("?"), keep_blank_values=True)
    pairs += [(k, v) for k, v in params if k not in SHELL_KEYS]
    text = urlencode(pairs)
    return f"{path}{'?' + text if text else ''}{'#' + quote(fragment) if fragment else ''}"


__all__ = [
    "FilterOptions",
    "ViewState",
    "validate",
    "parse_query",
    "to_query",
    "link",
    "SHELL_KEYS",
    "AS_AT",
    "SERVICE",
    "TEAM",
    "PRESENTATION",
]
