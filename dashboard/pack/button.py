"""The shell's "Board pack" button: the same pack as ``csc-dashboard export``, for the filters on screen.

The shell places :func:`pack_controls` in its filter bar; ``create_app`` wires the click with
:func:`register_pack_download`. The filters come from the store, validated again on the server
(:func:`dashboard.filters.state_from_store`), and the pack is always in presentation mode.
"""

from __future__ import annotations

import logging

import dash_bootstrap_components as dbc
from dash import Input, Output, State, dcc, html, no_update
from dash.exceptions import PreventUpdate
from werkzeug.exceptions import HTTPException

from dashboard import payloads
from dashboard.auth import audit_event, filters_of
from dashboard.cache import cached_call
from dashboard.context import FILTERS_ID, get_db, get_settings
from dashboard.filters import load_filter_options, state_from_store
from data_layer import DatabaseError

from . import export

__all__ = ["pack_controls", "pack_download", "register_pack_download", "BUTTON_ID", "DOWNLOAD_ID", "MESSAGE_ID"]

log = logging.getLogger(__name__)

BUTTON_ID, DOWNLOAD_ID, MESSAGE_ID = "shell-pack-button", "shell-pack-download", "shell-pack-message"


def pack_controls():
    """The shell's "Board pack" button, its download and its message area."""
    return html.Div(
        [
            dbc.Button(
                "Board pack",
                id=BUTTON_ID,
                n_clicks=0,
                color="primary",
                outline=True,
                size="sm",
                className="pack-button",
                title="Download these figures as one HTML file for the board "
                "(presentation mode: no child-level data, small counts hidden)",
            ),
            dcc.Download(id=DOWNLOAD_ID),
            html.Div(id=MESSAGE_ID, role="status", className="small mt-1"),
        ],
        className="shell-pack",
    )


def pack_download(n_clicks, data) -> tuple:
    """The callback's body: (download data, message) for a click with the current filters store."""
    if not payloads.clicks(n_clicks) or not data:
        raise PreventUpdate
    try:
        db = get_db()
        state = state_from_store(data)
        options = cached_call(load_filter_options, db)
        text = export.build_pack(db, state.filters, get_settings(), options)
    except (PreventUpdate, HTTPException):  # nothing to do (204), or a refused filters store (400)
        raise
    except Exception as exc:  # noqa: BLE001 - shown as a message; only the type is logged
        log.error("board pack failed: %s", type(exc).__name__)
        reason = str(exc) if isinstance(exc, DatabaseError) else "An unexpected error happened."
        return no_update, dbc.Alert(
            f"The board pack could not be made. {reason}",
            color="danger",
            dismissable=True,
            className="py-1 mb-0",
            id="shell-pack-error",
        )
    audit_event("board_pack", filters=filters_of(state.filters, True))
    content = {"content": text, "filename": export.pack_filename(state.filters), "type": "text/html", "base64": False}
    return content, None


def register_pack_download(app) -> None:
    """Wire the shell's button to :func:`pack_download` (called by ``create_app``)."""
    app.callback(
        Output(DOWNLOAD_ID, "data"),
        Output(MESSAGE_ID, "children"),
        Input(BUTTON_ID, "n_clicks"),
        State(FILTERS_ID, "data"),
        running=[(Output(BUTTON_ID, "disabled"), True, False)],
        prevent_initial_call=True,
    )(pack_download)
