"""JARP queue (``/jarp``): the next Joint Allocation Resource Panel's agenda, the queue, responses, reviews.

Seed 003 section 3.6 and Appendices A and B, as DESIGN 5.5 fixes them. Thin by design: one
callback reads the global filters, asks the data layer (through the cache) and hands tidy frames
to ``dashboard.figures.jarp``. Child-level lists (the agenda with each referral's reasons, the
carried-over and below-threshold lists, flagged reviews) are for managers: presentation mode
replaces them with a note and suppresses small counts.
"""
import dash
import dash_bootstrap_components as dbc
from dash import Input, Output, callback, html

from dashboard.components import chart_card, child_table, guarded, loading, page_header, stat_tile
from dashboard.context import FILTERS_ID, fetch, get_db, view_state
from dashboard.figures import jarp as fig
from dashboard.figures.common import suppress
from data_layer import (jarp_queue, jarp_queue_trend, jarp_responses, jarp_reviews_due, jarp_unknown_criteria,
                        response_summary, response_trend)
from data_layer.jarp_scoring import next_panel, rules_for

dash.register_page(__name__, path="/jarp", name="JARP queue", order=5, title="JARP queue - CSC Insight")

TREND_WEEKS = 26

AGENDA_COLUMNS = [
    {"field": "order", "headerName": "#", "type": "numericColumn", "maxWidth": 70, "minWidth": 60},
    {"field": "priority", "headerName": "Priority", "minWidth": 150},
    {"field": "score", "headerName": "Score", "type": "numericColumn", "maxWidth": 110, "minWidth": 100},
    {"field": "reasons", "headerName": "Reasons for the score (points)", "flex": 4, "minWidth": 320,
     "wrapText": True, "autoHeight": True, "cellStyle": {"lineHeight": "1.4", "whiteSpace": "normal"}},
    {"field": "carried", "headerName": "Carried over", "minWidth": 150},
    {"field": "waiting_days", "headerName": "Days waiting", "type": "numericColumn", "minWidth": 140},
    {"field": "panel_date", "headerName": "Panel", "minWidth": 130},
    {"field": "referring_team", "headerName": "Referring team", "minWidth": 190},
    {"field": "child_id", "headerName": "Child", "minWidth": 110},
    {"field": "referral_id", "headerName": "Referral", "minWidth": 120},
    {"field": "services_requested", "headerName": "Services requested", "minWidth": 180, "wrapText": True,
     "autoHeight": True},
    {"field": "flags", "headerName": "Data notes", "minWidth": 180, "wrapText": True, "autoHeight": True},
]
REVIEW_COLUMNS = [
    {"field": "status", "headerName": "Status", "minWidth": 150},
    {"field": "review_due", "headerName": "Review due", "minWidth": 130},
    {"field": "days_to_due", "headerName": "Days to due", "type": "numericColumn", "minWidth": 130},
    {"field": "due_basis", "headerName": "Due date from", "minWidth": 170},
    {"field": "decision_date", "headerName": "Panel decision", "minWidth": 150},
    {"field": "referring_team", "headerName": "Referring team", "minWidth": 190},
    {"field": "child_id", "headerName": "Child", "minWidth": 110},
    {"field": "referral_id", "headerName": "Referral", "minWidth": 110},
    {"field": "services_requested", "headerName": "Services", "minWidth": 180},
]


def layout(**_query):
    return html.Div([
        page_header("JARP queue", "The next Joint Allocation Resource Panel's agenda in priority order with the "
                                  "reasons for each score, the queue week by week, how fast families get a service "
                                  "after the panel, and six-weekly reviews falling due (source 003, Appendix B)."),
        loading(html.Div(id="jarp-body"), "jarp-loading"),
    ])


def _count(n, presentation, threshold):
    return suppress(n, threshold) if presentation else f"{n:,}"


def _tiles(queue, reviews, unknown, panel, presentation, threshold):
    c = lambda n: _count(int(n), presentation, threshold)  # noqa: E731
    on_next = queue[queue["on_next_panel"].astype(bool)] if not queue.empty else queue
    by_p = {p: int((on_next["priority"] == p).sum()) if len(on_next) else 0 for p in fig.PRIORITIES}
    carried = int((queue["carried_over"] >= 1).sum()) if len(queue) else 0
    repeat = int((queue["carried_over"] >= 2).sum()) if len(queue) else 0
    overdue = int((reviews["status"] == "overdue").sum()) if len(reviews) else 0
    tiles = [
        stat_tile("jarp-tile-agenda", f"Next panel: {panel:%A %d %B %Y}", c(len(on_next)) + " referrals",
                  detail=f"P1 {c(by_p['P1'])}, P2 {c(by_p['P2'])}, P3 {c(by_p['P3'])}; "
                         f"below threshold {c(by_p['below_threshold'])}."),
        stat_tile("jarp-tile-carried", "Carried over from an earlier panel", c(carried),
                  detail=f"{c(repeat)} carried over more than once.", rag="red" if repeat else None),
        stat_tile("jarp-tile-reviews", "Progress reviews overdue", c(overdue),
                  detail=f"{c(len(reviews) - overdue)} due in the next 7 days.", rag="red" if overdue else "green"),
    ]
    if len(unknown):
        codes = ", ".join(f"'{r.criterion}'" for r in unknown.head(5).itertuples())
        tiles.append(stat_tile("jarp-tile-unknown", "Referrals with unrecognised criterion codes",
                               c(int(unknown["referrals"].sum())),
                               detail=f"Not scored, so their scores may be too low: {codes}. Check the data or "
                                      "add the code's points to the standards file.", rag="amber"))
    return dbc.Row([dbc.Col(t, md=6, xl=3) for t in tiles])


def _agenda_section(queue, panel, rules, presentation, threshold):
    raw = fig.agenda_score_table(queue)
    shown = fig.agenda_score_table(queue, presentation=True, threshold=threshold) if presentation else raw
    title = fig.agenda_title(queue, panel, presentation=presentation, threshold=threshold)
    chart = chart_card("jarp-agenda", fig.agenda_figure(shown, title, rules, raw=raw), shown,
                       fig.agenda_summary(shown, title, rules), filename="jarp-next-panel-scores",
                       note=f"Referrals in by 2pm Friday go to the next Tuesday panel; carried-over referrals stay on "
                            f"it. Direct-referral exceptions are P1 at any score. {fig.CARRIED_MARK} marks a "
                            "carried-over referral in the agenda.")
    below = fig.agenda_rows(queue, "below")
    later = fig.agenda_rows(queue, "later")
    parts = [
        html.H2("Agenda for the next panel", className="h5"),
        chart,
        child_table("jarp-agenda-grid", fig.agenda_rows(queue, "next"), AGENDA_COLUMNS, presentation=presentation,
                    title="In agenda order: priority, then score, then days waiting", filename="jarp-agenda"),
    ]
    parts += [html.H3("Below threshold: check before the panel", className="h6 mt-3"),
                  dbc.Alert(f"{_count(len(below), presentation, threshold)} referral(s) score 0 points and have no "
                            "direct-referral exception. Check the threshold is met (an evidenced risk from Appendix B) "
                            "and the criteria were recorded.", color="warning", className="py-2",
                            id="jarp-below-prompt"),
                  child_table("jarp-below-grid", below, AGENDA_COLUMNS, presentation=presentation,
                              filename="jarp-below-threshold")]
    if len(later):
        parts += [html.H3("In after the cut-off: booked for a later panel", className="h6 mt-3"),
                  child_table("jarp-later-grid", later, AGENDA_COLUMNS, presentation=presentation,
                              filename="jarp-later-panels")]
    return dbc.Card(dbc.CardBody(parts), className="mb-3", id="jarp-agenda-section")


def _queue_section(queue, trend, rules, presentation, threshold):
    raw = fig.queue_trend_table(trend)
    shown = fig.queue_trend_table(trend, presentation=True, threshold=threshold) if presentation else raw
    title = fig.queue_trend_title(shown)
    chart = chart_card("jarp-queue-trend", fig.queue_trend_figure(shown, title, rules.max_wait_days, raw=raw), shown,
                       fig.queue_trend_summary(shown, title), filename="jarp-queue-by-week",
                       note=f"Referrals submitted and not yet decided at each week's end. The longest wait the "
                            f"timetable allows is {rules.max_wait_days} days (in just after the Friday cut-off).")
    carried = fig.carried_rows(queue)
    return dbc.Card(dbc.CardBody([
        html.H2("The queue week by week", className="h5"), chart,
        child_table("jarp-carried-grid", carried, AGENDA_COLUMNS, presentation=presentation,
                    title=f"Carried over more than once ({_count(len(carried), presentation, threshold)})",
                    filename="jarp-carried-over"),
    ]), className="mb-3", id="jarp-queue-section")


def _responses_section(responses, rules, presentation, threshold):
    summary = response_summary(responses, rules)
    tiles = [stat_tile(f"jarp-tile-{t['priority'].lower()}", t["label"], t["value"], detail=t["detail"])
             for t in fig.response_tiles(summary, rules, presentation=presentation, threshold=threshold)]
    raw = fig.response_time_table(responses, rules)
    shown = fig.response_time_table(responses, rules, presentation=True, threshold=threshold) if presentation else raw
    title = fig.response_title(summary)
    times = chart_card("jarp-response-times", fig.response_figure(shown, title, rules, raw=raw), shown,
                       fig.response_summary_text(summary, title, rules), filename="jarp-response-times",
                       note="Referrals decided in the 12 months to the as-at date that have had a first response. "
                            "P1 is counted in calendar days, P2 and P3 in working days (England and Wales bank "
                            "holidays excluded). Declined referrals have no target.")
    trend_raw = response_trend(responses)
    trend = fig.response_trend_table(trend_raw, presentation=presentation, threshold=threshold)
    trend_card = chart_card("jarp-response-trend", fig.response_trend_figure(trend), trend,
                            fig.response_trend_summary(trend), filename="jarp-response-trend",
                            note="Judged responses only: on time, or late (including no response once past target)."
                                 + (" Months with fewer than 5 are not shown in presentation mode." if presentation else ""))
    return dbc.Card(dbc.CardBody([
        html.H2("Response times against each priority's target", className="h5"),
        dbc.Row([dbc.Col(t, md=4) for t in tiles]),
        times, trend_card,
    ]), className="mb-3", id="jarp-responses-section")


def _reviews_section(reviews, rules, presentation, threshold):
    raw = fig.review_table(reviews)
    shown = fig.review_table(reviews, presentation=True, threshold=threshold) if presentation else raw
    title = fig.review_title(reviews, presentation=presentation, threshold=threshold)
    chart = chart_card("jarp-reviews", fig.review_figure(shown, title, rules.review_notice_days, raw=raw), shown,
                       fig.review_summary(shown, title, rules.review_notice_days), filename="jarp-reviews",
                       note="Services allocated in the 12 months to the as-at date. Due date: the recorded next review, "
                            "else six weeks after the panel decision.")
    return dbc.Card(dbc.CardBody([
        html.H2("Six-weekly progress reviews", className="h5"), chart,
        child_table("jarp-reviews-grid", fig.review_rows(reviews), REVIEW_COLUMNS, presentation=presentation,
                    title="Overdue first, then due soonest", filename="jarp-reviews-due"),
    ]), className="mb-3", id="jarp-reviews-section")


@callback(Output("jarp-body", "children"), Input(FILTERS_ID, "data"))
@guarded()
def render(data):
    """The whole page body for the current filters (an error replaces it, nothing stale stays)."""
    state = view_state(data)
    db = get_db()
    rules = rules_for(db.standards)
    threshold = db.standards.suppress_below
    p = state.presentation
    queue = fetch(jarp_queue, state.filters)
    trend = fetch(jarp_queue_trend, state.filters, TREND_WEEKS)
    responses = fetch(jarp_responses, state.filters)
    reviews = fetch(jarp_reviews_due, state.filters)
    unknown = fetch(jarp_unknown_criteria, state.filters)
    panel = next_panel(state.as_at, rules)
    return html.Div([
        _tiles(queue, reviews, unknown, panel, p, threshold),
        _agenda_section(queue, panel, rules, p, threshold),
        _queue_section(queue, trend, rules, p, threshold),
        _responses_section(responses, rules, p, threshold),
        _reviews_section(reviews, rules, p, threshold),
    ])
