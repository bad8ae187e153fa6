"""Transfers (``/transfers``): are cases moving between teams on time, with notice and a joint visit?

Standards (DESIGN 5.4): transfer within 3 working days of the request (003), at least two weeks'
notice (004), a joint home visit in the week before transfer (003), and as few key-worker changes as
possible (003, 004). Thin by design: one callback reads the global filters, asks the data layer
(through the cache) and hands the rows to ``dashboard.figures.transfers``, whose table builders make
exactly what each chart draws and its CSV downloads. Rows the standards cannot judge are counted on
the page with their reasons. A failing query shows a message in the page body.
"""
import dash
import dash_bootstrap_components as dbc
import pandas as pd
from dash import Input, Output, callback, html

from dashboard.components import chart_card, child_table, csv_button, guarded, loading, page_header, stat_tile
from dashboard.context import FILTERS_ID, fetch, get_db, view_state
from dashboard.figures import transfers as fig
from dashboard.figures.common import suppress
from data_layer import keyworker_change_children, keyworker_changes, transfer_exclusions, transfers

dash.register_page(__name__, path="/transfers", name="Transfers", order=4, title="Transfers - CSC Insight")

PENDING_GRID_COLUMNS = [
    {"field": "child_id", "headerName": "Child"},
    {"field": "from_team", "headerName": "From", "flex": 1.5, "minWidth": 170},
    {"field": "to_team", "headerName": "To", "flex": 1.5, "minWidth": 170},
    {"field": "transfer_point", "headerName": "Transfer point", "flex": 1.5, "minWidth": 190},
    {"field": "requested_date", "headerName": "Requested", "maxWidth": 140},
    {"field": "working_days", "headerName": "Working days waiting", "type": "numericColumn", "maxWidth": 150},
    {"field": "days_waiting", "headerName": "Calendar days waiting", "type": "numericColumn", "maxWidth": 150},
    {"field": "verdict", "headerName": "Against 3 working days", "minWidth": 230},
]
KEYWORKER_GRID_COLUMNS = [
    {"field": "child_id", "headerName": "Child"},
    {"field": "changes", "headerName": "Key-worker changes", "type": "numericColumn", "sort": "desc"},
    {"field": "allocations", "headerName": "Allocations started in 12 months", "type": "numericColumn"},
    {"field": "last_change", "headerName": "Latest change"},
    {"field": "team", "headerName": "Team", "flex": 2},
]
# Long headers wrap rather than being cut off.
for _col in PENDING_GRID_COLUMNS + KEYWORKER_GRID_COLUMNS:
    _col.update(wrapHeaderText=True, autoHeaderHeight=True)


def layout(**_query):
    return html.Div([
        page_header("Transfers", "Whether cases move between teams within 3 working days of the request (source 003), "
                                 "with two weeks' notice (004) and a joint visit in the week before (003), and how "
                                 "often children's key workers change."),
        loading(html.Div(id="transfers-body", className="transfers-body"), "transfers-loading"),
    ])


def _pct_text(num: int, den: int) -> str:
    return f"{100 * num / den:.0f}%" if den else "–"


def _tiles(rows: pd.DataFrame, kw_table: pd.DataFrame, s, presentation: bool, threshold: int):
    def count(n):
        return suppress(n, threshold) if presentation else f"{int(n):,}"

    done = rows[~rows["pending"].astype(bool)] if not rows.empty else rows
    pending = rows[rows["pending"].astype(bool)] if not rows.empty else rows
    on_time = int(done["on_time"].astype(bool).sum()) if not done.empty else 0
    late = int(pending["late"].astype(bool).sum()) if not pending.empty else 0
    notice = int(done["notice_ok"].map(lambda v: v is True).sum()) if not done.empty else 0
    joint = int(done["joint_visit_ok"].map(lambda v: v is True).sum()) if not done.empty else 0
    many = int(kw_table.loc[kw_table["changes"] >= s.keyworker_changes_alert, "children"].sum())
    tiles = [
        ("transfers-tile-on-time", f"Completed within {s.transfer_working_days} working days",
         _pct_text(on_time, len(done)), f"{count(on_time)} of {count(len(done))} completed in the 12 months (003)."),
        ("transfers-tile-pending", "Pending transfers", count(len(pending)),
         f"{count(late)} already past {s.transfer_working_days} working days."),
        ("transfers-tile-notice", f"Notice of {s.transfer_notice_days}+ days", _pct_text(notice, len(done)),
         "Of completed transfers (004)."),
        ("transfers-tile-joint", "Joint visit in the week before", _pct_text(joint, len(done)),
         f"Within {s.joint_visit_days} days before completion (003)."),
        ("transfers-tile-keyworker", f"Children with {s.keyworker_changes_alert}+ key-worker changes", count(many),
         "In the 12 months to the as-at date (003, 004)."),
    ]
    return dbc.Row([dbc.Col(stat_tile(tid, label, value, detail=detail), md=4, lg=True)
                    for tid, label, value, detail in tiles], className="g-3")


def _shown(table: pd.DataFrame, presentation: bool, threshold: int) -> pd.DataFrame:
    """What a chart's CSV downloads: the table, with small counts suppressed in presentation mode."""
    return fig.presentable(table, threshold) if presentation else table


def _distribution_card(rows, s, presentation, threshold):
    table = fig.working_days_table(rows)
    title = fig.working_days_title(rows, standard=s.transfer_working_days, presentation=presentation,
                                   threshold=threshold)
    figure = fig.working_days_figure(table, title, standard=s.transfer_working_days, presentation=presentation,
                                     threshold=threshold)
    return chart_card("transfers-working-days", figure, _shown(table, presentation, threshold),
                      fig.working_days_summary(table, title, standard=s.transfer_working_days),
                      note="Working days exclude weekends and England and Wales bank holidays; the day of the request "
                           "counts, the day of completion does not (same-day transfer = 0). Pending transfers show "
                           "the working days waited so far.", filename="transfers-working-days")


def _on_time_card(rows, by, subject, axis_title, chart_id, s, presentation, threshold, note=None):
    table = fig.on_time_table(rows, by)
    title = fig.on_time_title(table, subject, standard=s.transfer_working_days)
    figure = fig.on_time_figure(table, title, axis_title=axis_title, standard=s.transfer_working_days,
                                presentation=presentation, threshold=threshold)
    base_note = ("% of transfers judged so far: completed ones, and pending ones already late. Pending transfers "
                 "still within the standard are not counted yet.")
    return chart_card(chart_id, figure, _shown(table, presentation, threshold),
                      fig.on_time_summary(table, title, subject),
                      note=base_note + (f" {note}" if note else ""), filename=chart_id)


def _monthly_card(rows, f, s, presentation, threshold):
    window_start = f.window_start(s.reporting_window_months)
    table = fig.monthly_table(rows, window_start, f.as_at)
    finding = fig.monthly_finding(table)
    figure = fig.monthly_figure(table, finding, standard=s.transfer_working_days, presentation=presentation,
                                threshold=threshold)
    return chart_card("transfers-monthly", figure, _shown(table, presentation, threshold),
                      fig.monthly_summary(table, finding), filename="transfers-monthly",
                      note="Month of the request. Pending transfers requested before the 12 months are in the other "
                           "charts, not here.")


def _flows_card(rows, s, presentation, threshold):
    table = fig.flows_table(rows)
    title = fig.flows_title(table, standard=s.transfer_working_days)
    figure = fig.flows_figure(table, title, standard=s.transfer_working_days, presentation=presentation,
                              threshold=threshold)
    return chart_card("transfers-flows", figure, _shown(table, presentation, threshold),
                      fig.flows_summary(table, title), filename="transfers-flows",
                      note="Median working days are over completed transfers; download the table for every pair.")


def _pairs_card(rows, s, presentation, threshold):
    table = fig.pair_standards_table(rows)
    title = fig.pair_standards_title(table)
    figure = fig.pair_standards_figure(table, title, notice_days=s.transfer_notice_days,
                                       joint_days=s.joint_visit_days, presentation=presentation, threshold=threshold)
    return chart_card("transfers-pairs", figure, _shown(table, presentation, threshold),
                      fig.pair_standards_summary(table, title), filename="transfers-notice-joint-visits",
                      note=f"Completed transfers. Notice: {s.transfer_notice_days} or more days from notification to "
                           f"completion (004). Joint visit: on the day of transfer or up to {s.joint_visit_days} days "
                           "before it (003). None recorded counts as not met.")


def _pending_section(rows, s, presentation):
    table = fig.pending_rows(rows, standard=s.transfer_working_days)
    grid = child_table("transfers-pending-grid", table, PENDING_GRID_COLUMNS, presentation=presentation,
                       title="Pending transfers, late ones first", filename="transfers-pending")
    return dbc.Card(dbc.CardBody([html.H2("Pending transfers", className="h5"), grid]), className="mb-3",
                    id="transfers-pending-card")


def _keyworker_section(kw_table, kids, s, presentation, threshold):
    alert = s.keyworker_changes_alert
    title = fig.keyworker_title(kw_table, alert=alert, presentation=presentation, threshold=threshold)
    figure = fig.keyworker_figure(kw_table, title, alert=alert, presentation=presentation, threshold=threshold)
    card = chart_card("transfers-keyworker", figure, _shown(kw_table, presentation, threshold),
                      fig.keyworker_summary(kw_table, title, alert=alert), filename="transfers-keyworker-changes",
                      note="Changes = key-worker allocations started in the 12 months, minus one. Children with a key "
                           "worker at any time in the 12 months are counted, including those with no change.")
    grid = child_table("transfers-keyworker-grid", fig.keyworker_child_rows(kids), KEYWORKER_GRID_COLUMNS,
                       presentation=presentation, title=f"Children with {alert} or more key-worker changes",
                       filename="transfers-keyworker-children")
    return html.Div([card, dbc.Card(dbc.CardBody(grid), className="mb-3", id="transfers-keyworker-children-card")])


def _exclusions_card(ex, presentation, threshold):
    table = fig.exclusions_table(ex)
    shown = fig.presentable(table, threshold) if presentation else table
    body = [html.H2("Rows the standards cannot judge", className="h5"),
            html.P(fig.exclusions_text(ex, presentation=presentation, threshold=threshold), className="small")]
    if not table.empty:
        body.append(dbc.Table.from_dataframe(
            shown.rename(columns={"reason": "Reason", "applies_to": "Left out of", "rows": "Rows"}),
            striped=True, bordered=False, size="sm", className="small mb-1", id="transfers-excluded-table"))
        body.append(csv_button("transfers-excluded", shown, "transfers-excluded-rows"))
    return dbc.Card(dbc.CardBody(body), className="mb-3", id="transfers-excluded-card")


@callback(Output("transfers-body", "children"), Input(FILTERS_ID, "data"))
@guarded()
def render(data):
    """The whole page body for the current filters (an error replaces it, nothing stale stays)."""
    state = view_state(data)
    s = get_db().standards
    threshold = s.suppress_below
    presentation = state.presentation
    rows = fetch(transfers, state.filters)
    ex = fetch(transfer_exclusions, state.filters)
    kw_table = fig.keyworker_table(fetch(keyworker_changes, state.filters))
    kids = fetch(keyworker_change_children, state.filters) if not presentation else None
    point_note = None
    if not ex.empty:
        left_out = int(ex.loc[ex["applies_to"] == "on-time by transfer point only", "rows"].sum())
        if left_out:
            point_note = (f"{suppress(left_out, threshold) if presentation else left_out} transfer(s) with no or an "
                          "unrecognised transfer point are left out of this chart only.")
    return html.Div([
        _tiles(rows, kw_table, s, presentation, threshold),
        _distribution_card(rows, s, presentation, threshold),
        dbc.Row([
            dbc.Col(_on_time_card(rows, "to_team", "receiving team", "Receiving team", "transfers-by-team", s,
                                  presentation, threshold), lg=6),
            dbc.Col(_on_time_card(rows, "transfer_point", "transfer point", "Transfer point", "transfers-by-point", s,
                                  presentation, threshold, note=point_note), lg=6),
        ]),
        _monthly_card(rows, state.filters, s, presentation, threshold),
        _flows_card(rows, s, presentation, threshold),
        _pairs_card(rows, s, presentation, threshold),
        _pending_section(rows, s, presentation),
        _keyworker_section(kw_table, kids if kids is not None else pd.DataFrame(), s, presentation, threshold),
        _exclusions_card(ex, presentation, threshold),
    ])
