"""Caseloads (``/caseloads``): who carries too many children against 25 per FTE (seed 000), and who has no key worker.

Thin by design: one callback reads the global filters, asks the data layer (through the cache)
and hands tidy frames to ``dashboard.figures.caseloads``, whose builders make the tables the
charts draw and the CSVs download. A failing query shows a message in the page body.
"""
import dash
import dash_bootstrap_components as dbc
from dash import Input, Output, callback, html

from dashboard.cache import cached_call
from dashboard.components import (chart_card, child_table, csv_button, data_quality_note, guarded, loading,
                                  page_header, stat_tile)
from dashboard.context import FILTERS_ID, fetch, get_db, view_state
from dashboard.figures import caseloads as fig
from data_layer import caseload_trend, caseloads, data_quality, team_options, unallocated

dash.register_page(__name__, path="/caseloads", name="Caseloads", order=1, title="Caseloads - CSC Insight")

#: Tables the caseload figures read: their bad rows are listed under the page (DESIGN 7).
CASELOAD_TABLES = ("allocations", "workers", "teams", "children", "referrals", "assessments", "cin_plans",
                   "cp_plans", "cla_episodes")

UNALLOCATED_COLUMNS = [
    {"field": "child_id", "headerName": "Child"},
    {"field": "team", "headerName": "Team"},
    {"field": "status", "headerName": "Status"},
    {"field": "days_unallocated", "headerName": "Days unallocated", "type": "numericColumn", "sort": "desc"},
]


def layout(**_query):
    return html.Div([
        page_header("Caseloads", "Workers' caseloads against the standard of 25 children per full-time "
                                 "equivalent (source 000), and children open to the service without a key worker."),
        loading(html.Div(id="caseloads-body", className="caseloads-body"), "caseloads-loading"),
    ])


def _team_names(db) -> dict:
    teams = cached_call(team_options, db)
    return dict(zip(teams["team_id"], teams["team_name"]))


def _workers_card(load, per_fte, presentation, threshold):
    raw = fig.worker_table(load)
    shown = fig.worker_table(load, presentation=True, threshold=threshold) if presentation else raw
    figure = fig.workers_figure(shown, raw_counts=raw, per_fte=per_fte)
    note = ("Worker names are replaced by numbers in presentation mode." if presentation else
            "Target = 25 × FTE. ▲ marks a worker over target; hover a bar for the split by status.")
    return chart_card("caseloads-workers", figure, shown, fig.workers_summary(shown, per_fte),
                      note=note.replace("25", f"{per_fte:g}"), filename="caseloads-workers")


def _distribution_card(load, per_fte):
    dist = fig.distribution_table(load, per_fte=per_fte)
    title = fig.distribution_title(load, per_fte)
    missing = int((load["fte"].fillna(0) <= 0).sum()) if not load.empty else 0
    note = f"{missing} worker(s) without an FTE recorded are left out." if missing else None
    return chart_card("caseloads-distribution", fig.distribution_figure(dist, title, per_fte=per_fte), dist,
                      fig.distribution_summary(dist, title, per_fte), note=note, filename="caseloads-distribution")


def _trend_card(trend, per_fte):
    table = fig.trend_table(trend)
    title = fig.trend_title(trend)
    return chart_card("caseloads-trend", fig.trend_figure(trend, title, per_fte=per_fte), table,
                      fig.trend_summary(trend, title, per_fte), filename="caseloads-trend",
                      note="Each point is a week-end date; workers in post that day in the selected teams.")


def _unallocated_section(children, db, presentation, threshold):
    by_status = fig.unallocated_by_status(children, presentation=presentation, threshold=threshold)
    detail = ", ".join(f"{r.status} {r.children}" for r in by_status.itertuples()) or "None"
    longest = int(children["days_unallocated"].max()) if not children.empty else 0
    tile = stat_tile("caseloads-unallocated", "Children without a qualified key worker",
                     fig.unallocated_count_text(len(children), presentation=presentation, threshold=threshold),
                     detail=f"By status: {detail}." + (f" Longest wait: {longest} days." if longest else ""))
    rows = fig.unallocated_rows(children, _team_names(db)) if not presentation else children.iloc[0:0]
    table = child_table("caseloads-unallocated-grid", rows, UNALLOCATED_COLUMNS, presentation=presentation,
                        title="Unallocated children, longest waiting first", filename="unallocated-children")
    return dbc.Card(dbc.CardBody([
        html.H2("Unallocated children", className="h5"),
        tile,
        csv_button("caseloads-unallocated-status", by_status, "unallocated-by-status",
                   label="Download counts by status (CSV)"),
        table,
    ]), className="mb-3", id="caseloads-unallocated-card")


@callback(Output("caseloads-body", "children"), Input(FILTERS_ID, "data"))
@guarded()
def render(data):
    """The whole page body for the current filters (an error replaces it, nothing stale stays)."""
    state = view_state(data)
    db = get_db()
    per_fte = db.standards.caseload_per_fte
    threshold = db.standards.suppress_below
    load = fetch(caseloads, state.filters)
    trend = fetch(caseload_trend, state.filters, 52)
    children = fetch(unallocated, state.filters)
    bad_rows = fetch(data_quality, state.filters, CASELOAD_TABLES)
    return html.Div([
        _workers_card(load, per_fte, state.presentation, threshold),
        dbc.Row([dbc.Col(_distribution_card(load, per_fte), lg=6), dbc.Col(_trend_card(trend, per_fte), lg=6)]),
        _unallocated_section(children, db, state.presentation, threshold),
        data_quality_note("caseloads-data-quality", bad_rows, CASELOAD_TABLES, presentation=state.presentation,
                          threshold=threshold),
    ])
