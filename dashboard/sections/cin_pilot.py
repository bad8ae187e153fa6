"""CIN pilot: did the dedicated CIN team (seed 002) change what happens to CIN plans?

The service decides from this page whether the pilot continues, so every figure says how sure it
is: cohort values carry 95% intervals, the headline effect is a difference-in-differences (pilot
vs comparison teams, during vs before) with its interval, and the verdict refuses to conclude
when a cohort is under the minimum size or the interval includes no change.

Parts (each one callback on screen, and the pack's sections):

* ``body``: design, the director's table (outcomes judged, caseload as context; the method text
  folded), the full statistics (folded, not in the pack), DiD panels, monthly trend, closure
  routes (``evaluate_pilot`` runs the one cohort query; ``pilot_trend`` the one trend query);
* ``workload``: outcomes by the holding worker's caseload, for the chosen outcome (from
  ``cohort_plans`` alone: it needs no intervals of medians, so no bootstrap).

Controls: ``pilot`` (a name from the standards file, ``db.standards.pilots``; allowed values are
resolved per database, and "" or an unknown name means the first pilot) and ``outcome``.
Presentation mode: every number goes through ``view.disclosure`` in ``dashboard.figures.cin_pilot``:
a cohort, band or month resting on a count under the threshold shows the mark and is not drawn,
nothing worked out from it (interval, difference, verdict figures, reference line) is shown, and a
split with a known total (closure routes, caseload bands, the months of a cohort) hides more cells
until none can be worked back; a closure-route bar always runs to 100% or is left out with a note.
"""

from __future__ import annotations

import re

from dashboard.cache import cached_call
from dashboard.disclosure import DERIVED_NOTE
from dashboard.figures import cin_pilot as fig
from dashboard.figures.common import level_text, standard_label
from dashboard.sections.base import Chart, Note, PageSpec, Section, Table, View
from data_layer import closure_routes, cohort_plans, evaluate_pilot, outcomes_by_caseload, pilot_trend, team_options
from data_layer.standards import cite, source_of

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

**Outcomes and context.** The headline counts outcomes only: what happened to the children's plans.
The plan's worker's caseload is context: an input the pilot may change (a smaller caseload is a means,
not a result), so it is shown beside the outcomes, with its statistics, but never judged or counted.

**Verdicts.** A difference is *better* or *worse* when its {level:.0%} interval excludes no change,
*no clear difference* when the interval includes it; it is not judged (*too small to judge*) when any
of the four cohorts has fewer than {min_n} plans, or *not measurable yet* when a cohort has no estimate
or no interval. The table's difference is the pilot team's change minus the comparison teams' change
as printed; the full statistics give it to one decimal with its interval.

**Methods.** Shares: {level:.0%} Wilson intervals (statsmodels). Differences-in-differences: the DiD
regression with robust errors (statsmodels), i.e. a normal approximation from the four cohorts'
variances (shares, caseloads); a percentile bootstrap with a fixed seed (scipy) for median
durations; medians of plan duration by Kaplan-Meier (scipy). Caseload: children with an open
key-worker allocation to the plan's worker on the day they took the plan.
"""

LEDE = (
    "Did the pilot change what happens to children on CIN plans? Pilot team against comparison teams, "
    f"before and during the pilot ({cite('002')})."
)
WORKLOAD_TITLE = "Impact against workload"
WORKLOAD_LEDE = (
    '002: "lower caseloads would increase impact". Plan outcomes by how many children the plan\'s '
    "worker held per FTE when they took it, both periods together."
)
DEFAULT_OUTCOME = "closed_within_12m"


def methods_note(standards, did=None) -> str:
    """The methods text with the standards in force (minimum cohort, follow-up months, interval level),
    and, given the evaluation's ``did`` table, how each measure's interval was made (bootstrap seed included)."""
    text = METHODS.format(
        min_n=standards.pilot_min_cohort,
        max_months=standards.cin_max_months,
        rereferral=standards.pilot_rereferral_months,
        level=standards.confidence_level,
    )
    if did is not None and len(did):
        lines = [f"- {r.measure_label}: {r.method}" for r in did.itertuples()]
        text += "\n**Interval of each difference.**\n\n" + "\n".join(lines) + "\n"
    return text


def pilot_names(db) -> tuple[str, ...]:
    """The pilots of the database's standards file: the ``pilot`` control's allowed values."""
    return tuple(p.name for p in db.standards.pilots)


def chosen(db, name: str | None) -> str:
    """``name`` when it is a configured pilot, else the first one ("" is the default: the first)."""
    names = pilot_names(db)
    return name if name in names else names[0]


def _md(text: str) -> str:
    """Team names are data: escape Markdown so a name cannot format (or link) anything."""
    return re.sub(r"([\\`*_{}\[\]()#+\-.!|<>~])", r"\\\1", str(text))


def _team_list(ids, names: dict) -> str:
    return ", ".join(f"{_md(names.get(t, t))} ({_md(t)})" for t in ids) or "none found"


def _filter_note(design) -> str | None:
    """The data layer's note on the team/service filter, without team counts ("1 of 3" reads as a count)."""
    note = design.filter_note
    if note and note.startswith("Comparison narrowed"):
        return "Comparison narrowed by the team/service filter to the selected teams (listed below)."
    return note


def design_section(ev, names: dict, standards) -> Section:
    d = ev.design
    p = d.pilot
    periods = fig.period_text(d.before, d.during)
    filling = " (before the evaluation date: the during cohort is still filling)" if d.as_at < d.evaluation_end else ""
    items = [
        f"- **Pilot team:** {_team_list(d.pilot_teams, names)}",
        f"- **Comparison teams:** {_team_list(d.comparison_teams, names)}",
        f"- **Cohorts:** CIN plans started {periods['before'].lower()} and {periods['during'].lower()}, "
        "by the plan's team.",
        f"- **Outcomes observed to:** {fig._d(d.as_at)}{filling}",
        f"- **Minimum cohort to judge:** {standards.pilot_min_cohort} plans",
    ]
    notes = []
    note = _filter_note(d)
    if note:
        notes.append(Note(id="cin-pilot-filter-note", text=note, kind="info"))
    if not d.pilot_teams:
        notes.append(
            Note(
                id="cin-pilot-no-teams",
                kind="warning",
                text="No team matches this pilot's configuration, so there is nothing to evaluate. "
                "Check its team ids or service in the standards file.",
            )
        )
    return Section(
        id="cin-pilot-design",
        title=f"{p.name} ({cite(p.source)}), from {fig._d(p.start)} for {p.months} months",
        items=(*notes, Note(id="cin-pilot-design-list", text="\n".join(items), kind="markdown")),
    )


def scorecard_section(ev, view: View, standards) -> Section:
    """The director's table: outcomes and context in plain words, the headline counting outcomes only;
    the method text folded under "How this is worked out" (the pack prints it in full)."""
    d = view.disclosure
    table = fig.director_table(ev.measures, ev.did, d, min_cohort=standards.pilot_min_cohort)
    columns = [{"field": f, "headerName": h} for f, h in fig.DIRECTOR_COLUMNS]
    note = f"{d.note} {DERIVED_NOTE.format(threshold=d.threshold)}" if d.active else None
    return Section(
        id="cin-pilot-scorecard-card",
        title=fig.scorecard_title(ev.did),
        lede="Each measure before and during the pilot, in the pilot team and in the comparison teams. An "
        "observational comparison, not a trial: a difference is evidence to weigh, not proof that the pilot "
        "caused it.",
        items=(
            Table(
                id="cin-pilot-scorecard",
                title=None,
                rows=table,
                columns=columns,
                filename="cin-pilot-summary",
                child_level=False,
                grid=False,
                note=note,
            ),
            Note(id="cin-pilot-scorecard-key", text=fig.director_key(standards.pilot_min_cohort)),
            Note(id="cin-pilot-methods", text=methods_note(standards, ev.did), kind="method"),
        ),
    )


def statistics_section(ev, view: View, standards) -> Section:
    """Every cohort's value with its interval and n, the difference with its interval and the verdict in
    full: folded on screen, left out of the pack (the board reads the table above; the CSV has it all)."""
    d = view.disclosure
    level = standards.confidence_level
    table = fig.scorecard_table(ev.measures, ev.did, d, min_cohort=standards.pilot_min_cohort, level=level)
    columns = [{"field": c, "headerName": c} for c in fig.scorecard_columns(level) if c != "status"]
    return Section(
        id="cin-pilot-statistics",
        title=None,
        card=False,
        pack=False,
        items=(
            Table(
                id="cin-pilot-statistics-table",
                title=f"Full statistics: each cohort with its {level_text(level)} interval",
                rows=table,
                columns=columns,
                filename="cin-pilot-scorecard",
                child_level=False,
                grid=False,
                collapsed=True,
                note=f"Each cell: value ({level_text(level)} interval); n = plans behind it. "
                "Difference-in-differences: the pilot team's change minus the comparison teams' change.",
            ),
        ),
    )


def did_chart(ev, view: View, standards) -> Chart:
    d = view.disclosure
    periods = fig.period_text(ev.design.before, ev.design.during)
    finding = fig.scorecard_title(ev.did)
    has_plans = bool(len(ev.measures)) and int(ev.measures["n"].sum()) > 0
    empty = None if has_plans else "No CIN plans in the pilot's cohorts for these filters"
    note = f"A point worked out from a count under {d.threshold} is not drawn. {d.note}" if d.active else None
    return Chart(
        id="cin-pilot-did",
        title=fig.did_title(ev.did),
        figure=fig.did_figure(
            ev.measures,
            ev.did,
            d,
            periods=periods,
            caseload_standard=standards.caseload_per_fte,
            level=standards.confidence_level,
            standards=standards,
        ),
        table=fig.scorecard_csv(ev.measures, ev.did, d, min_cohort=standards.pilot_min_cohort),
        finding=empty or finding,
        summary=fig.did_summary(ev.did, standards.confidence_level),
        note=note,
        standard=f"Minimum cohort to judge: {standards.pilot_min_cohort} plans ({source_of('pilot_min_cohort')})",
        filename="cin-pilot-cohorts",
        empty=empty,
    )


def trend_chart(trend, design, view: View) -> Chart:
    d = view.disclosure
    counts = {"pilot": len(design.pilot_teams), "comparison": len(design.comparison_teams)}
    periods = {"before": design.before, "during": design.during}
    table = fig.trend_table(trend, counts, d, periods=periods)
    finding = fig.trend_finding(trend, counts, periods, d)
    note = (
        "All CIN plans of the pilot and comparison teams, not only the cohorts. Open-plan age on the last day "
        "of each month."
    )
    if d.active:
        note += (
            f" A month with fewer than {d.threshold} plans started or closed is a gap in its line (and so "
            f"is the median age of fewer than {d.threshold} open plans); open-plan counts are not shown. "
            f"{d.note}"
        )
    return Chart(
        id="cin-pilot-trend",
        title=fig.TREND_TITLE,
        figure=fig.trend_figure(table, pilot_start=design.during[0], evaluation_end=design.evaluation_end),
        table=table,
        finding=finding,
        summary=fig.trend_summary(table, design.during[0], design.evaluation_end, finding),
        note=note,
        filename="cin-pilot-trend",
        empty=None if len(table) else finding,
    )


def routes_chart(ev, view: View) -> Chart:
    d = view.disclosure
    table = fig.routes_table(closure_routes(ev.plans), d)
    title = fig.routes_title(table)
    rows = fig.routes_rows(table)
    drawn = any(r["drawn"] for r in rows.values())
    empty = (
        None
        if drawn
        else (
            "No closed CIN plans in the cohorts yet"
            if all(r["reason"] == "no closed plans yet" for r in rows.values())
            else f"Fewer than {d.threshold} closed CIN plans in every cohort: nothing can be shown"
        )
    )
    reference = fig.routes_reference(table)
    finding = title
    if reference is not None and drawn:
        finding += f" (comparison teams during the pilot: {reference:.0f}%)"
    note = " ".join(
        x for x in ("Plans of each cohort that had closed by the as-at date.", fig.routes_note(table), d.note) if x
    )
    return Chart(
        id="cin-pilot-routes",
        title=title,
        figure=fig.routes_figure(table, title, reference=reference),
        table=table,
        finding=empty or finding,
        summary=fig.routes_summary(table, title),
        note=note,
        filename="cin-pilot-closure-routes",
        empty=empty,
    )


def workload_chart(plans, outcome: str, view: View, standards) -> Chart:
    d = view.disclosure
    bands = outcomes_by_caseload(plans, standards)
    table = fig.workload_table(bands, outcome, d)
    overall = fig.workload_overall(bands, outcome, d, table)
    finding = fig.workload_finding(table, outcome, overall, standards)
    drawn = any(fig._number(v) is not None for v in table["percent"]) if len(table) else False
    empty = None if drawn else "No plans with a key worker to band (or not yet measurable) for these filters"
    note = (
        "Caseload = children with an open key-worker allocation to the worker on the day they took the plan, "
        f"divided by their FTE. Plans without a key worker are left out. Bars: "
        f"{level_text(standards.confidence_level)} Wilson intervals."
    )
    if d.active:
        note += (
            f" A band whose plans, or plans with or without the outcome, are too few to show has no bar; the "
            f"bands of a cohort add up to its plans, so one more may be hidden with it, and then the rate over "
            f"all plans is not drawn either. {d.note}"
        )
    return Chart(
        id="cin-pilot-workload-chart",
        title=fig.workload_title(outcome, standards),
        figure=fig.workload_figure(
            table, outcome, overall=overall, caseload_standard=standards.caseload_per_fte, standards=standards
        ),
        table=table,
        finding=empty or finding,
        summary=fig.workload_summary(table, outcome, standards),
        note=note,
        standard=standard_label(standards.caseload_per_fte, "children per FTE", "000"),
        filename=f"cin-pilot-workload-{outcome}",
        empty=empty,
    )


def body(db, view: View) -> list[Section]:
    """Design, scorecard, DiD panels, trend and closure routes for the chosen pilot."""
    name = chosen(db, view.control("pilot"))
    ev = cached_call(evaluate_pilot, db, view.filters, name)
    trend = cached_call(pilot_trend, db, view.filters, name)
    teams = cached_call(team_options, db)
    names = dict(zip(teams["team_id"], teams["team_name"], strict=False))
    return [
        design_section(ev, names, db.standards),
        scorecard_section(ev, view, db.standards),
        statistics_section(ev, view, db.standards),
        Section(id="cin-pilot-did-section", title=None, items=(did_chart(ev, view, db.standards),), card=False),
        Section(id="cin-pilot-trend-section", title=None, items=(trend_chart(trend, ev.design, view),), card=False),
        Section(id="cin-pilot-routes-section", title=None, items=(routes_chart(ev, view),), card=False),
    ]


def workload(db, view: View) -> list[Section]:
    """Outcome by the holding worker's caseload band, pilot vs comparison (both periods together)."""
    outcome = view.control("outcome", DEFAULT_OUTCOME)
    outcome = outcome if outcome in fig.WORKLOAD_LABELS else DEFAULT_OUTCOME
    # Only the per-plan rows: the scorecard's bootstrap (``evaluate_pilot``) is not needed here, so
    # this part stays fast while ``body`` computes it in parallel on a cold cache.
    plans = cached_call(cohort_plans, db, view.filters, chosen(db, view.control("pilot")))
    return [
        Section(
            id="cin-pilot-workload-part",
            title=WORKLOAD_TITLE,
            card=False,
            items=(workload_chart(plans, outcome, view, db.standards),),
        )
    ]


PAGE = PageSpec(
    key="cin_pilot",
    path="/cin-pilot",
    name="CIN pilot",
    parts=(("body", body), ("workload", workload)),
    controls={"pilot": ("", pilot_names), "outcome": (DEFAULT_OUTCOME, tuple(fig.WORKLOAD_CHOICES))},
    lede=LEDE,
)

__all__ = [
    "PAGE",
    "body",
    "workload",
    "methods_note",
    "pilot_names",
    "chosen",
    "METHODS",
    "LEDE",
    "WORKLOAD_TITLE",
    "WORKLOAD_LEDE",
]
