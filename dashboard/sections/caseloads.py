"""Caseloads: who carries too many children against 25 per FTE (Cluster group presentation), and who has no key worker.

Parts: ``body`` (workers chart, distribution, weekly trend, unallocated children, data quality) and
``workers`` (the sortable worker table, control ``workers``: ``all`` or only those ``over`` target).
Every number passes through ``view.disclosure``: in presentation mode workers are anonymous with
nothing that singles one out, no count under the threshold is drawn or printed, and the longest
wait (one child's value) is not shown.
"""

from __future__ import annotations

from dataclasses import replace

import pandas as pd

from dashboard.cache import cached_call
from dashboard.figures import caseloads as fig
from dashboard.sections.base import Chart, Note, PageSpec, Section, Table, Tile, View
from dashboard.sections.common import (
    bad_rows,
    child_list,
    data_quality_section,
    max_table_rows,
    unreadable_dates_note,
)
from dashboard.sections.methods import caseloads_method, method_section
from data_layer import caseload_trend, caseloads, team_options, unallocated
from data_layer.standards import source_of
from data_layer.vocabulary import STATUSES

#: Tables the caseload figures read: their bad rows are listed under the page (docs/ARCHITECTURE.md).
CASELOAD_TABLES = (
    "allocations",
    "workers",
    "teams",
    "children",
    "referrals",
    "assessments",
    "cin_plans",
    "cp_plans",
    "cla_episodes",
)
TREND_WEEKS = 52

UNALLOCATED_COLUMNS = [
    {"field": "child_id", "headerName": "Child"},
    {"field": "team", "headerName": "Team"},
    {"field": "status", "headerName": "Status"},
    {"field": "days_unallocated", "headerName": "Days unallocated", "type": "numericColumn", "sort": "desc"},
]
STATUS_COLUMNS = [{"field": "status", "headerName": "Status"}, {"field": "children", "headerName": "Children"}]


def _fmt(x: float) -> str:
    return f"{x:g}"


def workers_chart(load: pd.DataFrame, view: View, per_fte: float) -> Chart:
    d = view.disclosure
    table = fig.worker_table(load)
    if d.active:
        shown = fig.presented_workers(table, d)
        title = fig.workers_title(table, per_fte, d)
        figure = fig.presented_workers_figure(shown, title, d)
        return Chart(
            id="caseloads-workers",
            title=title,
            figure=figure,
            table=shown,
            finding=title,
            summary=fig.presented_workers_summary(shown, title, d),
            note=f"Workers are numbered, not named, and nothing else about them is shown. {d.note}",
            standard=f"{_fmt(per_fte)} children per FTE ({source_of('caseload_per_fte')})",
            filename="caseloads-workers",
            empty=None if len(shown) else "No workers in post for the selected teams on this date",
        )
    title = fig.workers_title(table, per_fte)
    return Chart(
        id="caseloads-workers",
        title=title,
        figure=fig.workers_figure(table, per_fte=per_fte),
        table=table,
        finding=title,
        summary=fig.workers_summary(table, per_fte),
        note=f"Target = {_fmt(per_fte)} × FTE. ▲ marks a worker over target; hover a bar for the split by status.",
        standard=f"{_fmt(per_fte)} children per FTE ({source_of('caseload_per_fte')})",
        filename="caseloads-workers",
        empty=None if len(table) else "No workers in post for the selected teams on this date",
    )


def distribution_chart(load: pd.DataFrame, view: View, per_fte: float) -> Chart:
    d = view.disclosure
    dist = fig.distribution_table(load, per_fte=per_fte)
    title = fig.distribution_title(load, per_fte, d)
    missing = int((load["fte"].fillna(0) <= 0).sum()) if not load.empty else 0
    notes = [f"{d.count_noun(missing, 'worker')} without an FTE recorded left out."] if missing else []
    if d.active:
        notes.append(d.note)
    empty = None if len(dist) and int(dist["workers"].sum()) else "No workers with an FTE recorded"
    return Chart(
        id="caseloads-distribution",
        title=title,
        figure=fig.distribution_figure(dist, title, per_fte=per_fte, d=d),
        table=fig.presented_distribution(dist, d),
        finding=title,
        summary=fig.distribution_summary(dist, title, per_fte, d) if not d.active else f"Histogram: {title}.",
        note=" ".join(notes) or None,
        standard=f"{_fmt(per_fte)} children per FTE ({source_of('caseload_per_fte')})",
        filename="caseloads-distribution",
        empty=empty,
        width=6,
    )


def trend_chart(trend: pd.DataFrame, view: View, per_fte: float) -> Chart:
    d = view.disclosure
    table = fig.trend_table(trend, d)
    finding = fig.trend_title(table)
    note = (
        "Each point is a week-end date; workers in post that day in the selected teams. The average here is "
        "children per worker in post; the Overview's average caseload is per FTE of the workers holding cases "
        "(the DfE measure), so it is higher where workers are part-time."
    )
    if d.active:
        note += " A week whose figures rest on too few workers or children is a gap. " + d.note
    drawn = table["average_caseload"].map(fig._number).notna().any() if len(table) else False
    return Chart(
        id="caseloads-trend",
        title=fig.TREND_TITLE,
        figure=fig.trend_figure(table, finding, per_fte=per_fte),
        table=table,
        finding=finding,
        summary=fig.trend_summary(table, finding, per_fte),
        note=note,
        standard=f"{_fmt(per_fte)} children per FTE ({source_of('caseload_per_fte')})",
        filename="caseloads-trend",
        empty=None if drawn else finding,
        width=6,
    )


def unallocated_items(children: pd.DataFrame, db, view: View) -> tuple:
    d = view.disclosure
    by_status = fig.unallocated_by_status(children, d)
    detail = ", ".join(f"{r.status} {r.children}" for r in by_status.itertuples()) or "None"
    detail = f"By status: {detail}."
    if len(children) and not d.active:
        detail += f" Longest wait: {int(children['days_unallocated'].max())} days."
    tile = Tile(
        id="caseloads-unallocated",
        label="Children without a qualified key worker",
        value=d.count(len(children)),
        detail=detail,
    )
    split = Table(
        id="caseloads-unallocated-status",
        title=None,
        rows=by_status,
        columns=STATUS_COLUMNS,
        filename="unallocated-by-status",
        child_level=False,
        grid=False,
    )
    items: list = [tile, split]
    rows = children.iloc[0:0]
    if not d.active:
        teams = cached_call(team_options, db)
        rows = fig.unallocated_rows(children, dict(zip(teams["team_id"], teams["team_name"], strict=False)))
    items.append(
        child_list(
            "caseloads-unallocated-grid",
            rows,
            UNALLOCATED_COLUMNS,
            view,
            title="Unallocated children, longest waiting first",
            filename="unallocated-children",
        )
    )
    return tuple(items)


def _noted(chart: Chart, extra: str | None) -> Chart:
    return chart if not extra else replace(chart, note=f"{chart.note} {extra}" if chart.note else extra)


def body(db, view: View) -> list[Section]:
    per_fte = db.standards.caseload_per_fte
    load = cached_call(caseloads, db, view.filters)
    trend = cached_call(caseload_trend, db, view.filters, TREND_WEEKS)
    children = cached_call(unallocated, db, view.filters)
    # Rows whose dates SQL cannot read fall out of "in post" and "open on D": each chart says so.
    left_out = unreadable_dates_note(bad_rows(db, view.filters, CASELOAD_TABLES), CASELOAD_TABLES, view)
    spread = (distribution_chart(load, view, per_fte), trend_chart(trend, view, per_fte))
    return [
        Section(
            id="caseloads-workers-section",
            title=None,
            items=(_noted(workers_chart(load, view, per_fte), left_out),),
            card=False,
        ),
        Section(
            id="caseloads-spread-section",
            title=None,
            card=False,
            items=tuple(_noted(c, left_out) for c in spread),
        ),
        Section(
            id="caseloads-unallocated-card", title="Unallocated children", items=unallocated_items(children, db, view)
        ),
        data_quality_section(db, view, CASELOAD_TABLES, "caseloads-data-quality"),
        method_section("caseloads", caseloads_method(db.standards)),
    ]


#: The worker table's control: every worker in post, or only those over their target.
WORKER_FILTERS = {"all": "All workers", "over": "Only workers over target"}


def worker_columns(per_fte: float) -> list[dict]:
    """The worker table's grid columns; the target's header states the standard in force."""
    number = {"type": "numericColumn"}
    return [
        {"field": "worker", "headerName": "Worker"},  # not pinned: on a phone it would leave no room
        {"field": "team", "headerName": "Team"},
        {"field": "role", "headerName": "Role"},
        {"field": "fte", "headerName": "FTE", **number},
        *({"field": s, "headerName": STATUSES.label(s), **number} for s in STATUSES.codes),
        {"field": "cases", "headerName": "Total cases", **number},
        {"field": "target", "headerName": f"Target ({_fmt(per_fte)} × FTE)", **number},
        {"field": "over_by", "headerName": "Over by", **number, "sort": "desc"},
    ]


def worker_rows(load: pd.DataFrame, only_over: bool = False) -> pd.DataFrame:
    """One row per worker in post, most over target first: the workers chart's table plus ``over_by``
    (cases above the target, blank when not over: the data layer's ``over_target`` decides)."""
    t = fig.worker_table(load)
    t["over_by"] = t["excess"].where(t["over_target"].astype(bool)).astype(float)
    if only_over:
        t = t[t["over_target"].astype(bool)]
    return t.reset_index(drop=True)


def workers(db, view: View) -> list[Section]:
    """The worker table a team manager sorts and filters. Named staff: hidden in presentation mode and
    the pack, where the workers chart numbers them instead (README "Disclosure control")."""
    per_fte = db.standards.caseload_per_fte
    if view.presentation:
        note = Note(
            id="caseloads-workers-table-hidden",
            text="The table of named workers is shown outside presentation mode; the chart above numbers them.",
        )
        return [Section(id="caseloads-workers-list", title=None, items=(note,), pack=False, card=False)]
    only_over = view.control("workers", "all") == "over"
    rows = worker_rows(cached_call(caseloads, db, view.filters), only_over)
    who = view.disclosure.count_noun(len(rows), "worker") + (" over target" if only_over else " in post")
    # Capped like the child lists (CSC_MAX_TABLE_ROWS, most over target first): 9,015 workers of a
    # national database were 1.7 MB for the browser, where a team's list is a few dozen rows.
    table = Table(
        id="caseloads-workers-table",
        title=None,
        rows=rows.head(max_table_rows()),
        total_rows=len(rows),
        columns=worker_columns(per_fte),
        filename="caseloads-worker-table",
        child_level=False,
        note=f"{who} in the selected teams. Cases are children with an open key-worker "
        f"allocation; target = {_fmt(per_fte)} children per FTE ({source_of('caseload_per_fte')}). "
        "Click a header to sort.",
    )
    return [Section(id="caseloads-workers-list", title=None, items=(table,), pack=False, card=False)]


PAGE = PageSpec(
    key="caseloads",
    path="/caseloads",
    name="Caseloads",
    parts=(("body", body), ("workers", workers)),
    controls={"workers": ("all", tuple(WORKER_FILTERS))},
    lede="Workers' caseloads against the standard of {s.caseload_per_fte:g} children per full-time equivalent "
    "(FTE), and children open to the service without a key worker.",
)

__all__ = [
    "PAGE",
    "body",
    "workers",
    "worker_rows",
    "worker_columns",
    "WORKER_FILTERS",
    "CASELOAD_TABLES",
    "UNALLOCATED_COLUMNS",
]
