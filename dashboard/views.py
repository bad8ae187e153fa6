"""From a request to a :class:`~dashboard.sections.base.View`, and a part rendered for it.

The browser's filters store is never trusted: :func:`view_from_store` validates it again with the
shell's rules (an unknown team or a bad date falls back to the default), and presentation mode is
forced on when the deployment says so (``CSC_PRESENTATION_ONLY=1``), whatever the browser sends.
Page callbacks call :func:`render_part`; the CSV button calls :func:`csv_for_request`.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping

from dash.exceptions import PreventUpdate

from dashboard.context import get_db, get_settings
from dashboard.sections import compute, compute_or_missing, page
from dashboard.sections.base import Chart, PageSpec, Table, View, find_item
from dashboard.url_state import ViewState, validate
from data_layer import DatabaseError

log = logging.getLogger(__name__)


def state_from_store(data) -> ViewState:
    """The filters store, validated against the data's teams, services and dates."""
    from dashboard.shell import filter_options

    if not isinstance(data, Mapping) or not data:
        raise PreventUpdate
    options, _ = filter_options()
    state = validate(
        data.get("as_at"),
        data.get("services") or [],
        data.get("teams") or [],
        bool(data.get("presentation") is True),
        options,
    )
    if get_settings().presentation_only and not state.presentation:
        state = ViewState(
            as_at=state.as_at, services=state.services, teams=state.teams, presentation=True, notices=state.notices
        )
    return state


def view_from_store(data, controls: Mapping[str, str] | None = None) -> View:
    state = state_from_store(data)
    return View.make(
        state.filters, presentation=state.presentation, threshold=get_db().standards.suppress_below, controls=controls
    )


def render_part(page_key: str, part: str, data, raw_controls: Mapping | None = None):
    """A page part's components for the filters store ``data`` and the page's controls."""
    from dashboard.render import sections_view

    spec = page(page_key)
    controls = spec.validate_controls(raw_controls or {}, get_db())
    view = view_from_store(data, controls)
    sections = compute_or_missing(spec, part, get_db(), view)
    request = {"page": spec.key, "part": part, "controls": controls}
    return sections_view(sections, request, presentation=view.presentation)


def _item_csv(item, view: View) -> str:
    if isinstance(item, Chart):
        return item.table.to_csv(index=False)
    if isinstance(item, Table):
        if item.child_level and view.presentation:
            raise PreventUpdate
        return item.csv_table.to_csv(index=False)
    raise PreventUpdate


def csv_for_request(request, filters) -> dict:
    """The ``dcc.Download`` data for a CSV button: that item's table for the current filters.

    ``request`` is the button's store (page, part, item id, controls): validated here, since the
    browser can send anything. Child-level tables give nothing in presentation mode.
    """
    if not isinstance(request, Mapping):
        raise PreventUpdate
    try:
        spec: PageSpec = page(request.get("page"))
        part = request.get("part")
        spec.part(part)
    except (KeyError, TypeError):
        raise PreventUpdate from None
    item_id = request.get("item")
    if not isinstance(item_id, str) or len(item_id) > 200:
        raise PreventUpdate
    controls = spec.validate_controls(request.get("controls"), get_db())
    view = view_from_store(filters, controls)
    try:
        item = find_item(compute(spec, part, get_db(), view), item_id)
    except DatabaseError as exc:  # the database went away, or does not hold this part: no file
        log.warning("CSV of %s.%s not made: %s", spec.key, part, type(exc).__name__)
        raise PreventUpdate from None
    if item is None:
        raise PreventUpdate
    return {"content": _item_csv(item, view), "filename": item.csv_name, "type": "text/csv", "base64": False}


__all__ = ["state_from_store", "view_from_store", "render_part", "csv_for_request"]
