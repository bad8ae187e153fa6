"""From a request to a :class:`~dashboard.sections.base.View`, and a part rendered for it.

The browser's filters store is never trusted: :func:`view_from_store` validates it again with the
shell's rules (:func:`dashboard.filters.state_from_store`: an unknown team or a bad date falls back
to the default, and presentation mode is forced on when the deployment says so).
Page callbacks call :func:`render_part`; every CSV button is served by the one callback
:func:`register_csv_download` wires, which calls :func:`csv_for_request`.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping

from dash import MATCH, Input, Output, State
from dash.exceptions import PreventUpdate

from dashboard import payloads
from dashboard.auth import audit_event, current_user, filters_of
from dashboard.context import FILTERS_ID, get_db
from dashboard.filters import state_from_store
from dashboard.render import CSV_BUTTON, CSV_DOWNLOAD, CSV_REQUEST, sections_view
from dashboard.sections import compute, compute_or_missing, page
from dashboard.sections.base import Chart, PageSpec, Table, View, find_item
from data_layer import DatabaseError

log = logging.getLogger(__name__)


def view_from_store(data, controls: Mapping[str, str] | None = None) -> View:
    """The view for the filters store and the signed-in user (a manager's child rows: their teams only)."""
    state = state_from_store(data)
    user = current_user()
    return View.make(
        state.filters,
        presentation=state.presentation,
        threshold=get_db().standards.suppress_below,
        controls=controls,
        detail_teams=user.detail_teams if user else frozenset(),
    )


def child_rows_sent(sections, view: View) -> int:
    """How many child-level rows a render sends (0 in presentation mode, where none are)."""
    if view.presentation:
        return 0
    return sum(len(t.rows) for s in sections for t in s.tables if t.child_level)


def render_part(page_key: str, part: str, data, raw_controls: Mapping | None = None):
    """A page part's components for the filters store ``data`` and the page's controls."""
    spec = page(page_key)
    controls = spec.validate_controls(payloads.controls(raw_controls), get_db())
    view = view_from_store(data, controls)
    sections = compute_or_missing(spec, part, get_db(), view)
    rows = child_rows_sent(sections, view)
    if rows:
        audit_event(
            "child_detail_view",
            page=spec.key,
            part=part,
            rows=rows,
            filters=filters_of(view.filters, view.presentation),
        )
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
    browser can send anything: a store of the wrong shape is refused (400); one naming a page,
    part or item that does not exist (a stale page) gives nothing (204). Child-level tables give
    nothing in presentation mode (so nothing to a board member) and a manager only their teams'
    rows (the view's ``detail_teams``); every file made is in the audit log.
    """
    if request is None:
        raise PreventUpdate
    request = payloads.csv_request(request)
    page_key, part = request["page"], request["part"]
    if page_key is None or part is None:
        raise PreventUpdate
    try:
        spec: PageSpec = page(page_key)
        spec.part(part)
    except (KeyError, TypeError):
        raise PreventUpdate from None
    item_id = request["item"]
    if item_id is None:
        raise PreventUpdate
    controls = spec.validate_controls(request["controls"], get_db())
    view = view_from_store(filters, controls)
    try:
        item = find_item(compute(spec, part, get_db(), view), item_id)
    except DatabaseError as exc:  # the database went away, or does not hold this part: no file
        log.warning("CSV of %s.%s not made: %s", spec.key, part, type(exc).__name__)
        raise PreventUpdate from None
    if item is None:
        raise PreventUpdate
    content = _item_csv(item, view)
    child_level = isinstance(item, Table) and item.child_level
    audit_event(
        "csv_download",
        page=spec.key,
        part=part,
        item=item_id,
        child_level=child_level,
        rows=len(item.rows) if isinstance(item, Table) else len(item.table),
        filters=filters_of(view.filters, view.presentation),
    )
    return {"content": content, "filename": item.csv_name, "type": "text/csv", "base64": False}


def register_csv_download(app) -> None:
    """One MATCH callback serving every CSV button: the server recomputes the item (cached) on click."""

    def download(n_clicks, request, filters):
        if not payloads.clicks(n_clicks):
            raise PreventUpdate
        return csv_for_request(request, filters)

    app.callback(
        Output({"type": CSV_DOWNLOAD, "chart": MATCH}, "data"),
        Input({"type": CSV_BUTTON, "chart": MATCH}, "n_clicks"),
        State({"type": CSV_REQUEST, "chart": MATCH}, "data"),
        State(FILTERS_ID, "data"),
        prevent_initial_call=True,
    )(download)


__all__ = ["view_from_store", "render_part", "csv_for_request", "register_csv_download"]
