"""JARP page figures and tables (DESIGN 5.5, seed 003 section 3.6 and Appendix B).

Pure builders: data-layer frames in, the exact table a chart draws (and its CSV downloads) out,
then that table -> ``go.Figure``. Nothing here queries. Presentation mode is an argument: counts of
referrals (each one a child) under the suppression threshold become "<5" in hover text, labels,
tiles and CSVs; child-level rows are the page's business (``child_table`` hides them).

Standards on every chart: the priority bands (P2 from 7, P1 from 11 points) on the agenda's score
chart; "no referral waits past its panel" on the queue trend; each priority's response target
(with the guidance range as a band) on the response times; 100% on time on the trend; the
one-week flag window and the due date on the reviews chart.
"""
from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from dashboard.theme import BLUE, GREY, ROSE, SAND, STANDARD_COLOUR, TEAL, TEMPLATE_NAME

from .common import add_standard_line, aria_summary, base_figure, empty_figure, standard_label, suppress

SOURCE = "003 App. B"
PRIORITIES = ("P1", "P2", "P3", "below_threshold")
PRIORITY_LABELS = {"P1": "P1 urgent", "P2": "P2", "P3": "P3", "below_threshold": "Below threshold"}
#: Colour-blind-safe (Plotly Safe); bars also carry the priority's name, never colour alone.
PRIORITY_COLOURS = {"P1": ROSE, "P2": SAND, "P3": BLUE, "below_threshold": GREY}
CARRIED_MARK = "↻"
STATUS_WORDS = {"on_time": "On time", "late": "Late", "pending": "Not yet due", "no_target": "No target"}


def _count_text(n, presentation: bool, threshold: int) -> str:
    return suppress(n, threshold) if presentation else f"{int(n):,}"


def _fmt_date(d) -> str:
    return "" if d is None or (not isinstance(d, date) and pd.isna(d)) else f"{d:%d %b %Y}"


def _targets(rules) -> dict:
    """{priority: (limit, guidance_min, unit, label)} from ``data_layer.jarp_scoring.JarpRules``."""
    return {p: (t.limit, t.guidance_min, t.unit, t.label()) for p, t in rules.targets.items()}


# --------------------------------------------------------------------------- agenda tables (managers)

AGENDA_COLUMNS = ["order", "priority", "score", "reasons", "carried", "waiting_days", "panel_date", "referring_team",
                  "referral_id", "child_id", "services_requested", "flags"]


def carried_text(n) -> str:
    """"↻ carried over 2×" marks a carried-over referral in words and a symbol."""
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
    return pd.DataFrame({
        "order": range(1, len(part) + 1),
        "priority": [PRIORITY_LABELS.get(p, str(p)) for p in part["priority"]],
        "score": part["score"].astype(int).to_numpy(),
        "reasons": part["reasons"].to_numpy(),
        "carried": [carried_text(n) for n in part["carried_over"]],
        "waiting_days": part["waiting_days"].astype(int).to_numpy(),
        "panel_date": [_fmt_date(d) for d in part["panel_date"]],
        "referring_team": part["referring_team"].fillna("No team recorded").to_numpy(),
        "referral_id": part["referral_id"].to_numpy(),
        "child_id": part["child_id"].to_numpy(),
        "services_requested": part["services_requested"].fillna("").to_numpy(),
        "flags": [_flags(r) for r in part.to_dict("records")],
    })[AGENDA_COLUMNS]


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


# --------------------------------------------------------------------------- agenda chart

def agenda_score_table(queue: pd.DataFrame, *, presentation: bool = False, threshold: int = 5) -> pd.DataFrame:
    """Next panel's referrals counted by score and priority (what the agenda chart draws).

    Columns ``score``, ``priority``, ``referrals`` (text "<5" in presentation mode),
    ``carried_over`` (of them, how many carried over). Below-threshold referrals are included.
    """
    cols = ["score", "priority", "referrals", "carried_over"]
    if queue.empty:
        return pd.DataFrame(columns=cols)
    part = queue[queue["on_next_panel"].astype(bool)]
    if part.empty:
        return pd.DataFrame(columns=cols)
    g = part.groupby(["score", "priority"])
    out = pd.DataFrame({"referrals": g.size(), "carried_over": g["carried_over"].apply(lambda s: int((s >= 1).sum()))})
    out = out.reset_index()
    out["_r"] = out["priority"].map({p: i for i, p in enumerate(PRIORITIES)})
    out = out.sort_values(["_r", "score"], ascending=[True, False]).drop(columns="_r").reset_index(drop=True)
    out["score"] = out["score"].astype(int)
    if presentation:
        for c in ("referrals", "carried_over"):
            out[c] = [suppress(v, threshold) for v in out[c]]
    return out[cols]


def _num(v) -> float:
    if isinstance(v, str):
        return float("nan") if v.startswith("<") else float(v.replace(",", ""))
    return float(v)


def agenda_title(queue: pd.DataFrame, panel: date, *, presentation: bool = False, threshold: int = 5) -> str:
    part = queue[queue["on_next_panel"].astype(bool)] if not queue.empty else queue
    n = len(part)
    p1 = int((part["priority"] == "P1").sum()) if n else 0
    text = _count_text(n, presentation, threshold)
    return (f"{text} referral{'s' if n != 1 else ''} for the panel on {panel:%a %d %b %Y}, "
            f"{_count_text(p1, presentation, threshold)} of them priority 1")


def agenda_figure(table: pd.DataFrame, title: str, rules, raw: pd.DataFrame | None = None) -> go.Figure:
    """Bars of the next panel's referrals by score, coloured and named by priority, bands marked.

    The priority bands are the standard: P3 from ``rules.p3_min``, P2 from ``p2_min``, P1 from
    ``p1_min`` points (003 App. B), drawn as labelled dashed lines. Direct-referral exceptions are
    P1 at any score, so P1 bars can sit left of the P1 line. ``raw`` (same rows, numeric counts)
    gives bar heights when ``table``'s counts are suppressed text.
    """
    if table.empty:
        return empty_figure(title, "No referrals waiting for the next panel")
    heights = raw if raw is not None else table
    fig = base_figure(title, height=380)
    for p in PRIORITIES:
        rows = table["priority"] == p
        if not rows.any():
            continue
        t = table[rows]
        fig.add_trace(go.Bar(
            x=t["score"], y=[_num(v) for v in heights.loc[t.index, "referrals"]], name=PRIORITY_LABELS[p],
            marker=dict(color=PRIORITY_COLOURS[p], line=dict(color="white", width=0.5)),
            customdata=np.column_stack([t["referrals"].astype(str), t["carried_over"].astype(str)]),
            hovertemplate=(f"{PRIORITY_LABELS[p]}, %{{x}} points<br>Referrals: %{{customdata[0]}}"
                           f"<br>Carried over: %{{customdata[1]}}<extra></extra>"),
        ))
    top = max(rules.p1_min + 3, int(table["score"].max()) + 1)
    for value, name in ((rules.p2_min, "P2"), (rules.p1_min, "P1")):
        add_standard_line(fig, value - 0.5, f"{name} from {value} points", axis="x", position="top right")
    fig.add_annotation(text=f"Priority bands: {standard_label(rules.p1_min, 'points for P1', SOURCE)}; "
                            f"P2 {rules.p2_min}-{rules.p1_min - 1}, P3 {rules.p3_min}-{rules.p2_min - 1}",
                       xref="paper", yref="paper", x=0, y=-0.22, xanchor="left", showarrow=False,
                       font=dict(color=STANDARD_COLOUR, size=12))
    fig.update_layout(barmode="stack", bargap=0.15, margin=dict(b=90))
    fig.update_xaxes(title_text="Score (points)", range=[-0.6, top + 0.5], dtick=1)
    fig.update_yaxes(title_text="Referrals", rangemode="tozero")
    return fig


def agenda_summary(table: pd.DataFrame, title: str, rules) -> str:
    if table.empty:
        return aria_summary("Bar chart", title, "No referrals are waiting for the next panel")
    parts = []
    for p in PRIORITIES:
        vals = table.loc[table["priority"] == p, "referrals"]
        if len(vals):
            total = sum(_num(v) for v in vals)
            parts.append(f"{PRIORITY_LABELS[p]}: {'<5 per score' if np.isnan(total) else int(total)}")
    return aria_summary("Bar chart", title, "Referrals by score, coloured by priority", "; ".join(parts),
                        f"Bands: P1 from {rules.p1_min} points or a direct-referral exception, "
                        f"P2 from {rules.p2_min}, P3 from {rules.p3_min}")


# --------------------------------------------------------------------------- queue trend

def queue_trend_table(trend: pd.DataFrame, *, presentation: bool = False, threshold: int = 5) -> pd.DataFrame:
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
    if presentation:
        for c in cols[1:]:
            out[c] = [suppress(v, threshold) for v in out[c]]
    return out


def queue_trend_title(table: pd.DataFrame) -> str:
    if table.empty:
        return "JARP queue by priority, week by week"
    last = table.iloc[-1]
    return (f"{last['total']} referrals waiting on {_fmt_date(last['week'])}; "
            f"{last['past_timetable']} waiting longer than the panel timetable")


def queue_trend_figure(table: pd.DataFrame, title: str, max_wait_days: int,
                       raw: pd.DataFrame | None = None) -> go.Figure:
    """Stacked weekly bars of the queue by priority, with referrals past the timetable as a line.

    The standard is the handbook's "discussed at the next available JARP meeting": none should
    wait longer than ``max_wait_days`` (a submission just after the Friday cut-off waits 11 days),
    drawn as a dashed line at zero under the "past the timetable" line.
    """
    if table.empty:
        return empty_figure(title)
    heights = raw if raw is not None else table
    fig = base_figure(title, height=380)
    for p in PRIORITIES:
        fig.add_trace(go.Bar(x=table["week"], y=[_num(v) for v in heights[p]], name=PRIORITY_LABELS[p],
                             marker=dict(color=PRIORITY_COLOURS[p]), customdata=table[p].astype(str),
                             hovertemplate=f"Week to %{{x|%d %b %Y}}<br>{PRIORITY_LABELS[p]}: %{{customdata}}<extra></extra>"))
    fig.add_trace(go.Scatter(x=table["week"], y=[_num(v) for v in heights["past_timetable"]],
                             name=f"Waiting over {max_wait_days} days (past the timetable)", mode="lines+markers",
                             line=dict(color=STANDARD_COLOUR, width=2), marker=dict(symbol="diamond", size=7),
                             customdata=table["past_timetable"].astype(str),
                             hovertemplate="Week to %{x|%d %b %Y}<br>Past the timetable: %{customdata}<extra></extra>"))
    fig.add_hline(y=0, line=dict(color=STANDARD_COLOUR, dash="dash", width=2))
    _footnote(fig, "Dashed line: the standard, no referral waits past its panel (every priority is heard at the "
                   "next available panel, source 003 App. A/B).")
    fig.update_layout(barmode="stack", bargap=0.2)
    fig.update_xaxes(title_text="Week ending")
    fig.update_yaxes(title_text="Referrals waiting", rangemode="tozero")
    return fig


def _footnote(fig: go.Figure, text: str, y: float = -0.3) -> None:
    """The standard in words under the plot, where it cannot cover bars or axis labels."""
    fig.add_annotation(text=text, xref="paper", yref="paper", x=0, y=y, xanchor="left", yanchor="top",
                       showarrow=False, font=dict(color=STANDARD_COLOUR, size=12))
    fig.update_layout(margin=dict(b=110))


def queue_trend_summary(table: pd.DataFrame, title: str) -> str:
    if table.empty:
        return aria_summary("Stacked bar chart", title, "No referrals in the period")
    return aria_summary("Stacked bar chart", title,
                        f"Weekly from {_fmt_date(table['week'].iloc[0])} to {_fmt_date(table['week'].iloc[-1])}",
                        "Bars split the referrals waiting each week by priority; a line counts those waiting "
                        "longer than the panel timetable allows, against a standard of none")


# --------------------------------------------------------------------------- response times

def response_time_table(responses: pd.DataFrame, rules, *, presentation: bool = False,
                        threshold: int = 5) -> pd.DataFrame:
    """Responses received, counted by priority and time taken (each priority in its target's unit).

    P1 in calendar days, P2 and P3 in working days (DESIGN 5.5). Columns ``priority``, ``days``,
    ``unit``, ``responses``, ``within_target``.
    """
    cols = ["priority", "days", "unit", "responses", "within_target"]
    got = responses[responses["responded"].astype(bool) & responses["priority"].isin(("P1", "P2", "P3"))
                    & (responses["response_status"] != "no_target")] if not responses.empty else responses
    if got.empty:
        return pd.DataFrame(columns=cols)
    targets = _targets(rules)
    rows = []
    for p in ("P1", "P2", "P3"):
        part = got[got["priority"] == p]
        if part.empty:
            continue
        limit, _, unit, _ = targets[p]
        days = part["response_working_days" if unit == "working days" else "response_days"].astype(int)
        for d, n in days.value_counts().sort_index().items():
            rows.append(dict(priority=p, days=int(d), unit=unit, responses=int(n), within_target=bool(d <= limit)))
    out = pd.DataFrame(rows, columns=cols)
    if presentation:
        out["responses"] = [suppress(v, threshold) for v in out["responses"]]
    return out


def response_title(summary: pd.DataFrame) -> str:
    judged = summary["on_time"] + summary["late"]
    if int(judged.sum()) == 0:
        return "No responses to judge against their targets in the 12 months"
    pct = 100.0 * summary["on_time"].sum() / judged.sum()
    return f"{pct:.0f}% of family-support responses met their priority's target in the 12 months"


def response_figure(table: pd.DataFrame, title: str, rules, raw: pd.DataFrame | None = None) -> go.Figure:
    """One panel per priority: responses by days taken, the target as a line, the guidance range as a band."""
    if table.empty:
        return empty_figure(title, "No responses received in the 12 months for the selected teams")
    heights = raw if raw is not None else table
    targets = _targets(rules)
    fig = make_subplots(rows=1, cols=3, shared_yaxes=True, horizontal_spacing=0.06,
                        subplot_titles=[f"{PRIORITY_LABELS[p]}: target {targets[p][3]}" for p in ("P1", "P2", "P3")])
    # Target lines and bands as plain layout shapes, added at once: plotly's add_vline/add_vrect per
    # subplot re-validate the whole layout each time (over half a second for this one chart).
    shapes, labels = [], []
    for i, p in enumerate(("P1", "P2", "P3"), start=1):
        limit, low, unit, _ = targets[p]
        t = table[table["priority"] == p]
        axis = "x" if i == 1 else f"x{i}"
        if low:
            shapes.append(dict(type="rect", xref=axis, yref="y domain", x0=low - 0.5, x1=limit + 0.5, y0=0, y1=1,
                               fillcolor=TEAL, opacity=0.12, line_width=0, layer="below"))
        for within, name, colour, pattern in ((True, "Within target", PRIORITY_COLOURS[p], ""),
                                              (False, "Over target", PRIORITY_COLOURS[p], "/")):
            part = t[t["within_target"] == within]
            if part.empty:
                continue
            fig.add_trace(go.Bar(
                x=part["days"], y=[_num(v) for v in heights.loc[part.index, "responses"]],
                name=f"{PRIORITY_LABELS[p]} {name.lower()}", showlegend=False,
                marker=dict(color=colour, pattern=dict(shape=pattern), line=dict(color=STANDARD_COLOUR, width=0.5)),
                customdata=part["responses"].astype(str),
                hovertemplate=f"{PRIORITY_LABELS[p]}: %{{x}} {unit}<br>Responses: %{{customdata}}<br>{name}<extra></extra>",
            ), row=1, col=i)
        shapes.append(dict(type="line", xref=axis, yref="y domain", x0=limit + 0.5, x1=limit + 0.5, y0=0, y1=1,
                           line=dict(color=STANDARD_COLOUR, dash="dash", width=2)))
        labels.append(dict(text=f"Target {limit}", xref=axis, yref="y domain", x=limit + 0.5, y=1, xanchor="left",
                           yanchor="top", showarrow=False, font=dict(color=STANDARD_COLOUR, size=12)))
        fig.update_xaxes(title_text=unit.capitalize(), rangemode="tozero", row=1, col=i)
    fig.update_yaxes(title_text="Responses", row=1, col=1)
    fig.update_layout(template=TEMPLATE_NAME, title=dict(text=title), height=420, barmode="stack", margin=dict(t=110),
                      shapes=shapes, annotations=list(fig.layout.annotations) + labels)
    _footnote(fig, f"Dashed lines: targets (source {SOURCE}), P1 {targets['P1'][3]}, P2 {targets['P2'][3]}, "
                   f"P3 {targets['P3'][3]}. Shaded: the recommended range. Hatched bars: over target.", y=-0.3)
    return fig


def response_summary_text(summary: pd.DataFrame, title: str, rules) -> str:
    facts = []
    targets = _targets(rules)
    for r in summary.itertuples():
        judged = r.on_time + r.late
        pct = f"{r.pct_on_time:.0f}% on time" if judged else "none judged yet"
        facts.append(f"{PRIORITY_LABELS[r.priority]} (target {targets[r.priority][3]}): {pct}")
    return aria_summary("Bar charts by priority", title, *facts)


def response_tiles(summary: pd.DataFrame, rules, *, presentation: bool = False, threshold: int = 5) -> list[dict]:
    """Per priority: label, value (% on time) and detail (counts, suppressed in presentation mode)."""
    targets = _targets(rules)
    out = []
    for r in summary.itertuples():
        judged = r.on_time + r.late
        value = f"{r.pct_on_time:.0f}% on time" if judged else "No responses to judge"
        c = lambda n: _count_text(n, presentation, threshold)  # noqa: E731
        detail = (f"{c(r.on_time)} on time, {c(r.late)} late, {c(r.pending)} not yet due. "
                  f"Target {targets[r.priority][3]}.")
        out.append(dict(priority=r.priority, label=f"{PRIORITY_LABELS[r.priority]} responses", value=value,
                        detail=detail))
    return out


def response_trend_table(trend: pd.DataFrame, *, presentation: bool = False, threshold: int = 5) -> pd.DataFrame:
    cols = ["month", "priority", "judged", "on_time", "pct_on_time"]
    out = trend[cols].copy() if not trend.empty else pd.DataFrame(columns=cols)
    if presentation and not out.empty:
        small = out["judged"] < threshold
        out["pct_on_time"] = out["pct_on_time"].where(~small, np.nan)  # a % of under 5 discloses too
        for c in ("judged", "on_time"):
            out[c] = [suppress(v, threshold) for v in out[c]]
    return out


RESPONSE_TREND_TITLE = "Share of responses on time, by month of the panel decision"


def response_trend_figure(table: pd.DataFrame) -> go.Figure:
    """% on time per month and priority, with the standard (every response on time) at 100%."""
    if table.empty:
        return empty_figure(RESPONSE_TREND_TITLE)
    fig = base_figure(RESPONSE_TREND_TITLE, height=360)
    symbols = {"P1": "circle", "P2": "square", "P3": "diamond"}
    for p in ("P1", "P2", "P3"):
        t = table[table["priority"] == p]
        if t.empty:
            continue
        fig.add_trace(go.Scatter(x=t["month"], y=t["pct_on_time"], name=PRIORITY_LABELS[p], mode="lines+markers",
                                 line=dict(color=PRIORITY_COLOURS[p], width=2),
                                 marker=dict(symbol=symbols[p], size=8),
                                 customdata=np.column_stack([t["on_time"].astype(str), t["judged"].astype(str)]),
                                 hovertemplate=(f"{PRIORITY_LABELS[p]}, %{{x|%b %Y}}: %{{y:.0f}}% on time"
                                                f"<br>%{{customdata[0]}} of %{{customdata[1]}}<extra></extra>")))
    add_standard_line(fig, 100, f"Standard: every response within its target (source {SOURCE})",
                      position="top left")
    fig.update_yaxes(title_text="% on time", range=[0, 112], tickvals=[0, 20, 40, 60, 80, 100])
    fig.update_xaxes(title_text="Month of decision", dtick="M1", tickformat="%b %Y")
    return fig


def response_trend_summary(table: pd.DataFrame) -> str:
    if table.empty:
        return aria_summary("Line chart", RESPONSE_TREND_TITLE, "No responses judged in the 12 months")
    facts = []
    for p in ("P1", "P2", "P3"):
        t = table[(table["priority"] == p)].dropna(subset=["pct_on_time"])
        if len(t):
            facts.append(f"{PRIORITY_LABELS[p]}: from {t['pct_on_time'].iloc[0]:.0f}% in {t['month'].iloc[0]:%B %Y} "
                         f"to {t['pct_on_time'].iloc[-1]:.0f}% in {t['month'].iloc[-1]:%B %Y}")
    return aria_summary("Line chart", RESPONSE_TREND_TITLE, *facts, "Standard: 100% on time")


# --------------------------------------------------------------------------- reviews

REVIEW_COLUMNS = ["status", "review_due", "days_to_due", "due_basis", "decision_date", "referring_team", "referral_id",
                  "child_id", "services_requested"]


def review_rows(reviews: pd.DataFrame) -> pd.DataFrame:
    """Progress reviews flagged (overdue first, then due soonest) for the managers' grid."""
    if reviews.empty:
        return pd.DataFrame(columns=REVIEW_COLUMNS)
    return pd.DataFrame({
        "status": ["Overdue" if s == "overdue" else "Due within 7 days" for s in reviews["status"]],
        "review_due": [_fmt_date(d) for d in reviews["review_due"]],
        "days_to_due": reviews["days_to_due"].astype(int).to_numpy(),
        "due_basis": ["decision + 6 weeks" if c else "recorded next review" for c in reviews["due_computed"]],
        "decision_date": [_fmt_date(d) for d in reviews["decision_date"]],
        "referring_team": reviews["referring_team"].fillna("No team recorded").to_numpy(),
        "referral_id": reviews["referral_id"].to_numpy(),
        "child_id": reviews["child_id"].to_numpy(),
        "services_requested": reviews["services_requested"].fillna("").to_numpy(),
    })


def review_table(reviews: pd.DataFrame, *, presentation: bool = False, threshold: int = 5) -> pd.DataFrame:
    """Flagged reviews counted by days until due (negative: overdue by that many days)."""
    cols = ["days_to_due", "status", "reviews"]
    if reviews.empty:
        return pd.DataFrame(columns=cols)
    g = reviews.groupby(["days_to_due", "status"]).size().rename("reviews").reset_index()
    g["days_to_due"] = g["days_to_due"].astype(int)
    if presentation:
        g["reviews"] = [suppress(v, threshold) for v in g["reviews"]]
    return g[cols]


def review_title(reviews: pd.DataFrame, *, presentation: bool = False, threshold: int = 5) -> str:
    over = int((reviews["status"] == "overdue").sum()) if not reviews.empty else 0
    soon = len(reviews) - over
    return (f"{_count_text(over, presentation, threshold)} progress review{'s' if over != 1 else ''} overdue, "
            f"{_count_text(soon, presentation, threshold)} due in the next 7 days")


def review_figure(table: pd.DataFrame, title: str, notice_days: int, raw: pd.DataFrame | None = None) -> go.Figure:
    """Reviews by days until due: the flag window (a week before due) as a band, the due date as a line."""
    if table.empty:
        return empty_figure(title, "No progress reviews overdue or due in the next week")
    heights = raw if raw is not None else table
    fig = base_figure(title, height=340)
    fig.add_vrect(x0=-0.5, x1=notice_days + 0.5, fillcolor=TEAL, opacity=0.15, line_width=0)
    for status, name, colour, pattern in (("overdue", "Overdue", ROSE, "x"), ("due_soon", "Due within a week", BLUE, "")):
        t = table[table["status"] == status]
        if t.empty:
            continue
        fig.add_trace(go.Bar(x=t["days_to_due"], y=[_num(v) for v in heights.loc[t.index, "reviews"]], name=name,
                             marker=dict(color=colour, pattern=dict(shape=pattern)),
                             customdata=t["reviews"].astype(str),
                             hovertemplate=f"{name}: %{{x}} days to due<br>Reviews: %{{customdata}}<extra></extra>"))
    add_standard_line(fig, -0.5, "Due date", axis="x", position="top left")
    _footnote(fig, f"Shaded: the flag window, due within {notice_days} days (reviews every six weeks, flagged one week "
                   f"ahead, source 003 App. A). Left of the dashed line: overdue.")
    lo = min(-notice_days, int(table["days_to_due"].min()) - 2)
    fig.update_xaxes(title_text="Days until the review is due (negative: overdue)", range=[lo, notice_days + 2])
    fig.update_yaxes(title_text="Reviews", rangemode="tozero")
    fig.update_layout(barmode="stack")
    return fig


def review_summary(table: pd.DataFrame, title: str, notice_days: int) -> str:
    if table.empty:
        return aria_summary("Bar chart", title, "No reviews are flagged")
    worst = int(table["days_to_due"].min())
    fact = f"The longest overdue is {-worst} days past its due date" if worst < 0 else "None is overdue"
    return aria_summary("Bar chart", title, f"Six-weekly progress reviews flagged {notice_days} days before they fall due",
                        fact)


__all__ = [
    "PRIORITIES", "PRIORITY_LABELS", "PRIORITY_COLOURS", "AGENDA_COLUMNS", "REVIEW_COLUMNS", "carried_text",
    "agenda_rows", "carried_rows", "agenda_score_table", "agenda_title", "agenda_figure", "agenda_summary",
    "queue_trend_table", "queue_trend_title", "queue_trend_figure", "queue_trend_summary",
    "response_time_table", "response_title", "response_figure", "response_summary_text", "response_tiles",
    "response_trend_table", "RESPONSE_TREND_TITLE", "response_trend_figure", "response_trend_summary",
    "review_rows", "review_table", "review_title", "review_figure", "review_summary", "suppress", "CARRIED_MARK",
]
