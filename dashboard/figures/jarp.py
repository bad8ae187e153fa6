"""JARP page figures and tables (docs/DEFINITIONS.md "JARP priority queue", seed 003 section 3.6 and Appendix B).

Pure builders, nothing here queries. Each chart has a table builder (data-layer frames in, the
exact counts the chart is drawn from out), a ``*_shown`` builder (that table as it may be
displayed and downloaded: in presentation mode a hidden count is the mark) and a figure builder
that draws a count only where the shown table holds no mark, so a hidden count is never drawn at
its size nor carried in hover text, customdata or axis ranges. Every title and fact takes its
numbers from the view's :class:`~dashboard.disclosure.Disclosure` ``d`` (exact by default), the
one place that decides what presentation mode shows. Child-level rows (the agenda with each
referral's reasons) are the section's business: ``Table(child_level=True)``.

Standards on every chart: the priority bands (P2 from 7, P1 from 11 points) on the agenda's score
chart; "no referral waits past its panel" on the queue trend; each priority's response target
(with the guidance range as a band) on the response times; 100% on time on the trend; the
one-week flag window and the due date on the reviews chart.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any

import pandas as pd

from dashboard.disclosure import Disclosure, is_mark
from dashboard.theme import BLUE, ROSE, STANDARD_COLOUR, TEAL
from data_layer.standards import cite, months_text
from data_layer.vocabulary import PRIORITIES as PRIORITY

from .common import (
    MIN_HEIGHT,
    Figure,
    add_band,
    add_spanning_line,
    add_standard_line,
    aria_summary,
    base_figure,
    count_axis,
    customdata_rows,
    drawn_top,
    empty_figure,
    plural,
    standard_label,
    title_layout,
)
from .plain import plain_subplots

EXACT = Disclosure()
SOURCE = "003 App. B"
#: Priorities in agenda order (labels and colours: :data:`data_layer.vocabulary.PRIORITIES`; bars
#: also carry the priority's name, never colour alone).
PRIORITIES = PRIORITY.codes
SCORED = ("P1", "P2", "P3")
CARRIED_MARK = "↻"


def _grid_date(d) -> date | None:
    """A date for a grid row: kept a date (ISO in the CSV, sorted as a date; the grid shows ``31 Mar 2023``)."""
    return None if d is None or (not isinstance(d, date) and pd.isna(d)) else d


def _fmt_date(d) -> str:
    return "" if d is None or (not isinstance(d, date) and pd.isna(d)) else f"{d:%d %b %Y}"


def _targets(rules) -> dict:
    """{priority: (limit, guidance_min, unit, label)} from ``data_layer.metrics.jarp_scoring.JarpRules``."""
    return {p: (t.limit, t.guidance_min, t.unit, t.label()) for p, t in rules.targets.items()}


def _disclosed(d: Disclosure, cells: Sequence, **split) -> list:
    """Cells of one split as a CSV shows them: the exact count, or its mark where ``d`` hides it.

    ``split`` goes to :meth:`Disclosure.secondary` (``total_shown``, ``total_hidden``): the cells
    that add up to a shown total hide the next-smallest one with a small one.
    """
    cells = [int(c) for c in cells]
    if not d.active:
        return cells
    hidden = d.secondary(cells, **split)
    texts = d.split(cells, **split)
    return [texts[i] if i in hidden else c for i, c in enumerate(cells)]


def _drawn(raw: pd.Series, shown: pd.Series) -> pd.Series:
    """True where a count may be drawn at its size: the shown table holds no mark there."""
    return pd.Series([not is_mark(s) and pd.notna(r) for r, s in zip(raw, shown, strict=False)], index=raw.index)


def drawn_rows(shown: pd.DataFrame, column: str) -> pd.DataFrame:
    """The rows of a shown table whose ``column`` is not a mark: what a chart draws, and its CSV.

    Used where a row's label is itself about a few children (the score of a referral, the days a
    review is overdue, the days a family waited): in presentation mode a hidden row is left out
    altogether rather than listed with the mark, as the longest wait is not stated.
    """
    if shown.empty:
        return shown
    return shown[[not is_mark(v) for v in shown[column]]].reset_index(drop=True)


# --------------------------------------------------------------------------- agenda tables (managers)

AGENDA_COLUMNS = [
    "order",
    "priority",
    "score",
    "reasons",
    "carried",
    "waiting_days",
    "panel_date",
    "referring_team",
    "referral_id",
    "child_id",
    "services_requested",
    "flags",
    "referring_team_id",  # not a grid column: lets a manager's view keep only their teams' rows
]


def carried_text(n) -> str:
    """ "↻ carried over 2×" marks a carried-over referral in words and a symbol."""
    n = int(n or 0)
    return f"{CARRIED_MARK} carried over {n}×" if n >= 1 else ""


def _flags(row) -> str:
    out = []
    if row.get("unknown_criteria"):
        out.append(f"{row['unknown_criteria']} unrecognised code(s) not scored")
    if row.get("unknown_exception"):
        out.append(f"unrecognised exception '{row['direct_exception']}' (not treated as P1)")
    if row.get("not_counted"):
        out.append(f"not counted (exclusive): {row['not_counted']}")
    return "; ".join(out)


def _rows(part: pd.DataFrame) -> pd.DataFrame:
    """Queue rows shaped for a grid, in the order given (``order`` numbers them from 1)."""
    if part.empty:
        return pd.DataFrame(columns=AGENDA_COLUMNS)
    return pd.DataFrame(
        {
            "order": range(1, len(part) + 1),
            "priority": [PRIORITY.label(p) if p in PRIORITY else str(p) for p in part["priority"]],
            "score": part["score"].astype(int).to_numpy(),
            "reasons": part["reasons"].to_numpy(),
            "carried": [carried_text(n) for n in part["carried_over"]],
            "waiting_days": part["waiting_days"].astype(int).to_numpy(),
            "panel_date": [_grid_date(d) for d in part["panel_date"]],
            "referring_team": part["referring_team"].fillna("No team recorded").to_numpy(),
            "referral_id": part["referral_id"].to_numpy(),
            "child_id": part["child_id"].to_numpy(),
            "services_requested": part["services_requested"].fillna("").to_numpy(),
            "flags": [_flags(r) for r in part.to_dict("records")],
            "referring_team_id": part["referring_team_id"].to_numpy(),
        }
    )[AGENDA_COLUMNS]


def agenda_rows(queue: pd.DataFrame, which: str = "next") -> pd.DataFrame:
    """Queue rows for a grid, in agenda order (priority, score, waiting time; as the data layer sorts).

    ``which``: ``"next"`` = scored referrals on the next panel (its own plus carried-over ones),
    ``"later"`` = scored referrals booked for a later panel (in after the cut-off),
    ``"below"`` = below-threshold referrals (0 points, no exception), shown apart to check.
    """
    if queue.empty:
        return _rows(queue)
    below = queue["priority"] == "below_threshold"
    on_next = queue["on_next_panel"].astype(bool)
    return _rows({"next": queue[~below & on_next], "later": queue[~below & ~on_next], "below": queue[below]}[which])


def carried_rows(queue: pd.DataFrame, times: int = 2) -> pd.DataFrame:
    """Referrals carried over ``times`` or more panels (more than once by default), most carried first."""
    if queue.empty:
        return _rows(queue)
    part = queue[queue["carried_over"] >= times]
    return _rows(part.sort_values(["carried_over", "waiting_days"], ascending=False, kind="mergesort"))


# --------------------------------------------------------------------------- the next panel, by priority


def next_panel_counts(queue: pd.DataFrame) -> dict[str, int]:
    """Referrals on the next panel by priority (every priority, 0 when none)."""
    part = queue[queue["on_next_panel"].astype(bool)] if not queue.empty else queue
    return queue_counts(part)


def queue_counts(queue: pd.DataFrame) -> dict[str, int]:
    """Referrals in the queue by priority (the queue trend's last week, the Overview's JARP tile)."""
    return {p: int((queue["priority"] == p).sum()) if len(queue) else 0 for p in PRIORITIES}


def priority_texts(
    counts: Mapping[str, int], d: Disclosure = EXACT, queued: Mapping[str, int] | None = None
) -> dict[str, str]:
    """The next panel's split by priority as text (``"total"`` and one entry per priority).

    The priorities add up to the total, which the tile and the agenda title show: a hidden
    priority is protected by hiding the next-smallest one too (secondary suppression). ``queued``
    is the whole queue by priority, shown elsewhere (the queue trend's last week, the Overview):
    the difference, referrals booked for a later panel, must not be worked out either, so where
    it is small and the queue's count is shown the next panel's count is hidden (the total too).
    Use the same texts everywhere the split appears (:func:`agenda_texts`).
    """
    cells = [int(counts[p]) for p in PRIORITIES]
    total = sum(cells)
    also, linked = set(), False
    if queued is not None and d.active:
        q_cells = [int(queued[p]) for p in PRIORITIES]
        also = {i for i, (q, n) in enumerate(zip(q_cells, cells, strict=False)) if d.small(q - n) and not d.small(q)}
        linked = d.small(sum(q_cells) - total) and not d.hides(total)
    texts = d.split(cells, total_shown=not d.hides(total) and not linked, total_hidden=linked, also=also)
    return {"total": d.secondary_mark if linked else d.count(total), **dict(zip(PRIORITIES, texts, strict=False))}


def agenda_texts(queue: pd.DataFrame, d: Disclosure = EXACT) -> dict[str, str]:
    """The next panel's split by priority as every part of the page shows it (:func:`priority_texts`)."""
    return priority_texts(next_panel_counts(queue), d, queue_counts(queue))


def queue_and_panel_text(queue: pd.DataFrame, d: Disclosure = EXACT) -> str:
    """Why the Overview's JARP queue and this page's next-panel count differ, one sentence for both.

    The queue is every referral not yet decided; the next panel's agenda leaves out those in after the
    cut-off (booked for a later panel). The agenda's count is :func:`agenda_texts`'s, which already
    hides it where, beside the queue's, it would give away a small number booked for later.
    """
    n = len(queue)
    later = int((~queue["on_next_panel"].astype(bool)).sum()) if n else 0
    if not later:
        return f"All {d.count(n)} referrals not yet decided (the Overview's JARP queue) are on the next panel's agenda."
    return (
        f"Of the {d.count(n)} referrals not yet decided (the Overview's JARP queue), {agenda_texts(queue, d)['total']} "
        f"are on the next panel's agenda (the JARP page's headline) and {d.count(later)} came in after the cut-off, "
        "booked for a later panel."
    )


def agenda_count(texts: Mapping[str, str]) -> str:
    """``"10 referrals"``, ``"1 referral"``, ``"<5 referrals"`` from :func:`agenda_texts`."""
    return f"{texts['total']} {'referral' if texts['total'] == '1' else 'referrals'}"


def hidden_priorities(texts: Mapping[str, str]) -> frozenset[str]:
    """The priorities whose count :func:`priority_texts` hides."""
    return frozenset(p for p in PRIORITIES if is_mark(texts[p]))


# --------------------------------------------------------------------------- agenda chart


def agenda_score_table(queue: pd.DataFrame) -> pd.DataFrame:
    """Next panel's referrals counted by score and priority (what the agenda chart is drawn from).

    Columns ``score``, ``priority``, ``referrals``, ``carried_over`` (of them, how many carried
    over), ``exceptions`` (the direct-referral exceptions among them, in words, e.g. "police
    protection": the data layer's reason a referral is P1 whatever its score; "" for none).
    Below-threshold referrals are included.
    """
    cols = ["score", "priority", "referrals", "carried_over", "exceptions"]
    if queue.empty:
        return pd.DataFrame(columns=cols)
    part = queue[queue["on_next_panel"].astype(bool)]
    if part.empty:
        return pd.DataFrame(columns=cols)
    g = part.groupby(["score", "priority"])
    codes = part["direct_exception"] if "direct_exception" in part else pd.Series(None, index=part.index, dtype=object)
    known = codes.notna() & ~part.get("unknown_exception", pd.Series(False, index=part.index)).astype(bool)
    part = part.assign(_exc=codes.where(known))
    out = pd.DataFrame(
        {
            "referrals": g.size(),
            "carried_over": g["carried_over"].apply(lambda s: int((s >= 1).sum())),
            "exceptions": part.groupby(["score", "priority"])["_exc"].apply(_exception_words),
        }
    )
    out = out.reset_index()
    out["_r"] = out["priority"].map({p: i for i, p in enumerate(PRIORITIES)})
    out = out.sort_values(["_r", "score"], ascending=[True, False]).drop(columns="_r").reset_index(drop=True)
    out["score"] = out["score"].astype(int)
    return out[cols]


def _exception_words(codes: pd.Series) -> str:
    """ "police protection, epo": the distinct exception codes of a bar, in words, sorted."""
    return ", ".join(sorted({str(c).replace("_", " ") for c in codes.dropna()}))


def agenda_shown(table: pd.DataFrame, d: Disclosure = EXACT, hidden: frozenset[str] = frozenset()) -> pd.DataFrame:
    """The agenda chart's table as displayed (and downloaded).

    In presentation mode a priority's bars add up to that priority's count, which the tile and
    the summary show: secondary suppression across them, and when the priority's own count is
    hidden (``hidden``, from :func:`hidden_priorities`) at least one of its bars is too, or the
    bars would add up to it. The carried-over count per bar is left out (with the bar's count it
    gives the not-carried-over complement, and the bars' carried counts add up to the tile's).
    """
    if not d.active or table.empty:
        return table.copy()
    out = table[["score", "priority", "referrals"]].copy()
    out["referrals"] = out["referrals"].astype(object)
    for p in PRIORITIES:
        idx = out.index[out["priority"] == p]
        if len(idx):
            out.loc[idx, "referrals"] = pd.Series(
                _disclosed(d, table.loc[idx, "referrals"].tolist(), total_hidden=p in hidden), index=idx, dtype=object
            )
    return out


def agenda_title(queue: pd.DataFrame, panel: date, d: Disclosure = EXACT) -> str:
    texts = agenda_texts(queue, d)
    return f"{agenda_count(texts)} for the panel on {panel:%a %d %b %Y}, {texts['P1']} of them priority 1"


def agenda_figure(table: pd.DataFrame, shown: pd.DataFrame, title: str, rules) -> Figure:
    """Bars of the next panel's referrals by score, coloured and named by priority, bands marked.

    The priority bands are the standard: P3 from ``rules.p3_min``, P2 from ``p2_min``, P1 from
    ``p1_min`` points (003 App. B), drawn as labelled dashed lines. Direct-referral exceptions are
    P1 at any score, so P1 bars can sit left of the P1 line. Only bars whose count ``shown``
    displays are drawn (a mark is not drawn at all).
    """
    if table.empty:
        return empty_figure(title, "No referrals waiting for the next panel")
    fig = base_figure(title, height=380)
    drawn = _drawn(table["referrals"], shown["referrals"])
    carried = "carried_over" in shown.columns
    # A P1 left of the P1 line is P1 by a direct-referral exception, whatever its score: its own
    # series (hatched, named so in the legend), its hover naming the exception.
    below_p1 = table["score"].astype(int) < rules.p1_min
    for p, by_exception in [(p, False) for p in PRIORITIES] + [("P1", True)]:
        rows = (table["priority"] == p) & drawn
        if p == "P1":
            rows &= below_p1 if by_exception else ~below_p1
        if not rows.any():
            continue
        t, s = table[rows], shown[rows]
        custom = [s["referrals"].astype(str)] + ([s["carried_over"].astype(str)] if carried else [])
        name, why = PRIORITY.label(p), ""
        if by_exception:
            name = f"{PRIORITY.label(p)} by a direct-referral exception (any score)"
            named = "exceptions" in shown.columns
            custom.append(s["exceptions"].astype(str) if named else pd.Series("", index=s.index))
            why = (
                f"<br>P1 under {rules.p1_min} points: a direct-referral exception"
                + (f" (%{{customdata[{len(custom) - 1}]}})" if named else "")
                + " makes a referral P1 whatever its score"
            )
        fig.add_trace(
            dict(
                type="bar",
                x=t["score"].tolist(),
                y=t["referrals"].astype(float).tolist(),
                name=name,
                marker=dict(
                    color=PRIORITY.colour(p),
                    line=dict(color="white", width=0.5),
                    # the cross over the P1 colour (overlay), not a faint cross on white
                    pattern=dict(shape="x", fillmode="overlay", fgcolor="white") if by_exception else dict(shape=""),
                ),
                customdata=customdata_rows(*custom),
                hovertemplate=(
                    f"{PRIORITY.label(p)}, %{{x}} points<br>Referrals: %{{customdata[0]}}"
                    + ("<br>Carried over: %{customdata[1]}" if carried else "")
                    + why
                    + "<extra></extra>"
                ),
            )
        )
    scores = table.loc[drawn, "score"]
    top = max(rules.p1_min + 3, int(scores.max()) + 1 if len(scores) else 0)
    for value, name in ((rules.p2_min, "P2"), (rules.p1_min, "P1")):
        add_standard_line(fig, value - 0.5, f"{name} from {value} points", axis="x", position="top right")
    # The bands as the subtitle: as a note under the plot it sat on the axis title on a phone.
    bands = (
        f"Priority bands: {standard_label(rules.p1_min, 'points for P1', SOURCE)}; "
        f"P2 {rules.p2_min}-{rules.p1_min - 1}, P3 {rules.p3_min}-{rules.p2_min - 1}"
    )
    fig.update_layout(title=title_layout(title, bands), barmode="stack", bargap=0.15, margin=dict(t=100))
    fig.update_xaxes({"title": {"text": "Score (points)"}}, range=[-0.6, top + 0.5], dtick=1)
    fig.update_yaxes({"title": {"text": "Referrals"}}, **count_axis(drawn_top(fig)))
    return fig


def agenda_facts(texts: Mapping[str, str]) -> list[str]:
    """The agenda's split by priority in words (texts from :func:`priority_texts`)."""
    return ["By priority: " + "; ".join(f"{PRIORITY.label(p)}: {texts[p]}" for p in PRIORITIES)]


def agenda_summary(texts: Mapping[str, str], title: str, rules) -> str:
    return aria_summary(
        "Bar chart",
        title,
        "Referrals by score, coloured by priority",
        *agenda_facts(texts),
        f"Bands: P1 from {rules.p1_min} points or a direct-referral exception, "
        f"P2 from {rules.p2_min}, P3 from {rules.p3_min}",
    )


# --------------------------------------------------------------------------- queue trend


def queue_trend_table(trend: pd.DataFrame) -> pd.DataFrame:
    """One row per week: queue size per priority, total and those past the panel timetable."""
    cols = ["week", *PRIORITIES, "total", "past_timetable"]
    if trend.empty:
        return pd.DataFrame(columns=cols)
    wide = trend.pivot_table(index="week", columns="priority", values="referrals", aggfunc="sum", fill_value=0)
    for p in PRIORITIES:
        if p not in wide:
            wide[p] = 0
    wide = wide[list(PRIORITIES)]
    wide["total"] = wide.sum(axis=1)
    wide["past_timetable"] = trend.groupby("week")["past_timetable"].sum()
    out = wide.reset_index()[cols]
    for c in cols[1:]:
        out[c] = out[c].astype(int)
    return out


def _past_cell(d: Disclosure, past: int, total: int):
    """Those past the timetable, of a week's total: hidden when they or the rest (total - past) are small."""
    return _disclosed(d, [past, total - past], total_shown=not d.hides(total))[0]


def queue_trend_shown(table: pd.DataFrame, d: Disclosure = EXACT) -> pd.DataFrame:
    """The weekly table as displayed: each week's priorities add up to its shown total (secondary
    suppression across them); those past the timetable are hidden with their complement too."""
    if not d.active or table.empty:
        return table.copy()
    out = table.copy().astype({c: object for c in table.columns if c != "week"})
    for i, row in table.iterrows():
        total = int(row["total"])
        for p, v in zip(
            PRIORITIES, _disclosed(d, [row[p] for p in PRIORITIES], total_shown=not d.hides(total)), strict=False
        ):
            out.at[i, p] = v
        out.at[i, "total"] = d.count(total) if d.hides(total) else total
        out.at[i, "past_timetable"] = _past_cell(d, int(row["past_timetable"]), total)
    return out


def queue_trend_title(table: pd.DataFrame, d: Disclosure = EXACT) -> str:
    if table.empty:
        return "JARP queue by priority, week by week"
    last = table.iloc[-1]
    total, past = int(last["total"]), int(last["past_timetable"])
    past_text = d.split([past, total - past], total_shown=not d.hides(total))[0]
    return (
        f"{d.count_noun(total, 'referral')} waiting on {_fmt_date(last['week'])}; "
        f"{past_text} waiting longer than the panel timetable"
    )


def queue_trend_facts(table: pd.DataFrame, d: Disclosure = EXACT) -> list[str]:
    if table.empty:
        return []
    first, last = table.iloc[0], table.iloc[-1]
    return [
        f"{d.count_noun(first['total'], 'referral')} waiting on {_fmt_date(first['week'])}, "
        f"{d.count(last['total'])} on {_fmt_date(last['week'])}"
    ]


def queue_trend_figure(table: pd.DataFrame, shown: pd.DataFrame, title: str, max_wait_days: int) -> Figure:
    """Stacked weekly bars of the queue by priority, with referrals past the timetable as a line.

    The standard is the handbook's "discussed at the next available JARP meeting": none should
    wait longer than ``max_wait_days`` (a submission just after the Friday cut-off waits 11 days),
    drawn as a dashed line at zero under the "past the timetable" line. A segment ``shown`` hides
    is not drawn (a week's bar is then shorter than its total, which the hover gives).
    """
    if table.empty:
        return empty_figure(title)
    fig = base_figure(title, height=500)
    for p in PRIORITIES:
        rows = _drawn(table[p], shown[p])
        if not rows.any():
            continue
        t, s = table[rows], shown[rows]
        fig.add_trace(
            dict(
                type="bar",
                x=t["week"].tolist(),
                y=t[p].astype(float).tolist(),
                name=PRIORITY.label(p),
                marker=dict(color=PRIORITY.colour(p)),
                customdata=customdata_rows(s[p].astype(str), s["total"].astype(str)),
                hovertemplate=(
                    f"Week to %{{x|%d %b %Y}}<br>{PRIORITY.label(p)}: %{{customdata[0]}}"
                    "<br>Waiting in all: %{customdata[1]}<extra></extra>"
                ),
            )
        )
    past = _drawn(table["past_timetable"], shown["past_timetable"])
    past_y = [float(v) if ok else None for v, ok in zip(table["past_timetable"], past, strict=False)]
    fig.add_trace(
        dict(
            type="scatter",
            x=table["week"].tolist(),
            y=past_y,
            name=f"Waiting over {max_wait_days} days (past the timetable)",
            mode="lines+markers",
            line=dict(color=STANDARD_COLOUR, width=2),
            marker=dict(symbol="diamond", size=7),
            customdata=shown["past_timetable"].astype(str).tolist(),
            hovertemplate="Week to %{x|%d %b %Y}<br>Past the timetable: %{customdata}<extra></extra>",
        )
    )
    add_spanning_line(fig, 0, line=dict(color=STANDARD_COLOUR, dash="dash", width=2))
    _footnote(
        fig,
        "Dashed line: the standard, no referral waits past its panel (every priority is heard at the "
        f"next available panel; {cite('003 App. A/B')}).",
    )
    fig.update_layout(barmode="stack", bargap=0.2)
    fig.update_xaxes({"title": {"text": "Week ending"}})
    fig.update_yaxes({"title": {"text": "Referrals waiting"}}, **count_axis(drawn_top(fig)))
    return fig


def _footnote(fig: Figure, text: str, y: float = -0.3) -> None:
    """The standard in words under the plot, where it cannot cover bars or axis labels."""
    fig.add_annotation(
        text=text,
        xref="paper",
        yref="paper",
        x=0,
        y=y,
        xanchor="left",
        yanchor="top",
        showarrow=False,
        font=dict(color=STANDARD_COLOUR, size=12),
    )
    fig.update_layout(margin=dict(b=110))


def queue_trend_summary(table: pd.DataFrame, title: str, d: Disclosure = EXACT) -> str:
    if table.empty:
        return aria_summary("Stacked bar chart", title, "No referrals in the period")
    return aria_summary(
        "Stacked bar chart",
        title,
        f"Weekly from {_fmt_date(table['week'].iloc[0])} to {_fmt_date(table['week'].iloc[-1])}",
        *queue_trend_facts(table, d),
        "Bars split the referrals waiting each week by priority; a line counts those waiting "
        "longer than the panel timetable allows, against a standard of none",
    )


# --------------------------------------------------------------------------- response times


def response_time_table(responses: pd.DataFrame, rules) -> pd.DataFrame:
    """Responses received, counted by priority and time taken (each priority in its target's unit).

    P1 in calendar days, P2 and P3 in working days (docs/DEFINITIONS.md "JARP priority queue"). Columns ``priority``,
    ``days``,
    ``unit``, ``responses``, ``within_target``.
    """
    cols = ["priority", "days", "unit", "responses", "within_target"]
    got = (
        responses[
            responses["responded"].astype(bool)
            & responses["priority"].isin(SCORED)
            & (responses["response_status"] != "no_target")
        ]
        if not responses.empty
        else responses
    )
    if got.empty:
        return pd.DataFrame(columns=cols)
    targets = _targets(rules)
    rows = []
    for p in SCORED:
        part = got[got["priority"] == p]
        if part.empty:
            continue
        limit, _, unit, _ = targets[p]
        days = part["response_working_days" if unit == "working days" else "response_days"].astype(int)
        for d, n in days.value_counts().sort_index().items():
            rows.append(dict(priority=p, days=int(d), unit=unit, responses=int(n), within_target=bool(d <= limit)))
    return pd.DataFrame(rows, columns=cols)


def response_counts(summary: pd.DataFrame, d: Disclosure = EXACT) -> dict[str, dict]:
    """Per priority: ``on_time``, ``late``, ``pending`` as text, ``hidden`` (which of the first two
    are hidden) and ``share`` (the % on time as text, ``None`` when hidden, ``""`` when none is judged).

    The on-time and late counts of the three priorities add up to the number judged, which the
    Overview shows ("x of N judged"), and each column adds up to a total that the overall share
    (the chart's title) or the Overview can give back: secondary suppression runs over the six
    counts as one split and down each column. A priority's share is hidden when its on-time,
    late or judged count is, and when it would give a count hidden that way back.
    """
    priorities = list(summary["priority"])
    on = [int(v) for v in summary["on_time"]]
    late = [int(v) for v in summary["late"]]
    both = d.secondary(on + late, total_shown=True)
    also_on = {i for i in both if i < len(on)}
    also_late = {i - len(on) for i in both if i >= len(on)}
    out: dict[str, dict[str, Any]] = {p: {"hidden": set()} for p in priorities}
    for col, cells, also in (("on_time", on, also_on), ("late", late, also_late)):
        hidden = d.secondary(cells, total_shown=True, also=also)
        for i, (p, text) in enumerate(zip(priorities, d.split(cells, total_shown=True, also=also), strict=False)):
            out[p][col] = text
            if i in hidden:
                out[p]["hidden"].add(col)
    for r in summary.itertuples():
        judged = int(r.on_time + r.late)
        out[r.priority]["pending"] = d.count(r.pending)
        if not judged:
            out[r.priority]["share"] = ""
        elif d.hides_share(r.on_time, judged) or _gives_away(out[r.priority]["hidden"], r.on_time, r.late):
            out[r.priority]["share"] = None
        else:
            out[r.priority]["share"] = d.share(r.on_time, judged)
    return out


def _gives_away(hidden: set, on_time: int, late: int) -> bool:
    """Whether a share would give a count hidden by secondary suppression back: with the other
    count shown, it would, unless that other count is 0 (100% or 0% says nothing of the size)."""
    if not hidden:
        return False
    return not ((hidden == {"on_time"} and late == 0) or (hidden == {"late"} and on_time == 0))


def response_time_shown(table: pd.DataFrame, summary: pd.DataFrame, d: Disclosure = EXACT) -> pd.DataFrame:
    """The response-time table as displayed: per priority, the bars within target add up to the
    on-time count its tile shows (and those over target to at most the late count), so secondary
    suppression runs across each group; when that count is itself hidden (:func:`response_counts`)
    at least one of its bars is too."""
    if not d.active or table.empty:
        return table.copy()
    counts = response_counts(summary, d)
    out = table.copy()
    out["responses"] = out["responses"].astype(object)
    for p in SCORED:
        for within, col in ((True, "on_time"), (False, "late")):
            idx = table.index[(table["priority"] == p) & (table["within_target"] == within)]
            if len(idx):
                hidden_total = p in counts and col in counts[p]["hidden"]
                out.loc[idx, "responses"] = pd.Series(
                    _disclosed(d, table.loc[idx, "responses"].tolist(), total_hidden=hidden_total),
                    index=idx,
                    dtype=object,
                )
    return out


def _judged(summary: pd.DataFrame) -> tuple[int, int]:
    return int(summary["on_time"].sum()), int(summary["late"].sum())


def response_title(summary: pd.DataFrame, d: Disclosure = EXACT, window: str = "12 months") -> str:
    on, late = _judged(summary)
    if on + late == 0:
        return f"No responses to judge against their targets in the {window}"
    if d.hides_share(on, on + late):
        return (
            f"Family-support responses against their priority's target in the {window} (the share on time "
            "rests on too few responses to show)"
        )
    return f"{d.share(on, on + late)} of family-support responses met their priority's target in the {window}"


def response_figure(table: pd.DataFrame, shown: pd.DataFrame, title: str, rules) -> Figure:
    """One panel per priority: responses by days taken, the target as a line, the guidance range as a band."""
    if table.empty:
        return empty_figure(
            title, f"No responses received in the {months_text(rules.window_months)} for the selected teams"
        )
    targets = _targets(rules)
    drawn = _drawn(table["responses"], shown["responses"])
    fig = plain_subplots(
        rows=1,
        cols=3,
        shared_yaxes=True,
        horizontal_spacing=0.06,
        subplot_titles=[f"{PRIORITY.label(p)}: target {targets[p][3]}" for p in SCORED],
    )
    # Target lines and bands as plain layout shapes, added at once: plotly's add_vline/add_vrect per
    # subplot re-validate the whole layout each time (over half a second for this one chart).
    shapes, labels = [], []
    for i, p in enumerate(SCORED, start=1):
        limit, low, unit, _ = targets[p]
        axis = "x" if i == 1 else f"x{i}"
        if low:
            shapes.append(
                dict(
                    type="rect",
                    xref=axis,
                    yref="y domain",
                    x0=low - 0.5,
                    x1=limit + 0.5,
                    y0=0,
                    y1=1,
                    fillcolor=TEAL,
                    opacity=0.12,
                    line=dict(width=0),
                    layer="below",
                )
            )
        for within, name, pattern in ((True, "Within target", ""), (False, "Over target", "/")):
            rows = (table["priority"] == p) & (table["within_target"] == within) & drawn
            if not rows.any():
                continue
            t, s = table[rows], shown[rows]
            fig.add_trace(
                dict(
                    type="bar",
                    x=t["days"].tolist(),
                    y=t["responses"].astype(float).tolist(),
                    name=f"{PRIORITY.label(p)} {name.lower()}",
                    showlegend=False,
                    marker=dict(
                        color=PRIORITY.colour(p),
                        pattern=dict(shape=pattern),
                        line=dict(color=STANDARD_COLOUR, width=0.5),
                    ),
                    customdata=s["responses"].astype(str).tolist(),
                    hovertemplate=f"{PRIORITY.label(p)}: %{{x}} {unit}<br>Responses: %{{customdata}}<br>{name}"
                    "<extra></extra>",
                ),
                row=1,
                col=i,
            )
        shapes.append(
            dict(
                type="line",
                xref=axis,
                yref="y domain",
                x0=limit + 0.5,
                x1=limit + 0.5,
                y0=0,
                y1=1,
                line=dict(color=STANDARD_COLOUR, dash="dash", width=2),
            )
        )
        labels.append(
            dict(
                text=f"Target {limit}",
                xref=axis,
                yref="y domain",
                x=limit + 0.5,
                y=1,
                xanchor="left",
                yanchor="top",
                showarrow=False,
                font=dict(color=STANDARD_COLOUR, size=12),
            )
        )
        fig.update_xaxes({"title": {"text": unit.capitalize()}, "rangemode": "tozero"}, row=1, col=i)
    fig.update_yaxes(**count_axis(drawn_top(fig)))  # shared by the three panels
    fig.update_yaxes({"title": {"text": "Responses"}}, row=1, col=1)
    fig.update_layout(
        title=title_layout(title),
        height=MIN_HEIGHT,
        barmode="stack",
        margin=dict(t=110),
        shapes=shapes,
        annotations=fig.layout_json.get("annotations", []) + labels,
    )
    _footnote(
        fig,
        f"Dashed lines: targets ({cite(SOURCE)}), P1 {targets['P1'][3]}, P2 {targets['P2'][3]}, "
        f"P3 {targets['P3'][3]}. Shaded: the recommended range. Hatched bars: over target.",
        y=-0.3,
    )
    return fig


def response_facts(summary: pd.DataFrame, rules, d: Disclosure = EXACT) -> list[str]:
    """Each priority's share on time against its target (hidden when it rests on a hidden count)."""
    facts = []
    targets = _targets(rules)
    counts = response_counts(summary, d)
    for p in summary["priority"]:
        share = counts[p]["share"]
        pct = (
            "none judged yet"
            if share == ""
            else "share on time not shown (too few responses)"
            if share is None
            else f"{share} on time"
        )
        facts.append(f"{PRIORITY.label(p)} (target {targets[p][3]}): {pct}")
    return facts


def response_summary_text(summary: pd.DataFrame, title: str, rules, d: Disclosure = EXACT) -> str:
    return aria_summary("Bar charts by priority", title, *response_facts(summary, rules, d))


def response_tiles(summary: pd.DataFrame, rules, d: Disclosure = EXACT) -> list[dict]:
    """Per priority: label, value (% on time, or the mark when it rests on a hidden count) and detail (counts)."""
    targets = _targets(rules)
    counts = response_counts(summary, d)
    out = []
    for p in summary["priority"]:
        c = counts[p]
        detail = f"{c['on_time']} on time, {c['late']} late, {c['pending']} not yet due. Target {targets[p][3]}."
        if c["share"] == "":
            value = "No responses to judge"
        elif c["share"] is None:
            value = d.mark
            detail += " The share on time is not shown: it would give a hidden count away."
        else:
            value = f"{c['share']} on time"
        out.append(dict(priority=p, label=f"{PRIORITY.label(p)} responses", value=value, detail=detail))
    return out


# --------------------------------------------------------------------------- response trend

RESPONSE_TREND_TITLE = "Share of responses on time, by month of the panel decision"
TREND_COLUMNS = ["month", "priority", "judged", "on_time", "late", "pct_on_time"]


def response_trend_table(trend: pd.DataFrame) -> pd.DataFrame:
    """% on time per month and priority with its counts (``late`` = judged - on time)."""
    if trend.empty:
        return pd.DataFrame(columns=TREND_COLUMNS)
    out = trend[["month", "priority", "judged", "on_time", "pct_on_time"]].copy()
    out["late"] = out["judged"] - out["on_time"]
    return out[TREND_COLUMNS].reset_index(drop=True)


def _trend_values(table: pd.DataFrame, d: Disclosure) -> list[float | None]:
    """The % on time to draw per row: ``None`` when it rests on a small count (on time, late or judged);
    whole percentages in presentation mode (a precise fraction can give its counts back)."""
    values = [d.share_value(on, n) for on, n in zip(table["on_time"], table["judged"], strict=False)]
    return [None if v is None else (float(round(v)) if d.active else v) for v in values]


def response_trend_shown(table: pd.DataFrame, d: Disclosure = EXACT) -> pd.DataFrame:
    """The trend as displayed. In presentation mode only ``month``, ``priority`` and the % on time
    (a whole number, or the mark): the monthly counts add up to the tiles' on-time and late counts,
    so showing them would let a hidden month be worked out by subtraction."""
    if not d.active or table.empty:
        return table.copy()
    values = _trend_values(table, d)
    return pd.DataFrame(
        {
            "month": table["month"].to_numpy(),
            "priority": table["priority"].to_numpy(),
            "pct_on_time": [d.mark if v is None else int(v) for v in values],
        }
    )


def response_trend_points(table: pd.DataFrame, d: Disclosure = EXACT) -> dict[str, list[tuple[date, float]]]:
    """Per priority, the (month, % on time) points that are drawn."""
    values = _trend_values(table, d) if len(table) else []
    out: dict[str, list] = {p: [] for p in SCORED}
    for month, p, v in zip(table["month"], table["priority"], values, strict=False):
        if v is not None and p in out:
            out[p].append((month, v))
    return out


def response_trend_empty(table: pd.DataFrame, d: Disclosure = EXACT, window: str = "12 months") -> str | None:
    """Why the trend has nothing to draw (``None`` when it has)."""
    if table.empty:
        return f"No responses judged in the {window} for the selected teams, so there is no share on time to show"
    if not any(response_trend_points(table, d).values()):
        return (
            f"Every month's share on time rests on a count under {d.threshold} (responses on time or late), "
            "so none is shown in presentation mode"
        )
    return None


def response_trend_facts(table: pd.DataFrame, d: Disclosure = EXACT) -> list[str]:
    """Each priority's first and last month shown; one month is said as one month, never "from x to x"."""
    facts = []
    only = "the only month that can be shown" if d.active else "the only month with judged responses"
    for p, points in response_trend_points(table, d).items():
        label = PRIORITY.label(p)
        if len(points) >= 2:
            (m0, v0), (m1, v1) = points[0], points[-1]
            facts.append(f"{label}: from {v0:.0f}% in {m0:%B %Y} to {v1:.0f}% in {m1:%B %Y}")
        elif points:
            ((m0, v0),) = points
            facts.append(f"{label}: {v0:.0f}% in {m0:%B %Y}, {only}")
        elif d.active and (table["priority"] == p).any():
            facts.append(f"{label}: no month can be shown")
    return facts


def response_trend_figure(table: pd.DataFrame, d: Disclosure = EXACT, window: str = "12 months") -> Figure:
    """% on time per month and priority, with the standard (every response on time) at 100%."""
    empty = response_trend_empty(table, d, window)
    if empty:
        return empty_figure(RESPONSE_TREND_TITLE, empty)
    fig = base_figure(RESPONSE_TREND_TITLE, height=360)
    symbols = {"P1": "circle", "P2": "square", "P3": "diamond"}
    values = _trend_values(table, d)
    for p in SCORED:
        rows = [i for i, (q, v) in enumerate(zip(table["priority"], values, strict=False)) if q == p]
        if not rows:
            continue
        t = table.iloc[rows]
        y = [values[i] for i in rows]
        if all(v is None for v in y):
            continue
        extra: dict[str, Any]
        if d.active:  # no counts in presentation mode (response_trend_shown)
            extra = dict(hovertemplate=f"{PRIORITY.label(p)}, %{{x|%b %Y}}: %{{y:.0f}}% on time<extra></extra>")
        else:
            extra = dict(
                customdata=customdata_rows(t["on_time"].astype(str), t["judged"].astype(str)),
                hovertemplate=(
                    f"{PRIORITY.label(p)}, %{{x|%b %Y}}: %{{y:.0f}}% on time"
                    f"<br>%{{customdata[0]}} of %{{customdata[1]}}<extra></extra>"
                ),
            )
        if sum(v is not None for v in y) <= 3:  # a lone point would hide under the standard line: label it
            extra.update(
                mode="lines+markers+text",
                textposition="bottom center",
                text=["" if v is None else f"{v:.0f}%" for v in y],
            )
        fig.add_trace(
            dict(
                type="scatter",
                x=t["month"].tolist(),
                y=y,
                name=PRIORITY.label(p),
                line=dict(color=PRIORITY.colour(p), width=2),
                marker=dict(symbol=symbols[p], size=9),
                **{"mode": "lines+markers", **extra},
            )
        )
    add_standard_line(fig, 100, f"Standard: every response within its target ({cite(SOURCE)})", position="top left")
    fig.update_yaxes({"title": {"text": "% on time"}}, range=[0, 112], tickvals=[0, 20, 40, 60, 80, 100])
    fig.update_xaxes({"title": {"text": "Month of decision"}}, dtick="M1", tickformat="%b %Y")
    return fig


def response_trend_summary(table: pd.DataFrame, d: Disclosure = EXACT, window: str = "12 months") -> str:
    empty = response_trend_empty(table, d, window)
    if empty:
        return aria_summary("Line chart", RESPONSE_TREND_TITLE, empty)
    return aria_summary("Line chart", RESPONSE_TREND_TITLE, *response_trend_facts(table, d), "Standard: 100% on time")


# --------------------------------------------------------------------------- reviews

REVIEW_COLUMNS = [
    "status",
    "review_due",
    "due",
    "days_to_due",
    "due_basis",
    "decision_date",
    "referring_team",
    "referral_id",
    "child_id",
    "services_requested",
    "referring_team_id",  # not a grid column: lets a manager's view keep only their teams' rows
]


def due_text(days_to_due: int) -> str:
    """When a review falls due, in words: "318 days overdue", "due today", "due in 5 days".

    A signed "Days to due -318" made a manager work out the sign; the number stays beside it for the CSV.
    """
    days = int(days_to_due)
    if days == 0:
        return "due today"
    if days > 0:
        return f"due in {plural(days, 'day')}"
    return f"{plural(-days, 'day')} overdue"


def review_rows(reviews: pd.DataFrame, *, notice_days: int = 7, review_weeks: int = 6) -> pd.DataFrame:
    """Progress reviews flagged (overdue first, then due soonest) for the managers' grid."""
    if reviews.empty:
        return pd.DataFrame(columns=REVIEW_COLUMNS)
    return pd.DataFrame(
        {
            "status": ["Overdue" if s == "overdue" else f"Due within {notice_days} days" for s in reviews["status"]],
            "review_due": [_grid_date(d) for d in reviews["review_due"]],
            "due": [due_text(n) for n in reviews["days_to_due"]],
            "days_to_due": reviews["days_to_due"].astype(int).to_numpy(),
            "due_basis": [
                f"decision + {review_weeks} weeks" if c else "recorded next review" for c in reviews["due_computed"]
            ],
            "decision_date": [_grid_date(d) for d in reviews["decision_date"]],
            "referring_team": reviews["referring_team"].fillna("No team recorded").to_numpy(),
            "referral_id": reviews["referral_id"].to_numpy(),
            "child_id": reviews["child_id"].to_numpy(),
            "services_requested": reviews["services_requested"].fillna("").to_numpy(),
            "referring_team_id": reviews["referring_team_id"].to_numpy(),
        }
    )


def review_counts(reviews: pd.DataFrame) -> tuple[int, int]:
    """(overdue, due soon) progress reviews."""
    over = int((reviews["status"] == "overdue").sum()) if not reviews.empty else 0
    return over, len(reviews) - over


def review_table(reviews: pd.DataFrame) -> pd.DataFrame:
    """Flagged reviews counted by days until due (negative: overdue by that many days)."""
    cols = ["days_to_due", "status", "reviews"]
    if reviews.empty:
        return pd.DataFrame(columns=cols)
    g = reviews.groupby(["days_to_due", "status"]).size().rename("reviews").reset_index()
    g["days_to_due"] = g["days_to_due"].astype(int)
    return g[cols]


def review_shown(table: pd.DataFrame, d: Disclosure = EXACT) -> pd.DataFrame:
    """The reviews table as displayed: each status's bars add up to the count the title and tile
    show (overdue, due soon), so secondary suppression runs across each status's bars."""
    if not d.active or table.empty:
        return table.copy()
    out = table.copy()
    out["reviews"] = out["reviews"].astype(object)
    for status in ("overdue", "due_soon"):
        idx = table.index[table["status"] == status]
        if len(idx):
            cells = table.loc[idx, "reviews"].tolist()
            out.loc[idx, "reviews"] = pd.Series(
                _disclosed(d, cells, total_shown=not d.hides(sum(cells))), index=idx, dtype=object
            )
    return out


def review_title(reviews: pd.DataFrame, d: Disclosure = EXACT, notice_days: int = 7) -> str:
    over, soon = review_counts(reviews)
    return f"{d.count_noun(over, 'progress review')} overdue, {d.count(soon)} due in the next {notice_days} days"


def _days_or_week(days: int, week: str) -> str:
    """``week`` ("a week", "week") for 7 days, else "N days": the review notice as the texts say it."""
    return week if days == 7 else f"{days} days"


def review_figure(
    table: pd.DataFrame, shown: pd.DataFrame, title: str, notice_days: int, review_weeks: int = 6
) -> Figure:
    """Reviews by days until due: the flag window (a week before due) as a band, the due date as a line.

    Only bars whose count ``shown`` displays are drawn; the x range is set from those alone (the
    most overdue review is one child's: it is not stated when its count is hidden).
    """
    if table.empty:
        return empty_figure(
            title, f"No progress reviews overdue or due in the next {_days_or_week(notice_days, 'week')}"
        )
    drawn = _drawn(table["reviews"], shown["reviews"])
    fig = base_figure(title, height=340)
    add_band(fig, -0.5, notice_days + 0.5, fillcolor=TEAL, opacity=0.15, line={"width": 0})  # the flag window
    for status, name, colour, pattern in (
        ("overdue", "Overdue", ROSE, "x"),
        ("due_soon", f"Due within {_days_or_week(notice_days, 'a week')}", BLUE, ""),
    ):
        rows = (table["status"] == status) & drawn
        if not rows.any():
            continue
        t, s = table[rows], shown[rows]
        fig.add_trace(
            dict(
                type="bar",
                x=t["days_to_due"].tolist(),
                y=t["reviews"].astype(float).tolist(),
                name=name,
                marker=dict(color=colour, pattern=dict(shape=pattern)),
                customdata=s["reviews"].astype(str).tolist(),
                hovertemplate=f"{name}: %{{x}} days to due<br>Reviews: %{{customdata}}<extra></extra>",
            )
        )
    add_standard_line(fig, -0.5, "Due date", axis="x", position="top left")
    _footnote(
        fig,
        f"Shaded: the flag window, due within {notice_days} days (reviews every {review_weeks} weeks, flagged "
        f"{notice_days} days ahead; {cite('003 App. A')}). Left of the dashed line: overdue.",
    )
    days = table.loc[drawn, "days_to_due"]
    lo = min(-notice_days, int(days.min()) - 2 if len(days) else -notice_days)
    fig.update_xaxes(
        {"title": {"text": "Days until the review is due (negative: overdue)"}}, range=[lo, notice_days + 2]
    )
    fig.update_yaxes({"title": {"text": "Reviews"}}, **count_axis(drawn_top(fig)))
    fig.update_layout(barmode="stack")
    return fig


def review_facts(table: pd.DataFrame, shown: pd.DataFrame) -> list[str]:
    """The longest overdue, said only when its bar is drawn (otherwise it is one hidden child's wait)."""
    if table.empty:
        return ["No reviews are flagged"]
    worst = table["days_to_due"].idxmin()
    days = int(table.at[worst, "days_to_due"])
    if days >= 0:
        return ["None is overdue"]
    if is_mark(shown.at[worst, "reviews"]):
        return []
    return [f"The longest overdue is {-days} days past its due date"]


def review_summary(
    table: pd.DataFrame, shown: pd.DataFrame, title: str, notice_days: int, review_weeks: int = 6
) -> str:
    return aria_summary(
        "Bar chart",
        title,
        f"Progress reviews every {review_weeks} weeks, flagged {notice_days} days before they fall due",
        *review_facts(table, shown),
    )


__all__ = [
    "PRIORITIES",
    "AGENDA_COLUMNS",
    "REVIEW_COLUMNS",
    "carried_text",
    "agenda_rows",
    "carried_rows",
    "drawn_rows",
    "next_panel_counts",
    "queue_counts",
    "priority_texts",
    "agenda_texts",
    "agenda_count",
    "hidden_priorities",
    "agenda_score_table",
    "agenda_shown",
    "agenda_title",
    "agenda_figure",
    "agenda_facts",
    "agenda_summary",
    "queue_trend_table",
    "queue_trend_shown",
    "queue_trend_title",
    "queue_trend_facts",
    "queue_trend_figure",
    "queue_trend_summary",
    "response_time_table",
    "response_counts",
    "response_time_shown",
    "response_title",
    "response_figure",
    "response_facts",
    "response_summary_text",
    "response_tiles",
    "response_trend_table",
    "response_trend_shown",
    "response_trend_points",
    "response_trend_empty",
    "response_trend_facts",
    "RESPONSE_TREND_TITLE",
    "response_trend_figure",
    "response_trend_summary",
    "review_rows",
    "due_text",
    "review_counts",
    "review_table",
    "review_shown",
    "review_title",
    "review_figure",
    "review_facts",
    "review_summary",
    "CARRIED_MARK",
    "EXACT",
]
