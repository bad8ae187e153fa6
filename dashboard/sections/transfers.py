"""Transfers: are cases moving between teams on time, with notice and a joint visit? (docs/DEFINITIONS.md "Transfers")

Standards (defaults; every text is formatted from ``db.standards``): transfer within 3 working days
of the request (003), at least two weeks' notice (004), a joint home visit in the week before
transfer (003), and as few key-worker changes as possible (003, 004). One part, ``body``: the
tiles, timeliness charts, flows between teams, notice and joint visits by team pair, pending
transfers (child level), key-worker changes and the rows the standards cannot judge.

Every number passes through ``view.disclosure``, via ``dashboard.figures.transfers``: the page
totals are decided once, as the tiles show them (:func:`~dashboard.figures.transfers.page_totals`),
and each chart's counts are decided against them in one ledger, so a small count is never printed,
drawn, downloaded or worked back from a total, and no percentage, median or finding is given for
a count that is hidden.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from dashboard.cache import cached_call
from dashboard.figures import transfers as fig
from dashboard.sections.base import Chart, Note, PageSpec, Section, Table, Tile, View
from dashboard.sections.common import child_list
from dashboard.sections.methods import method_section, transfers_method
from data_layer import (
    MissingData,
    keyworker_change_children,
    keyworker_changes,
    transfer_exclusions,
    transfer_flows,
    transfers,
)
from data_layer.queries.transfers import POINT_CHART
from data_layer.standards import Standards, source_of


def pending_grid_columns(s: Standards) -> list[dict]:
    """The pending transfers' grid columns; the verdict's header states the standard in force."""
    return [
        {**c, "headerName": f"Against {s.transfer_working_days} working days"} if c["field"] == "verdict" else c
        for c in PENDING_GRID_COLUMNS
    ]


def keyworker_grid_columns(s: Standards) -> list[dict]:
    """The key-worker children's grid columns, the allocations' header naming the reporting window."""
    return [
        {**c, "headerName": f"Allocations started in {s.window}"} if c["field"] == "allocations" else c
        for c in KEYWORKER_GRID_COLUMNS
    ]


PENDING_GRID_COLUMNS: list[dict[str, Any]] = [
    {"field": "child_id", "headerName": "Child"},
    {"field": "from_team", "headerName": "From", "flex": 1.5, "minWidth": 170},
    {"field": "to_team", "headerName": "To", "flex": 1.5, "minWidth": 170},
    {"field": "transfer_point", "headerName": "Transfer point", "flex": 1.5, "minWidth": 190},
    {"field": "requested_date", "headerName": "Requested", "maxWidth": 140},
    {"field": "working_days", "headerName": "Working days waiting", "type": "numericColumn", "maxWidth": 150},
    {"field": "days_waiting", "headerName": "Calendar days waiting", "type": "numericColumn", "maxWidth": 150},
    {"field": "verdict", "headerName": "Against the standard", "minWidth": 230},  # named by pending_grid_columns
]
KEYWORKER_GRID_COLUMNS: list[dict[str, Any]] = [
    {"field": "child_id", "headerName": "Child"},
    {"field": "changes", "headerName": "Key-worker changes", "type": "numericColumn", "sort": "desc"},
    {
        "field": "allocations",
        "headerName": "Allocations started",
        "type": "numericColumn",
    },  # window added by keyworker_grid_columns
    {"field": "last_change", "headerName": "Latest change"},
    {"field": "team", "headerName": "Team", "flex": 2},
]
# Long headers wrap rather than being cut off.
for _col in PENDING_GRID_COLUMNS + KEYWORKER_GRID_COLUMNS:
    _col.update(wrapHeaderText=True, autoHeaderHeight=True)

EXCLUDED_COLUMNS = [
    {"field": "reason", "headerName": "Reason"},
    {"field": "applies_to", "headerName": "Left out of"},
    {"field": "rows", "headerName": "Rows"},
]

ON_TIME_NOTE = "% of transfers judged so far: completed ones, and pending ones already late."


def _note(view: View, text: str, hidden_note: str | None = None) -> str:
    """A chart's note, with (in presentation mode) what is not drawn and the disclosure sentence."""
    d = view.disclosure
    if not d.active:
        return text
    return " ".join(t for t in (text, hidden_note, d.note) if t)


def tiles(totals: fig.Totals, s) -> tuple[Tile, ...]:
    std = s.transfer_working_days
    return (
        Tile(
            id="transfers-tile-on-time",
            label=f"Completed within {std} working days",
            value=totals.share("on_time", "done"),
            detail=f"{totals.of('on_time', 'done')} completed in the {s.window}.",
            standard=f"Every transfer within {std} working days ({source_of('transfer_working_days')})",
        ),
        Tile(
            id="transfers-tile-pending",
            label="Pending transfers",
            value=totals.text("pending"),
            detail=f"{totals.text('late_pending')} already past {std} working days.",
        ),
        Tile(
            id="transfers-tile-notice",
            label=f"Notice of {s.transfer_notice_days}+ days",
            value=totals.share("notice", "done"),
            detail="Of completed transfers.",
            standard=f"{s.transfer_notice_days} days' notice ({source_of('transfer_notice_days')})",
        ),
        Tile(
            id="transfers-tile-joint",
            label=f"Joint visit in {fig.days_before_text(s.joint_visit_days)}",
            value=totals.share("joint", "done"),
            detail=f"Within {s.joint_visit_days} days before completion.",
            standard=f"Joint visit within {s.joint_visit_days} days ({source_of('joint_visit_days')})",
        ),
        Tile(
            id="transfers-tile-keyworker",
            label=f"Children with {s.keyworker_changes_alert}+ key-worker changes",
            value=totals.text("keyworker_many"),
            detail=f"In the {s.window} to the as-at date.",
        ),
    )


def working_days_chart(rows: pd.DataFrame, totals: fig.Totals, view: View, s) -> Chart:
    std = s.transfer_working_days
    table = fig.working_days_table(rows)
    shown = fig.working_days_shown(table, view.disclosure, totals, standard=std)
    title = fig.working_days_title(totals, standard=std)
    empty = (
        None
        if int(table["transfers"].sum())
        else f"No transfers requested in the {s.window} or pending for these filters"
    )
    return Chart(
        id="transfers-working-days",
        title=title,
        figure=fig.working_days_figure(shown, title, standard=std, window=s.window),
        table=fig.working_days_csv(shown),
        finding=empty or title,
        summary=fig.working_days_summary(table, title, standard=std),
        note=_note(
            view,
            "Pending transfers show the working days waited so far.",
            "A bar whose count is hidden is not drawn.",
        ),
        standard=f"Every transfer within {std} working days ({source_of('transfer_working_days')})",
        filename="transfers-working-days",
        empty=empty,
    )


def on_time_chart(rows: pd.DataFrame, totals: fig.Totals, view: View, s, *, by: str, left_out: int = 0) -> Chart:
    std = s.transfer_working_days
    d = view.disclosure
    subject, axis, chart_id = {
        "to_team": ("receiving team", "Receiving team", "transfers-by-team"),
        "transfer_point": ("transfer point", "Transfer point", "transfers-by-point"),
    }[by]
    table = fig.on_time_table(rows, by)
    shown = fig.on_time_shown(table, d, totals, left_out=left_out if by == "transfer_point" else None)
    title = fig.on_time_title(table, subject, standard=std)
    extra = None
    if by == "transfer_point" and left_out:
        verb = "is" if left_out == 1 and not d.hides(left_out) else "are"
        extra = (
            f"{d.count_noun(left_out, 'transfer')} with no or an unrecognised transfer point {verb} left out "
            "of this chart only."
        )
    empty = None if len(table) else f"No transfers to judge by {subject} for these filters"
    return Chart(
        id=chart_id,
        title=title,
        figure=fig.on_time_figure(shown, title, axis_title=axis, standard=std),
        table=fig.on_time_csv(shown),
        finding=title,
        summary=fig.on_time_summary(shown, title, subject),
        note=_note(
            view,
            " ".join(t for t in (ON_TIME_NOTE, extra) if t),
            f"A {subject} whose percentage rests on a hidden count has no bar and is listed last.",
        ),
        standard=f"Every transfer within {std} working days ({source_of('transfer_working_days')})",
        filename=chart_id,
        empty=empty,
        width=6,
    )


def monthly_chart(rows: pd.DataFrame, totals: fig.Totals, view: View, s) -> Chart:
    f = view.filters
    std = s.transfer_working_days
    table = fig.monthly_table(rows, f.window_start(s.reporting_window_months), f.as_at)
    shown = fig.monthly_shown(table, view.disclosure, totals)
    finding = fig.monthly_finding(shown, s.window)
    empty = None if int(table["transfers"].sum()) else f"No transfers requested in the {s.window} for these filters"
    return Chart(
        id="transfers-monthly",
        title=fig.MONTHLY_TITLE,
        figure=fig.monthly_figure(shown, finding, standard=std, window=s.window),
        table=fig.monthly_csv(shown),
        finding=empty or finding,
        summary=fig.monthly_summary(shown, finding),
        note=_note(
            view,
            f"Month of the request. Pending transfers requested before the {s.window} are in the other charts, not "
            "here.",
            "A month whose count is hidden has no bar, and one whose share rests on a hidden count no point.",
        ),
        standard=f"Every transfer within {std} working days ({source_of('transfer_working_days')})",
        filename="transfers-monthly",
        empty=empty,
    )


def flows_chart(rows: pd.DataFrame, totals: fig.Totals, view: View, s) -> Chart:
    std = s.transfer_working_days
    table = fig.flows_table(rows)
    shown = fig.flows_shown(table, view.disclosure, totals)
    title = fig.flows_title(shown, standard=std)
    empty = None
    if table.empty:
        empty = "No transfers between teams in the period"
    elif not fig.flows_drawn(shown):
        empty = "Every team pair has too few transfers to draw in presentation mode"
    return Chart(
        id="transfers-flows",
        title=title,
        figure=fig.flows_figure(shown, title, standard=std),
        table=fig.flows_csv(shown),
        finding=empty or title,
        summary=fig.flows_summary(shown, title),
        note=_note(
            view,
            "Median working days are over completed transfers; download the table for every pair.",
            "Team pairs whose count is hidden are not drawn, and a median of fewer than "
            f"{view.disclosure.threshold} completed transfers is not shown.",
        ),
        standard=f"Median within {std} working days ({source_of('transfer_working_days')})",
        filename="transfers-flows",
        empty=empty,
    )


def pairs_chart(rows: pd.DataFrame, totals: fig.Totals, view: View, s) -> Chart:
    table = fig.pair_standards_table(rows)
    shown = fig.pair_standards_shown(table, view.disclosure, totals)
    title = fig.pair_standards_title(table, totals, notice_days=s.transfer_notice_days, joint_days=s.joint_visit_days)
    empty = None if len(table) else "No transfers completed in the period"
    return Chart(
        id="transfers-pairs",
        title=title,
        figure=fig.pair_standards_figure(
            shown, title, notice_days=s.transfer_notice_days, joint_days=s.joint_visit_days
        ),
        table=fig.pair_standards_csv(shown),
        finding=empty or title,
        summary=fig.pair_standards_summary(shown, title),
        note=_note(
            view,
            "Completed transfers. None recorded counts as not met.",
            "A pair whose percentage rests on a hidden count has no bar and is listed last.",
        ),
        standard=f"{s.transfer_notice_days} days' notice ({source_of('transfer_notice_days')}); joint visit within "
        f"{s.joint_visit_days} days ({source_of('joint_visit_days')})",
        filename="transfers-notice-joint-visits",
        empty=empty,
    )


#: The pending list's filter (``?pending=late``): every pending transfer, or only the late ones.
PENDING_CHOICES = {"all": "All pending transfers", "late": "Late ones only"}


def pending_section(rows: pd.DataFrame, view: View, s) -> Section:
    """The pending list, late ones first; only the late ones when the ``pending`` control says ``late``."""
    late_only = view.control("pending", "all") == "late"
    if view.disclosure.active:
        table = pd.DataFrame(columns=fig.PENDING_COLUMNS)
    else:
        pending = rows[rows["late"].astype(bool)] if late_only and len(rows) else rows
        table = fig.pending_rows(pending, standard=s.transfer_working_days)
    grid = child_list(
        "transfers-pending-grid",
        table,
        pending_grid_columns(s),
        view,
        team_columns=("from_team_id", "to_team_id"),  # a manager sees transfers out of and into their teams
        title="Pending transfers already late" if late_only else "Pending transfers, late ones first",
        filename="transfers-pending",
    )
    return Section(id="transfers-pending-list", title=None, items=(grid,), pack=False, card=False)


def keyworker_chart(kw: pd.DataFrame, totals: fig.Totals | None, view: View, s) -> Chart:
    alert = s.keyworker_changes_alert
    shown = fig.keyworker_shown(kw, view.disclosure, totals, alert=alert)
    title = fig.keyworker_title(shown, alert=alert, window=s.window)
    empty = None if int(kw["children"].sum()) else f"No children with a key worker in the {s.window} for these filters"
    return Chart(
        id="transfers-keyworker",
        title=title,
        figure=fig.keyworker_figure(shown, title, alert=alert, window=s.window),
        table=fig.keyworker_csv(shown),
        finding=empty or title,
        summary=fig.keyworker_summary(kw, title, alert=alert),
        note=_note(
            view,
            f"Children with a key worker at any time in the {s.window}, including those with no change.",
            "A bar whose count is hidden is not drawn.",
        ),
        standard=f"As few key-worker changes as possible ({source_of('keyworker_changes_alert')})",
        filename="transfers-keyworker-changes",
        empty=empty,
    )


def keyworker_children_section(db, view: View, s) -> Section:
    rows = (
        pd.DataFrame(columns=fig.KEYWORKER_CHILD_COLUMNS)
        if view.disclosure.active
        else fig.keyworker_child_rows(cached_call(keyworker_change_children, db, view.filters))
    )
    grid = child_list(
        "transfers-keyworker-grid",
        rows,
        keyworker_grid_columns(s),
        view,
        title=f"Children with {s.keyworker_changes_alert} or more key-worker changes",
        filename="transfers-keyworker-children",
    )
    return Section(id="transfers-keyworker-children-card", title=None, items=(grid,), pack=False)


def exclusions_section(ex: pd.DataFrame, view: View) -> Section:
    table = fig.exclusions_table(ex)
    shown = fig.exclusions_shown(table, view.disclosure)
    items: list = [Note(id="transfers-excluded-text", text=fig.exclusions_text(shown))]
    if len(table):
        items.append(
            Table(
                id="transfers-excluded-table",
                title=None,
                rows=fig.exclusions_csv(shown),
                columns=EXCLUDED_COLUMNS,
                filename="transfers-excluded-rows",
                child_level=False,
                grid=False,
                note=view.disclosure.note or None,
            )
        )
    return Section(id="transfers-excluded-card", title="Rows the standards cannot judge", items=tuple(items))


FLOW_COLUMNS = [
    {"field": "from_team_name", "headerName": "From"},
    {"field": "to_team_name", "headerName": "To"},
    {"field": "transfers", "headerName": "Completed transfers"},
]


def flows_table(flows: pd.DataFrame, view: View) -> Table:
    """Completed transfers per pair of teams (``transfer_flows``), counts through the disclosure rules
    (no total is printed beside them, so primary suppression is enough)."""
    rows = flows[["from_team_name", "to_team_name", "transfers"]].fillna("No team recorded")
    return Table(
        id="transfers-flows-table",
        title=None,
        rows=view.disclosure.table(rows, counts=["transfers"]),
        columns=FLOW_COLUMNS,
        filename="transfers-between-teams",
        child_level=False,
        grid=False,
    )


def partial_body(db, view: View, missing: MissingData) -> list[Section]:
    """The page without timed transfers (an SSD knows a transfer only as a change of team between
    key-worker involvements): the statement of what is missing, completed transfers between teams
    where the source has them, and key-worker changes, which need only allocations."""
    s = db.standards
    out = [
        Section(
            id="transfers-body-missing",
            title=None,
            card=False,
            items=(Note(id="transfers-body-missing-note", text=f"{missing}.", kind="info"),),
        )
    ]
    try:
        flows = cached_call(transfer_flows, db, view.filters)
    except MissingData:
        flows = None
    if flows is not None:
        out.append(
            Section(
                id="transfers-flows-section",
                title=f"Completed transfers between teams in the {s.window}",
                items=(flows_table(flows, view),),
            )
        )
    kw = fig.keyworker_table(cached_call(keyworker_changes, db, view.filters))
    out += [
        Section(id="transfers-keyworker-section", title=None, card=False, items=(keyworker_chart(kw, None, view, s),)),
        keyworker_children_section(db, view, s),
        method_section("transfers", transfers_method(s)),
    ]
    return out


def body(db, view: View) -> list[Section]:
    s = db.standards
    f = view.filters
    try:
        rows = cached_call(transfers, db, f)
    except MissingData as exc:
        return partial_body(db, view, exc)
    ex = cached_call(transfer_exclusions, db, f)
    kw = fig.keyworker_table(cached_call(keyworker_changes, db, f))
    totals = fig.page_totals(rows, view.disclosure, keyworker_many=fig.keyworker_many(kw, s.keyworker_changes_alert))
    left_out = int(ex.loc[ex["applies_to"] == POINT_CHART, "rows"].sum()) if len(ex) else 0
    return [
        Section(id="transfers-tiles", title=None, items=tiles(totals, s), card=False),
        Section(
            id="transfers-timeliness",
            title=None,
            card=False,
            items=(
                working_days_chart(rows, totals, view, s),
                on_time_chart(rows, totals, view, s, by="to_team"),
                on_time_chart(rows, totals, view, s, by="transfer_point", left_out=left_out),
                monthly_chart(rows, totals, view, s),
            ),
        ),
        Section(
            id="transfers-between-teams",
            title=None,
            card=False,
            items=(
                flows_chart(rows, totals, view, s),
                pairs_chart(rows, totals, view, s),
            ),
        ),
        Section(
            id="transfers-keyworker-section", title=None, card=False, items=(keyworker_chart(kw, totals, view, s),)
        ),
        keyworker_children_section(db, view, s),
        exclusions_section(ex, view),
        method_section("transfers", transfers_method(s)),
    ]


def pending(db, view: View) -> list[Section]:
    """The pending list (its card and the ``pending`` control are the page's); nothing to list from a
    source without timed transfers (the body says what is missing)."""
    try:
        rows = cached_call(transfers, db, view.filters)
    except MissingData:
        return []
    return [pending_section(rows, view, db.standards)]


PAGE = PageSpec(
    key="transfers",
    path="/transfers",
    name="Transfers",
    parts=(("body", body), ("pending", pending)),
    controls={"pending": ("all", tuple(PENDING_CHOICES))},
    lede="Whether cases move between teams within {s.transfer_working_days} working days of the request, with "
    "{s.transfer_notice_days} days' notice and a joint visit in the {s.joint_visit_days} days before, and how often "
    "children's key workers change.",
)

__all__ = [
    "PAGE",
    "body",
    "pending",
    "PENDING_CHOICES",
    "PENDING_GRID_COLUMNS",
    "KEYWORKER_GRID_COLUMNS",
    "EXCLUDED_COLUMNS",
]
