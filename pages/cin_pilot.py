"""CIN pilot (``/cin-pilot``): did the dedicated CIN team (seed 002) change what happens to CIN plans?

The service decides from this page whether the pilot continues, so every figure says how sure
it is: cohort values carry 95% intervals, the headline effect is a difference-in-differences
(pilot vs comparison teams, during vs before) with its interval, and the verdict refuses to
conclude when a cohort is under the minimum size or the interval includes no change.

Thin by design. Two callbacks read the global filters and the pilot selector and call the data
layer through the cache (``evaluate_pilot`` runs the one cohort query; ``pilot_trend`` the one
trend query); ``dashboard.figures.pilot`` shapes the tables and draws the charts:

* ``cin-pilot-body``: design, scorecard, DiD panels, monthly trend, closure routes;
* ``cin-pilot-workload``: outcomes by the holding worker's caseload, for the chosen outcome
  (from ``cohort_plans`` alone: it needs no intervals of medians, so no bootstrap).

Pilots come from the practice standards (``db.standards.pilots``; more in the standards file),
the selector shows when more than one is defined, and ``?pilot=<name>`` bookmarks one.
"""
import dash
import dash_bootstrap_components as dbc
import pandas as pd
from dash import Input, Output, callback, dcc, html

from dashboard.cache import cached_call
from dashboard.components import chart_card, csv_button, guarded, loading, page_header
from dashboard.context import FILTERS_ID, fetch, get_db, view_state
from dashboard.figures import pilot as fig
from data_layer import (closure_routes, cohort_plans, evaluate_pilot, outcomes_by_caseload, pilot_trend,
                        team_options)

dash.register_page(__name__, path="/cin-pilot", name="CIN pilot", order=3, title="CIN pilot - CSC Insight")

#: The page's methods note; numbers come from the standards in force (nothing about a pilot here).
METHODS = """
**What these figures can show.** Whether CIN plans started in the pilot teams changed between the
period before the pilot (as long as the pilot) and the pilot itself *more than* the plans of the
comparison teams changed over the same months (the difference-in-differences). Anything that
changed for everyone at once (thresholds, seasons, less follow-up for recent plans) cancels out.

**What they cannot show.** This is an observational comparison, not a randomised trial: a pilot
team may take different cases from the comparison teams, and its children differ in ways the data
do not record. A difference is evidence to weigh, not proof that the pilot caused it. Small cohorts
give wide intervals; a cohort under {min_n} plans is labelled *too small to judge* and gets no
verdict.

**Censoring and follow-up.** Outcomes are observed up to the as-at date. Plan durations use
Kaplan-Meier (open plans count as "at least this long"). "Closed within {max_months} months" only
counts plans whose {max_months} months have passed, and "re-referred within {rereferral} months" only
plans closed at least {rereferral} months before the as-at date, so early in a pilot these are *not
yet measurable*. Escalations count those seen so far.

**Methods.** Shares: {level:.0%} Wilson intervals (statsmodels). Differences-in-differences: the DiD
regression with robust errors (statsmodels), i.e. a normal approximation from the four cohorts'
variances (shares, caseloads); a percentile bootstrap with a fixed seed (scipy) for median
durations. Caseload: children with an open key-worker allocation to the plan's worker on the day
they took the plan.
"""


def methods_note(standards) -> str:
    return METHODS.format(min_n=standards.pilot_min_cohort, max_months=standards.cin_max_months,
                          rereferral=standards.pilot_rereferral_months, level=standards.confidence_level)


def _pilot_names(db) -> list[str]:
    return [p.name for p in db.standards.pilots]


def _chosen(db, name) -> str:
    names = _pilot_names(db)
    return name if name in names else names[0]


def layout(pilot=None, **_query):
    db = get_db()
    names = _pilot_names(db)
    value = pilot if pilot in names else names[0]
    selector = html.Div([
        dbc.Label("Pilot", html_for="cin-pilot-select", className="small mb-0"),
        dcc.Dropdown(id="cin-pilot-select", options=[{"label": n, "value": n} for n in names], value=value,
                     clearable=False, style={"minWidth": "320px"}),
    ], id="cin-pilot-selector", className="mb-3", hidden=len(names) < 2)
    return html.Div([
        page_header("CIN pilot", "Did the pilot change what happens to children on CIN plans? Pilot team against "
                                 "comparison teams, before and during the pilot (source 002)."),
        selector,
        loading(html.Div(id="cin-pilot-body"), "cin-pilot-body-loading"),
        dbc.Card(dbc.CardBody([
            html.H2("Impact against workload", className="h5"),
            html.P("002: \"lower caseloads would increase impact\". Plan outcomes by how many children the plan's "
                   "worker held per FTE when they took it, both periods together.", className="small text-muted"),
            dbc.Label("Outcome", html_for="cin-pilot-outcome", className="me-2 small"),
            dbc.RadioItems(id="cin-pilot-outcome", value="closed_within_12m", inline=True, className="mb-2",
                           options=[{"label": label, "value": key}
                                    for key, label in fig.WORKLOAD_CHOICES.items()]),
            loading(html.Div(id="cin-pilot-workload"), "cin-pilot-workload-loading"),
        ]), className="mb-3", id="cin-pilot-workload-section"),
        dbc.Card(dbc.CardBody([html.H2("What the figures can and cannot show", className="h5"),
                               dcc.Markdown(methods_note(db.standards), className="small")]),
                 className="mb-3", id="cin-pilot-methods"),
    ])


def _team_list(ids, names: dict) -> str:
    return ", ".join(f"{names.get(t, t)} ({t})" for t in ids) or "none found"


def _design_card(ev, names: dict, standards):
    d = ev.design
    p = d.pilot
    periods = fig.period_text(d.before, d.during)
    items = [
        html.Li([html.Strong("Pilot team: "), _team_list(d.pilot_teams, names)]),
        html.Li([html.Strong("Comparison teams: "), _team_list(d.comparison_teams, names)]),
        html.Li([html.Strong("Cohorts: "), f"CIN plans started {periods['before'].lower()} and "
                                           f"{periods['during'].lower()}, by the plan's team."]),
        html.Li([html.Strong("Outcomes observed to: "), fig._d(d.as_at)
                 + (" (before the evaluation date: the during cohort is still filling)" if d.as_at < d.evaluation_end
                    else "")]),
        html.Li([html.Strong("Minimum cohort to judge: "), f"{standards.pilot_min_cohort} plans"]),
    ]
    notes = [dbc.Alert(d.filter_note, color="info", className="py-1 small mb-2", id="cin-pilot-filter-note")] \
        if d.filter_note else []
    if not d.pilot_teams:
        notes.append(dbc.Alert("No team matches this pilot's configuration, so there is nothing to evaluate. "
                               "Check its team ids or service in the standards file.", color="warning"))
    return dbc.Card(dbc.CardBody([
        html.H2(f"{p.name} (source {p.source}), from {fig._d(p.start)} for {p.months} months", className="h5"),
        *notes, html.Ul(items, className="small mb-0"),
    ]), className="mb-3", id="cin-pilot-design")


def _scorecard_card(ev, presentation: bool, threshold: int):
    table = fig.scorecard_table(ev.measures, ev.did, presentation=presentation, threshold=threshold)
    data = fig.scorecard_csv(ev.measures, ev.did, presentation=presentation, threshold=threshold)
    shown = [c for c in table.columns if c != "status"]
    header = html.Thead(html.Tr([html.Th(c, scope="col") for c in shown]))
    body = html.Tbody([
        html.Tr([html.Th(r["Measure"], scope="row")] + [html.Td(r[c]) for c in shown[1:-1]]
                + [html.Td(r["Verdict"], className=f"verdict verdict-{r['status']}")])
        for _, r in table.iterrows()
    ])
    return dbc.Card(dbc.CardBody([
        html.H2(fig.scorecard_title(ev.did), className="h5", id="cin-pilot-headline"),
        html.P("Each cell: value (95% interval); n = plans behind it. The difference-in-differences is the pilot "
               "team's change minus the comparison teams' change.", className="small text-muted"),
        dbc.Table([header, body], bordered=True, hover=True, responsive=True, size="sm", className="small",
                  id="cin-pilot-scorecard"),
        csv_button("cin-pilot-scorecard-csv", data, "cin-pilot-scorecard"),
    ]), className="mb-3", id="cin-pilot-scorecard-card")


def _did_card(ev, presentation, threshold, standards):
    periods = fig.period_text(ev.design.before, ev.design.during)
    figure = fig.did_figure(ev.measures, ev.did, periods=periods, presentation=presentation, threshold=threshold,
                            caseload_standard=standards.caseload_per_fte)
    data = fig.scorecard_csv(ev.measures, ev.did, presentation=presentation, threshold=threshold)
    return chart_card("cin-pilot-did", figure, data, fig.did_summary(ev.did), filename="cin-pilot-cohorts",
                      note="Methods: " + "; ".join(dict.fromkeys(ev.did["method"])) + ".")


def _trend_card(trend, design, presentation, threshold):
    counts = {"pilot": len(design.pilot_teams), "comparison": len(design.comparison_teams)}
    raw = fig.trend_table(trend, counts)
    shown = fig.trend_table(trend, counts, presentation=presentation, threshold=threshold) if presentation else raw
    figure = fig.trend_figure(shown, raw=raw, pilot_start=design.during[0], evaluation_end=design.evaluation_end,
                              presentation=presentation)
    return chart_card("cin-pilot-trend", figure, shown, fig.trend_summary(shown, design.during[0], design.evaluation_end),
                      filename="cin-pilot-trend",
                      note="All CIN plans of the pilot and comparison teams, not only the cohorts. Open-plan age on "
                           "the last day of each month.")


def _routes_card(ev, presentation, threshold):
    routes = closure_routes(ev.plans)
    table = fig.routes_table(routes, presentation=presentation, threshold=threshold)
    title = fig.routes_title(routes)
    ref = routes[(routes["cohort"] == "comparison") & (routes["period"] == "during")
                 & (routes["end_reason"] == "plan_achieved")]["share"]
    reference = 100 * float(ref.iloc[0]) if len(ref) and pd.notna(ref.iloc[0]) else None
    return chart_card("cin-pilot-routes", fig.routes_figure(table, title, reference=reference), table,
                      fig.routes_summary(table, title), filename="cin-pilot-closure-routes",
                      note="Plans of each cohort that had closed by the as-at date.")


@callback(Output("cin-pilot-body", "children"), Input(FILTERS_ID, "data"), Input("cin-pilot-select", "value"))
@guarded()
def render(data, pilot_name):
    """Design, scorecard, DiD panels, trend and closure routes for the chosen pilot."""
    state = view_state(data)
    db = get_db()
    name = _chosen(db, pilot_name)
    threshold = db.standards.suppress_below
    ev = fetch(evaluate_pilot, state.filters, name)
    trend = fetch(pilot_trend, state.filters, name)
    teams = cached_call(team_options, db)
    names = dict(zip(teams["team_id"], teams["team_name"]))
    return html.Div([
        _design_card(ev, names, db.standards),
        _scorecard_card(ev, state.presentation, threshold),
        _did_card(ev, state.presentation, threshold, db.standards),
        _trend_card(trend, ev.design, state.presentation, threshold),
        _routes_card(ev, state.presentation, threshold),
    ])


@callback(Output("cin-pilot-workload", "children"), Input(FILTERS_ID, "data"), Input("cin-pilot-select", "value"),
          Input("cin-pilot-outcome", "value"))
@guarded()
def render_workload(data, pilot_name, outcome):
    """Outcome by the holding worker's caseload band, pilot vs comparison."""
    state = view_state(data)
    db = get_db()
    outcome = outcome if outcome in fig.WORKLOAD_LABELS else "closed_within_12m"
    # Only the per-plan rows: the scorecard's bootstrap (``evaluate_pilot``) is not needed here, so
    # this callback stays fast while ``render`` computes it in parallel on a cold cache.
    plans = fetch(cohort_plans, state.filters, _chosen(db, pilot_name))
    bands = outcomes_by_caseload(plans, db.standards)
    threshold = db.standards.suppress_below
    table = fig.workload_table(bands, outcome, presentation=state.presentation, threshold=threshold)
    part = bands[bands["outcome"] == outcome]
    overall = 100 * part["count"].sum() / part["n"].sum() if part["n"].sum() else None
    figure = fig.workload_figure(table, outcome, overall=overall, caseload_standard=db.standards.caseload_per_fte)
    return chart_card("cin-pilot-workload-chart", figure, table, fig.workload_summary(table, outcome),
                      filename=f"cin-pilot-workload-{outcome}",
                      note="Caseload = children with an open key-worker allocation to the worker on the day they took "
                           "the plan, divided by their FTE. Plans without a key worker are left out. Bars: 95% Wilson "
                           "intervals.")
