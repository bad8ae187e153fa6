"""JARP queue: the next Joint Allocation Resource Panel's agenda, the queue, responses and reviews.

Seed 003 section 3.6 and Appendices A and B, as docs/DEFINITIONS.md "JARP priority queue" fixes them. One part,
``body``: the
headline tiles, the agenda (chart and the managers' lists), the queue week by week, response
times against each priority's target and six-weekly reviews falling due.

Every number passes through ``view.disclosure``. In presentation mode: a count of referrals
under the threshold is the mark; the next panel's split by priority (whose total is shown) hides
a second priority beside a hidden one, and the bars of a chart that add up to a shown count
(a priority's referrals by score, a status's reviews by day, a week's queue by priority, the
responses within target) are suppressed the same way; a share on time is hidden when its
on-time, late or judged count is; a hidden count is never drawn, nor in hover or the CSV; the
child-level lists (each referral's reasons) are not sent at all; and a chart with nothing it may
draw says why (``Chart.empty``) instead of stating a finding.
"""

from __future__ import annotations

from calendar import day_name

import pandas as pd

from dashboard.cache import cached_call
from dashboard.disclosure import Disclosure
from dashboard.figures import jarp as fig
from dashboard.figures.common import Figure, empty_figure
from dashboard.sections.base import Chart, Note, PageSpec, Section, Tile, View
from dashboard.sections.common import child_list
from dashboard.sections.methods import jarp_method, method_section
from data_layer import (
    jarp_queue,
    jarp_queue_trend,
    jarp_responses,
    jarp_reviews_due,
    jarp_unknown_criteria,
    response_summary,
    response_trend,
)
from data_layer.metrics.jarp_scoring import next_panel, rules_for
from data_layer.standards import cite, months_text
from data_layer.vocabulary import PRIORITIES

TREND_WEEKS = 26

#: A referral's team, for a manager's view of the lists (``common.child_list``).
TEAM_COLUMNS = ("referring_team_id",)

#: Widths come from ``dashboard.render.grid_columns`` (header words and values kept whole), so the
#: agenda fits its card at 1440 px and scrolls inside it on a phone.
AGENDA_COLUMNS = [
    {"field": "order", "headerName": "#", "type": "numericColumn"},
    {"field": "priority", "headerName": "Priority"},
    {"field": "score", "headerName": "Score", "type": "numericColumn"},
    {
        "field": "reasons",
        "headerName": "Reasons for the score (points)",
        "flex": 4,
        "wrapText": True,
        "autoHeight": True,
        "cellStyle": {"lineHeight": "1.4", "whiteSpace": "normal"},
    },
    {"field": "carried", "headerName": "Carried over"},
    {"field": "waiting_days", "headerName": "Days waiting", "type": "numericColumn"},
    {"field": "panel_date", "headerName": "Panel"},
    {"field": "referring_team", "headerName": "Referring team"},
    {"field": "child_id", "headerName": "Child"},
    {"field": "referral_id", "headerName": "Referral"},
    {
        "field": "services_requested",
        "headerName": "Services requested",
        "wrapText": True,
        "autoHeight": True,
    },
    {"field": "flags", "headerName": "Data notes", "wrapText": True, "autoHeight": True},
]
REVIEW_COLUMNS = [
    {"field": "status", "headerName": "Status"},
    {"field": "review_due", "headerName": "Review due"},
    # In words; the rows come overdue first, then due soonest, and words would sort A-Z, so this column
    # does not sort. The signed number (negative: overdue) is a hidden column: it is in the CSV.
    {"field": "due", "headerName": "Due", "sortable": False},
    {"field": "days_to_due", "headerName": "Days to due", "type": "numericColumn", "hide": True},
    {"field": "due_basis", "headerName": "Due date from"},
    {"field": "decision_date", "headerName": "Panel decision"},
    {"field": "referring_team", "headerName": "Referring team"},
    {"field": "child_id", "headerName": "Child"},
    {"field": "referral_id", "headerName": "Referral"},
    {"field": "services_requested", "headerName": "Services"},
]

#: What a chart says in presentation mode about the counts it leaves out (then the marks' note).
NOT_DRAWN = "In presentation mode a count under {t}, or one hidden so that it cannot be worked out, is not drawn."
#: The same, where a row's label is about a few children (a score, days overdue): the row is left out of the CSV too.
NOT_LISTED = (
    "In presentation mode a count under {t}, or one hidden so that it cannot be worked out, is neither drawn "
    "nor listed in the CSV."
)


def _clock(hour: int) -> str:
    """The cut-off hour as the practice documents write it: 14 -> "2pm", 12 -> "noon", 9 -> "9am"."""
    if hour == 12:
        return "noon"
    if hour == 0:
        return "midnight"
    return f"{hour % 12}{'am' if hour < 12 else 'pm'}"


def _note(text: str, d: Disclosure, presentation: str = "") -> str:
    """A chart's note, with what presentation mode leaves out and the marks explained."""
    if not d.active:
        return text
    return " ".join(t for t in (text, presentation or NOT_DRAWN.format(t=d.threshold), d.note) if t)


def _nothing_drawn(d: Disclosure, table: pd.DataFrame, figure: Figure) -> str | None:
    """In presentation mode, why a chart with data draws nothing: every count it has is hidden."""
    if d.active and len(table) and not any(t.get("type") == "bar" for t in figure.traces):
        return (
            f"Every count on this chart is under {d.threshold}, or hidden so that one cannot be worked out, "
            "so none is drawn in presentation mode"
        )
    return None


# --------------------------------------------------------------------------- headline


def carried_texts(queue: pd.DataFrame, d: Disclosure) -> tuple[str, str, int]:
    """(carried over, carried over more than once, the latter's exact count) for the tile and the list title.

    Those carried over once and more than once add up to the carried-over count the tile shows:
    secondary suppression between the two.
    """
    carried = int((queue["carried_over"] >= 1).sum()) if len(queue) else 0
    repeat = int((queue["carried_over"] >= 2).sum()) if len(queue) else 0
    _, repeat_text = d.split([carried - repeat, repeat], total_shown=not d.hides(carried))
    return d.count(carried), repeat_text, repeat


def headline(queue, reviews, unknown, panel, rules, view: View) -> Section:
    d = view.disclosure
    texts = fig.agenda_texts(queue, d)
    carried, repeat_text, repeat = carried_texts(queue, d)
    over, soon = fig.review_counts(reviews)
    scored = ", ".join(f"{PRIORITIES.short(p)} {texts[p]}" for p in fig.SCORED)
    detail = f"{scored}; {PRIORITIES.short('below_threshold')} {texts['below_threshold']}. " + fig.queue_and_panel_text(
        queue, d
    )
    if texts["total"] == d.secondary_mark:
        detail += (
            f" The number is hidden: with the queue's, it would give away the fewer than {d.threshold} "
            "booked for a later panel."
        )
    tiles = [
        Tile(
            id="jarp-tile-agenda",
            label=f"Next panel: {panel:%A %d %B %Y}",
            value=fig.agenda_count(texts),
            detail=detail,
        ),
        Tile(
            id="jarp-tile-carried",
            label="Carried over from an earlier panel",
            value=carried,
            detail=f"{repeat_text} carried over more than once.",
            rag="red" if repeat else None,
        ),
        Tile(
            id="jarp-tile-reviews",
            label="Progress reviews overdue",
            value=d.count(over),
            detail=f"{d.count(soon)} due in the next {rules.review_notice_days} days.",
            rag="red" if over else "green",
        ),
    ]
    if len(unknown):
        codes = ", ".join(f"'{r.criterion}'" for r in unknown.head(5).itertuples())
        tiles.append(
            Tile(
                id="jarp-tile-unknown",
                label="Referrals with unrecognised criterion codes",
                value=d.count(int(unknown["referrals"].sum())),
                detail=f"Not scored, so their scores may be too low: {codes}. Check the data or add the "
                "code's points to the standards file.",
                rag="amber",
            )
        )
    return Section(id="jarp-headline", title=None, items=tuple(tiles), card=False)


# --------------------------------------------------------------------------- agenda


def agenda_chart(queue: pd.DataFrame, panel, rules, view: View) -> Chart:
    d = view.disclosure
    texts = fig.agenda_texts(queue, d)
    raw = fig.agenda_score_table(queue)
    shown = fig.agenda_shown(raw, d, fig.hidden_priorities(texts))
    title = fig.agenda_title(queue, panel, d)
    figure = fig.agenda_figure(raw, shown, title, rules)
    empty = "No referrals are waiting for the next panel" if raw.empty else _nothing_drawn(d, raw, figure)
    if empty:
        figure = empty_figure(title, empty)
    note = (
        f"Direct-referral exceptions are P1 at any score. {fig.CARRIED_MARK} marks a carried-over referral in "
        "the agenda."
    )
    return Chart(
        id="jarp-agenda",
        title=title,
        figure=figure,
        table=fig.drawn_rows(shown, "referrals"),
        finding=empty or fig.agenda_facts(texts)[0],
        summary=fig.agenda_summary(texts, title, rules) if not empty else f"Bar chart: {title}. {empty}.",
        note=_note(note, d, NOT_LISTED.format(t=d.threshold) + " Carried-over counts per score are left out."),
        standard=f"Priority bands: P1 from {rules.p1_min} points or a direct-referral exception, P2 from "
        f"{rules.p2_min}, P3 from {rules.p3_min} ({cite(fig.SOURCE)})",
        filename="jarp-next-panel-scores",
        empty=empty,
    )


def agenda_section(queue: pd.DataFrame, panel, rules, view: View) -> Section:
    below = fig.agenda_rows(queue, "below")
    later = fig.agenda_rows(queue, "later")
    items: list = [
        agenda_chart(queue, panel, rules, view),
        child_list(
            "jarp-agenda-grid",
            fig.agenda_rows(queue, "next"),
            AGENDA_COLUMNS,
            view,
            team_columns=TEAM_COLUMNS,
            title="In agenda order: priority, then score, then waiting time",
            filename="jarp-agenda",
        ),
    ]
    if not view.presentation:  # a prompt for the managers who see the list below it
        items.append(
            Note(
                id="jarp-below-prompt",
                kind="warning",
                text=f"Below threshold: {len(below):,} referral(s) score 0 points and have no "
                "direct-referral exception. Check the threshold is met (an evidenced risk from "
                "Appendix B) and the criteria were recorded before the panel.",
            )
        )
    items.append(
        child_list(
            "jarp-below-grid",
            below,
            AGENDA_COLUMNS,
            view,
            team_columns=TEAM_COLUMNS,
            title="Below threshold: check before the panel",
            filename="jarp-below-threshold",
        )
    )
    if len(later) and not view.presentation:  # even that there are some is not said in presentation mode
        items.append(
            child_list(
                "jarp-later-grid",
                later,
                AGENDA_COLUMNS,
                view,
                team_columns=TEAM_COLUMNS,
                title="In after the cut-off: booked for a later panel",
                filename="jarp-later-panels",
            )
        )
    return Section(id="jarp-agenda-section", title="Agenda for the next panel", items=tuple(items))


# --------------------------------------------------------------------------- queue


def queue_chart(trend: pd.DataFrame, rules, view: View) -> Chart:
    d = view.disclosure
    raw = fig.queue_trend_table(trend)
    shown = fig.queue_trend_shown(raw, d)
    title = fig.queue_trend_title(raw, d)
    figure = fig.queue_trend_figure(raw, shown, title, rules.max_wait_days)
    empty = "No referrals were waiting in the period" if raw.empty or not raw["total"].any() else None
    empty = empty or _nothing_drawn(d, raw[raw["total"] > 0], figure)
    if empty:
        figure = empty_figure(title, empty)
    note = (
        f"Referrals submitted and not yet decided at each week's end. The longest wait the timetable allows is "
        f"{rules.max_wait_days} days (in just after the {day_name[rules.cutoff_weekday]} cut-off)."
    )
    return Chart(
        id="jarp-queue-trend",
        title=title,
        figure=figure,
        table=shown,
        finding=empty or "; ".join(fig.queue_trend_facts(raw, d)),
        summary=f"Stacked bar chart: {title}. {empty}." if empty else fig.queue_trend_summary(raw, title, d),
        note=_note(
            note,
            d,
            NOT_DRAWN.format(t=d.threshold)
            + " A week's bar can then be shorter than its total, which the hover gives.",
        ),
        standard=f"No referral waits past its panel ({cite('003 App. A/B')})",
        filename="jarp-queue-by-week",
        empty=empty,
    )


def queue_section(queue: pd.DataFrame, trend: pd.DataFrame, rules, view: View) -> Section:
    _, repeat_text, _ = carried_texts(queue, view.disclosure)
    return Section(
        id="jarp-queue-section",
        title="The queue week by week",
        items=(
            queue_chart(trend, rules, view),
            child_list(
                "jarp-carried-grid",
                fig.carried_rows(queue),
                AGENDA_COLUMNS,
                view,
                team_columns=TEAM_COLUMNS,
                title=f"Carried over more than once ({repeat_text})",
                filename="jarp-carried-over",
            ),
        ),
    )


# --------------------------------------------------------------------------- responses


def response_times_chart(responses: pd.DataFrame, summary: pd.DataFrame, rules, view: View) -> Chart:
    d = view.disclosure
    raw = fig.response_time_table(responses, rules)
    shown = fig.response_time_shown(raw, summary, d)
    window = months_text(rules.window_months)
    title = fig.response_title(summary, d, window)
    figure = fig.response_figure(raw, shown, title, rules)
    empty = (
        f"No responses were received in the {window} for the selected teams"
        if raw.empty
        else _nothing_drawn(d, raw, figure)
    )
    if empty:
        figure = empty_figure(title, empty)
    note = (
        f"Referrals decided in the {window} to the as-at date that have had a first response. Declined referrals "
        "have no target."
    )
    return Chart(
        id="jarp-response-times",
        title=title,
        figure=figure,
        table=fig.drawn_rows(shown, "responses"),
        finding=empty or "; ".join(fig.response_facts(summary, rules, d)),
        summary=fig.response_summary_text(summary, title, rules, d)
        if not empty
        else f"Bar charts by priority: {title}. {empty}.",
        note=_note(note, d, NOT_LISTED.format(t=d.threshold)),
        standard=f"Each priority's response target ({cite(fig.SOURCE)})",
        filename="jarp-response-times",
        empty=empty,
    )


def response_trend_chart(responses: pd.DataFrame, view: View, window: str = "12 months") -> Chart:
    d = view.disclosure
    raw = fig.response_trend_table(response_trend(responses))
    empty = fig.response_trend_empty(raw, d, window)
    note = _note(
        "Judged responses only: on time, or late (including no response once past target).",
        d,
        f"In presentation mode the monthly counts are left out, and a month's share on time is shown only "
        f"when neither its on-time nor its late count is under {d.threshold}.",
    )
    return Chart(
        id="jarp-response-trend",
        title=fig.RESPONSE_TREND_TITLE,
        figure=fig.response_trend_figure(raw, d, window),
        table=fig.response_trend_shown(raw, d),
        finding=empty or "; ".join(fig.response_trend_facts(raw, d)),
        summary=fig.response_trend_summary(raw, d, window),
        note=note,
        standard=f"Every response within its priority's target: 100% ({cite(fig.SOURCE)})",
        filename="jarp-response-trend",
        empty=empty,
    )


def responses_section(responses: pd.DataFrame, rules, view: View) -> Section:
    summary = response_summary(responses, rules)
    tiles = [
        Tile(id=f"jarp-tile-{t['priority'].lower()}", label=t["label"], value=t["value"], detail=t["detail"])
        for t in fig.response_tiles(summary, rules, view.disclosure)
    ]
    return Section(
        id="jarp-responses-section",
        title="Response times against each priority's target",
        items=(
            *tiles,
            response_times_chart(responses, summary, rules, view),
            response_trend_chart(responses, view, months_text(rules.window_months)),
        ),
    )


# --------------------------------------------------------------------------- reviews


def reviews_chart(reviews: pd.DataFrame, rules, view: View) -> Chart:
    d = view.disclosure
    notice = rules.review_notice_days
    raw = fig.review_table(reviews)
    shown = fig.review_shown(raw, d)
    title = fig.review_title(reviews, d, notice)
    figure = fig.review_figure(raw, shown, title, notice, rules.review_weeks)
    empty = (
        f"No progress reviews are overdue or due in the next {notice} days"
        if raw.empty
        else _nothing_drawn(d, raw, figure)
    )
    if empty:
        figure = empty_figure(title, empty)
    facts = fig.review_facts(raw, shown)
    note = (
        f"Services allocated in the {months_text(rules.window_months)} to the as-at date. Due date: the recorded "
        f"next review, else {rules.review_weeks} weeks after the panel decision."
    )
    return Chart(
        id="jarp-reviews",
        title=title,
        figure=figure,
        table=fig.drawn_rows(shown, "reviews"),
        finding=empty or "; ".join(facts) or f"Reviews flagged {notice} days before they fall due",
        summary=f"Bar chart: {title}. {empty}."
        if empty
        else fig.review_summary(raw, shown, title, notice, rules.review_weeks),
        note=_note(
            note, d, NOT_LISTED.format(t=d.threshold) + " The longest overdue is stated only when its count is shown."
        ),
        standard=f"Reviewed every {rules.review_weeks} weeks, flagged {notice} days ahead ({cite('003 App. A')})",
        filename="jarp-reviews",
        empty=empty,
    )


def reviews_section(reviews: pd.DataFrame, rules, view: View) -> Section:
    return Section(
        id="jarp-reviews-section",
        title=f"Progress reviews every {rules.review_weeks} weeks",
        items=(
            reviews_chart(reviews, rules, view),
            child_list(
                "jarp-reviews-grid",
                fig.review_rows(reviews, notice_days=rules.review_notice_days, review_weeks=rules.review_weeks),
                REVIEW_COLUMNS,
                view,
                team_columns=TEAM_COLUMNS,
                title="Overdue first, then due soonest",
                filename="jarp-reviews-due",
            ),
        ),
    )


# --------------------------------------------------------------------------- the page


def body(db, view: View) -> list[Section]:
    """The whole page: headline tiles, agenda, queue, responses, reviews."""
    rules = rules_for(db.standards)
    f = view.filters
    queue = cached_call(jarp_queue, db, f)
    trend = cached_call(jarp_queue_trend, db, f, TREND_WEEKS)
    responses = cached_call(jarp_responses, db, f)
    reviews = cached_call(jarp_reviews_due, db, f)
    unknown = cached_call(jarp_unknown_criteria, db, f)
    panel = next_panel(view.as_at, rules)
    return [
        headline(queue, reviews, unknown, panel, rules, view),
        agenda_section(queue, panel, rules, view),
        queue_section(queue, trend, rules, view),
        responses_section(responses, rules, view),
        reviews_section(reviews, rules, view),
        method_section("jarp", jarp_method(db.standards)),
    ]


PAGE = PageSpec(
    key="jarp",
    path="/jarp",
    name="JARP queue",
    parts=(("body", body),),
    lede="The next Joint Allocation Resource Panel's agenda in priority order with the reasons for each score, the "
    "queue week by week, how fast families get a service after the panel, and the progress reviews due every "
    "{s.jarp_review_weeks} weeks.",
)

__all__ = ["PAGE", "body", "AGENDA_COLUMNS", "REVIEW_COLUMNS", "TREND_WEEKS", "carried_texts"]
