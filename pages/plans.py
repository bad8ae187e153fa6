"""Plan durations (``/plans``): how long CIN and CP plans last, and which open plans are drifting.

Standards (DESIGN 5.2; seeds 000 and 001): CIN plans reviewed every 6 weeks, Team Manager reviews
at 3 and 6 months, a Service Manager review at 9 months, not expected beyond 12 months; CIN plans
after a CP step-down close within 12 weeks; CIN visits every 3 weeks, CP visits every 10 days; CP
plans over 2 years are a national indicator.

Thin by design. Three callbacks, each reading the global filters and calling the data layer
through the cache, hand tidy frames to ``dashboard.figures.plans``:

* ``plans-body``: excluded-row notice, headline tiles, duration bands;
* ``plans-km``: Kaplan-Meier curves, split by the ``plans-km-split`` control;
* ``plans-drift``: drift by team, monthly trend, and the drift list (hidden in presentation mode).

A failing query replaces only its own section with a message.
"""
import dash
import dash_bootstrap_components as dbc
import pandas as pd
from dash import Input, Output, callback, html

from dashboard.components import chart_card, child_table, guarded, loading, page_header, stat_tile
from dashboard.context import FILTERS_ID, fetch, get_db, view_state
from dashboard.figures import plans as fig
from data_layer import drift_counts, drift_trend, duration_bands, plan_drift, plan_durations, plan_exclusions
from data_layer.plans import band_edges, survival_by_group

dash.register_page(__name__, path="/plans", name="Plan durations", order=2, title="Plan durations - CSC Insight")

KM_SPLITS = {
    "plan_type": ("CIN and CP plans", ("cin", "cp"), "plan_type"),
    "cin_origin": ("CIN plans by how they started", ("cin",), "origin"),
    "cin_team": ("CIN plans by team", ("cin",), "team"),
    "cp_team": ("CP plans by team", ("cp",), "team"),
}
#: Most curves one chart can show legibly (the colour-blind-safe palette has 11 colours).
MAX_CURVES = 8


def layout(**_query):
    return html.Div([
        page_header("Plan durations", "How long CIN and CP plans last against the practice standards, and which "
                                      "open plans are drifting: reviews, visits and time limits (sources 000, 001)."),
        loading(html.Div(id="plans-body"), "plans-body-loading"),
        dbc.Card(dbc.CardBody([
            html.H2("How long plans stay open", className="h5"),
            dbc.Label("Compare", html_for="plans-km-split", className="me-2 small"),
            dbc.RadioItems(id="plans-km-split", value="plan_type", inline=True, className="mb-2",
                           options=[{"label": label, "value": key} for key, (label, _, _) in KM_SPLITS.items()]),
            loading(html.Div(id="plans-km"), "plans-km-loading"),
        ]), className="mb-3", id="plans-km-section"),
        loading(html.Div(id="plans-drift"), "plans-drift-loading"),
    ])


# --------------------------------------------------------------------------- top: tiles and bands

def _tiles(trend: pd.DataFrame, presentation: bool, threshold: int, standards):
    now, year_ago = trend.iloc[-1], trend.iloc[0]

    def tile(tid, label, col, rag_if_any=False):
        n, before = int(now[col]), int(year_ago[col])
        rag = ("red" if n > 0 else "green") if rag_if_any else None
        return dbc.Col(stat_tile(f"plans-tile-{tid}", label, fig.count_text(n, presentation, threshold),
                                 detail=f"A year earlier: {fig.count_text(before, presentation, threshold)}", rag=rag),
                       md=3)

    return dbc.Row([
        tile("open-cin", "Open CIN plans", "open_cin"),
        tile("cin-12", f"CIN plans open over {standards.cin_max_months} months", "cin_over_12_months", True),
        tile("open-cp", "Open CP plans", "open_cp"),
        tile("cp-2y", f"CP plans open over {standards.cp_max_months // 12} years", "cp_over_2_years", True),
    ])


def _bands_card(bands, standards, presentation, threshold):
    edges = band_edges(standards)
    table = fig.bands_table(bands, presentation=presentation, threshold=threshold)
    title = fig.bands_title(bands, edges, standards.cin_max_months, presentation=presentation, threshold=threshold)
    note = ("Plans open on the as-at date (hatched) and plans closed in the 12 months to it (solid). A band "
            "includes its upper edge: a plan of exactly 12 calendar months is in '9 to 12 months'.")
    if presentation:
        note += " Counts under 5 are not drawn in presentation mode."
    return chart_card("plans-bands", fig.bands_figure(table, title, edges, standards), table,
                      fig.bands_summary(table, title), note=note, filename="plan-duration-bands")


@callback(Output("plans-body", "children"), Input(FILTERS_ID, "data"))
@guarded()
def render(data):
    """Excluded-row notice, headline tiles and the duration bands for the current filters."""
    state = view_state(data)
    standards = get_db().standards
    threshold = standards.suppress_below
    exclusions = fetch(plan_exclusions, state.filters)
    notice = fig.exclusion_text(exclusions)
    trend = fetch(drift_trend, state.filters, 12)
    bands = fetch(duration_bands, state.filters)
    return html.Div([
        dbc.Alert(notice, color="warning", className="small py-2", id="plans-excluded") if notice else None,
        _tiles(trend, state.presentation, threshold, standards),
        _bands_card(bands, standards, state.presentation, threshold),
    ])


# --------------------------------------------------------------------------- Kaplan-Meier

def _durations(filters, plan_types):
    parts = [fetch(plan_durations, filters, t).assign(plan_type=t) for t in plan_types]
    df = pd.concat(parts, ignore_index=True)
    df["team"] = df["team_name"].fillna(df["team_id"]).fillna("No team recorded").astype(str)
    return df


def _largest_groups(df: pd.DataFrame, by: str, limit: int) -> tuple[pd.DataFrame, int]:
    """Keep the ``limit`` largest groups (teams) so the chart stays legible; count the plans left out."""
    sizes = df[by].value_counts()
    if len(sizes) <= limit:
        return df, 0
    keep = set(sizes.index[:limit])
    return df[df[by].isin(keep)], int(sizes.iloc[limit:].sum())


@callback(Output("plans-km", "children"), Input(FILTERS_ID, "data"), Input("plans-km-split", "value"))
@guarded()
def render_km(data, split):
    """Kaplan-Meier curves of plan duration (open plans censored on the as-at date)."""
    state = view_state(data)
    standards = get_db().standards
    threshold = standards.suppress_below
    _, plan_types, by = KM_SPLITS.get(split or "plan_type", KM_SPLITS["plan_type"])
    durations = _durations(state.filters, plan_types)
    durations, left_out = _largest_groups(durations, by, MAX_CURVES) if by == "team" else (durations, 0)
    result = survival_by_group(durations, by=by, min_n=threshold if state.presentation else 1)
    table = fig.km_table(result.curves, by, presentation=state.presentation, threshold=threshold)
    title = fig.km_title(result.medians, by)
    notes = [fig.km_note(result.medians, by)]
    if left_out:
        notes.append(f"{left_out:,} plans in smaller teams are not drawn (pick teams in the filters to compare them).")
    for reason, n in result.excluded.items():
        notes.append(f"{n:,} plans left out: {reason}.")
    figure = fig.km_figure(result.curves, result.medians, title, by, standards, plan_types)
    return chart_card("plans-km", figure, table, fig.km_summary(result.medians, title, by), note=" ".join(notes),
                      filename=f"plan-survival-{split}")


# --------------------------------------------------------------------------- drift

def _drift_card(counts, standards, presentation, threshold):
    matrix = fig.drift_matrix(counts, presentation=presentation, threshold=threshold)
    title = fig.drift_title(counts, presentation=presentation, threshold=threshold)
    return chart_card("plans-drift-teams", fig.drift_figure(matrix, title, standards), matrix,
                      fig.drift_summary(matrix, title), note=fig.drift_note(standards), filename="drift-by-team")


def _trend_card(trend, standards, presentation, threshold):
    table = fig.trend_table(trend, presentation=presentation, threshold=threshold)
    title = fig.trend_title(trend, presentation=presentation, threshold=threshold)
    return chart_card("plans-trend", fig.trend_figure(table, title, standards), table, fig.trend_summary(table, title),
                      filename="plans-past-limits-trend",
                      note="Open plans on the same day of each month. Review and visit flags are shown for the "
                           "as-at date only (in the drift list and by team).")


@callback(Output("plans-drift", "children"), Input(FILTERS_ID, "data"))
@guarded()
def render_drift(data):
    """Drift flags by team, the monthly trend of plans past their limits, and the drift list."""
    state = view_state(data)
    standards = get_db().standards
    threshold = standards.suppress_below
    counts = fetch(drift_counts, state.filters)
    trend = fetch(drift_trend, state.filters, 12)
    rows = fig.drift_list(fetch(plan_drift, state.filters), standards) if not state.presentation else None
    grid = child_table("plans-drift-grid", rows if rows is not None else pd.DataFrame(
                           columns=[c["field"] for c in fig.DRIFT_GRID_COLUMNS]),
                       fig.DRIFT_GRID_COLUMNS, presentation=state.presentation,
                       title="Each open plan breaching a standard, one row per flag, most overdue first",
                       filename="drift-list")
    return html.Div([
        _drift_card(counts, standards, state.presentation, threshold),
        _trend_card(trend, standards, state.presentation, threshold),
        dbc.Card(dbc.CardBody([html.H2("Drift list", className="h5"), grid]), className="mb-3",
                 id="plans-drift-list-card"),
    ])
