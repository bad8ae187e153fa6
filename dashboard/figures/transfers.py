"""Transfers page figures (DESIGN 5.4): timeliness, flows, notice and joint visits, key-worker changes.

Every chart has a table builder (``transfers(db, f)`` rows -> the exact numeric table the chart
draws) and a figure builder (that table -> ``go.Figure``). :func:`presentable` turns a table into
what presentation mode shows and downloads: counts under the threshold as "<5", and percentages
whose denominator is under the threshold blanked (a percentage of 3 transfers discloses the count).

How transfers are judged here (the data layer gives each row ``working_days``, ``on_time``,
``pending``, ``notice_ok``, ``joint_visit_ok``):

* **% on time** counts transfers that have a verdict: completed ones, and pending ones already past
  3 working days (late whatever happens next). A pending transfer still within 3 working days can
  still be on time, so it is left out of the percentage and shown separately as "pending".
* **Notice and joint visits** are judged on completed transfers only (the data layer leaves them
  None while pending).
* The standard is that *every* transfer meets it (003: "all cases will be transferred within 3
  working days"), so percentage charts draw the standard as a line at 100%.
"""
from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from dashboard.theme import BLUE, GREY, ROSE, SAND, STANDARD_COLOUR, TEAL, TEMPLATE_NAME

from .common import (add_standard_line, aria_summary, base_figure, empty_figure, plural, standard_label,
                     suppress)

SOURCE_TIMELINESS = "003"
SOURCE_NOTICE = "004"
SOURCE_JOINT_VISIT = "003"
SOURCE_KEYWORKER = "003/004"

POINT_LABELS = {
    "initial_cin_meeting": "Initial CIN meeting",
    "after_icpc": "After initial CP conference",
    "first_lac_review": "First looked-after review",
    "first_hearing": "First court hearing",
    "other": "Other point",
}

#: Count columns suppressed in presentation mode, and percentage -> its denominator column.
COUNT_COLUMNS = ("transfers", "completed", "pending", "pending_in_time", "decided", "on_time", "late",
                 "notice_met", "joint_met", "children", "rows")
PERCENT_DENOMINATORS = {"pct_on_time": "decided", "notice_pct": "completed", "joint_pct": "completed"}
TOO_FEW = "too few to show"


def _pct(num, den) -> float:
    return float(100.0 * num / den) if den else float("nan")


def _fmt_pct(p) -> str:
    return "–" if p is None or pd.isna(p) else f"{p:.0f}%"


def presentable(table: pd.DataFrame, threshold: int = 5) -> pd.DataFrame:
    """Copy of ``table`` fit for a board: small counts as "<5", percentages of small groups blanked.

    Percentages (:data:`PERCENT_DENOMINATORS`) are blanked when their denominator is 1..threshold-1,
    before the counts are turned into text.
    """
    out = table.copy()
    for pct, den in PERCENT_DENOMINATORS.items():
        if pct in out and den in out:
            small = out[den].astype(float).between(1, threshold - 1)
            out[pct] = out[pct].astype(object).where(~small, None)
    for col in COUNT_COLUMNS:
        if col in out:
            out[col] = [suppress(v, threshold) for v in out[col]]
    return out


def _count_text(n, presentation: bool, threshold: int) -> str:
    return suppress(n, threshold) if presentation else f"{int(n):,}"


def team_label(team_id, team_name) -> str:
    """A team's name, else its id, else "No team recorded" (never a blank axis label)."""
    for v in (team_name, team_id):
        if v is not None and not (isinstance(v, float) and pd.isna(v)) and str(v) != "":
            return str(v)
    return "No team recorded"


def _with_labels(df: pd.DataFrame) -> pd.DataFrame:
    out = df.copy()
    out["from_label"] = [team_label(i, n) for i, n in zip(out["from_team"], out["from_team_name"])]
    out["to_label"] = [team_label(i, n) for i, n in zip(out["to_team"], out["to_team_name"])]
    return out


def _decided(df: pd.DataFrame) -> pd.Series:
    """Transfers with a verdict: completed, or pending and already late."""
    return (~df["pending"].astype(bool)) | df["late"].astype(bool)


# --------------------------------------------------------------------------- working-days distribution

def working_days_table(df: pd.DataFrame, *, cap: int = 10) -> pd.DataFrame:
    """Transfers by working days (to completion, or waited so far if pending), ``cap`` and over pooled.

    Columns ``working_days`` (0..cap), ``label`` ("0".."10+"), ``completed``, ``pending``, ``transfers``.
    Every value from 0 to ``cap`` is present so the standard line sits in the same place every time.
    """
    days = np.arange(cap + 1)
    out = pd.DataFrame({"working_days": days, "label": [str(d) for d in days[:-1]] + [f"{cap}+"]})
    if df.empty:
        out["completed"] = out["pending"] = out["transfers"] = 0
        return out
    binned = np.minimum(df["working_days"].astype(int).to_numpy(), cap)
    pending = df["pending"].astype(bool).to_numpy()
    out["completed"] = np.bincount(binned[~pending], minlength=cap + 1)
    out["pending"] = np.bincount(binned[pending], minlength=cap + 1)
    out["transfers"] = out["completed"] + out["pending"]
    return out


def working_days_title(df: pd.DataFrame, *, standard: int = 3, presentation: bool = False,
                       threshold: int = 5) -> str:
    done = df[~df["pending"].astype(bool)] if not df.empty else df
    n = len(done)
    if n == 0:
        return f"No transfers completed in the period (standard: {standard} working days)"
    ok = int(done["on_time"].astype(bool).sum())
    return (f"{_count_text(ok, presentation, threshold)} of {_count_text(n, presentation, threshold)} completed "
            f"transfers ({_pct(ok, n):.0f}%) took {standard} working days or fewer")


def working_days_figure(table: pd.DataFrame, title: str, *, standard: int = 3, presentation: bool = False,
                        threshold: int = 5, source: str = SOURCE_TIMELINESS) -> go.Figure:
    """Stacked bars of transfers by working days: completed (solid) and still pending (hatched)."""
    if table.empty or int(table["transfers"].sum()) == 0:
        return empty_figure(title, "No transfers requested in the 12 months or pending for these filters")
    fig = base_figure(title, height=380)
    for col, name, colour, pattern in (("completed", "Completed: working days taken", BLUE, ""),
                                       ("pending", "Pending: working days waited so far", SAND, "/")):
        shown = [_count_text(v, presentation, threshold) for v in table[col]]
        fig.add_trace(go.Bar(
            x=table["working_days"], y=table[col], name=name, customdata=np.column_stack([table["label"], shown]),
            marker=dict(color=colour, pattern=dict(shape=pattern), line=dict(color="white", width=1)),
            hovertemplate=f"%{{customdata[0]}} working days: %{{customdata[1]}} {name.split(':')[0].lower()}"
                          "<extra></extra>"))
    add_standard_line(fig, standard + 0.5, standard_label(standard, "working days", source), axis="x")
    fig.update_layout(barmode="stack", bargap=0.1)
    fig.update_xaxes(title_text="Working days from request (bank holidays excluded)", tickmode="array",
                     tickvals=table["working_days"].tolist(), ticktext=table["label"].tolist())
    fig.update_yaxes(title_text="Transfers", rangemode="tozero", tickformat=",d")
    if presentation:
        fig.update_yaxes(showticklabels=False, title_text="Transfers (counts hidden in presentation mode)")
    return fig


def working_days_summary(table: pd.DataFrame, title: str, *, standard: int = 3) -> str:
    if table.empty or int(table["transfers"].sum()) == 0:
        return aria_summary("Bar chart", title, "No transfers for these filters")
    return aria_summary("Bar chart", title,
                        "Bars count transfers by working days from request to completion, or waited so far "
                        "for pending transfers",
                        f"A dashed line marks the standard of {standard} working days; bars to its right are late")


# --------------------------------------------------------------------------- % on time by group

def on_time_table(df: pd.DataFrame, by: str) -> pd.DataFrame:
    """% on time per receiving team (``by="to_team"``) or per transfer point (``by="transfer_point"``).

    Columns ``group``, ``transfers``, ``decided`` (completed, or pending and already late),
    ``on_time``, ``late``, ``pending_in_time`` (pending, not yet past the standard), ``pct_on_time``
    (on_time / decided). Worst first. For transfer points, rows with a missing or unrecognised point
    are left out (the page shows their count from ``transfer_exclusions``).
    """
    cols = ["group", "transfers", "decided", "on_time", "late", "pending_in_time", "pct_on_time"]
    if df.empty:
        return pd.DataFrame(columns=cols)
    d = _with_labels(df)
    if by == "to_team":
        d["group"] = d["to_label"]
    elif by == "transfer_point":
        d = d[d["transfer_point"].isin(list(POINT_LABELS))].copy()
        d["group"] = d["transfer_point"].map(POINT_LABELS)
    else:
        raise ValueError(f"by must be 'to_team' or 'transfer_point', got {by!r}")
    if d.empty:
        return pd.DataFrame(columns=cols)
    decided = _decided(d)
    d = d.assign(decided=decided.astype(int), on_time_n=(decided & d["on_time"].astype(bool)).astype(int),
                 late_n=d["late"].astype(bool).astype(int), in_time=(~decided).astype(int), one=1)
    g = d.groupby("group", sort=True).agg(transfers=("one", "sum"), decided=("decided", "sum"),
                                          on_time=("on_time_n", "sum"), late=("late_n", "sum"),
                                          pending_in_time=("in_time", "sum")).reset_index()
    g["pct_on_time"] = [_pct(a, b) for a, b in zip(g["on_time"], g["decided"])]
    g = g.sort_values(["pct_on_time", "decided", "group"], ascending=[True, False, True], na_position="last",
                      kind="mergesort")
    return g[cols].reset_index(drop=True)


def on_time_title(table: pd.DataFrame, subject: str, *, standard: int = 3) -> str:
    judged = table[table["decided"].astype(int) > 0] if not table.empty else table
    if judged.empty:
        return f"Transfers on time by {subject}: none judged yet"
    below = int((judged["pct_on_time"] < 100).sum())
    return (f"{below} of {plural(len(judged), subject)} transferred some cases later than "
            f"{standard} working days")


def on_time_figure(table: pd.DataFrame, title: str, *, axis_title: str, standard: int = 3,
                   presentation: bool = False, threshold: int = 5, source: str = SOURCE_TIMELINESS) -> go.Figure:
    """Horizontal bars of % on time per group, labelled "% (on time of judged)", 100% standard line."""
    if table.empty:
        return empty_figure(title)
    shown = presentable(table, threshold) if presentation else table
    pct = pd.to_numeric(shown["pct_on_time"], errors="coerce")
    labels = [TOO_FEW if pd.isna(p) and presentation and int(dec) > 0 else
              f"{_fmt_pct(p)} ({o} of {dc})" for p, o, dc, dec in
              zip(pct, shown["on_time"], shown["decided"], table["decided"])]
    fig = base_figure(title, height=max(300, 34 * len(table) + 150))
    fig.add_trace(go.Bar(
        x=pct.fillna(0), y=table["group"], orientation="h", name="% on time",
        marker=dict(color=BLUE, line=dict(color="white", width=1)),
        customdata=np.column_stack([labels, shown["late"].astype(str), shown["pending_in_time"].astype(str)]),
        hovertemplate="%{y}: %{customdata[0]} on time; late %{customdata[1]}; "
                      "pending within the standard %{customdata[2]}<extra></extra>"))
    # Labels in a column right of the 100% line, so the line never runs through them.
    fig.add_trace(go.Scatter(x=[102] * len(table), y=table["group"], mode="text", text=labels,
                             textposition="middle right", hoverinfo="skip", showlegend=False, cliponaxis=False))
    # The line is labelled above the plot area, where the words cannot cover bars or their labels.
    add_standard_line(fig, 100, "", axis="x")
    fig.add_annotation(text=f"Dashed line: the standard,<br>every transfer within {standard} working days (source {source})",
                       xref="paper", yref="paper", x=0, y=1.0, xanchor="left", yanchor="bottom", yshift=4, align="left",
                       showarrow=False, font=dict(color=STANDARD_COLOUR, size=12))
    fig.update_xaxes(title_text="% of judged transfers on time", range=[0, 165], ticksuffix="%",
                     tickvals=[0, 25, 50, 75, 100])
    fig.update_yaxes(title_text=axis_title, categoryorder="array", categoryarray=table["group"].tolist(),
                     autorange="reversed", automargin=True)
    fig.update_layout(showlegend=False, margin=dict(t=115))
    return fig


def on_time_summary(table: pd.DataFrame, title: str, subject: str) -> str:
    judged = table[table["decided"].astype(int) > 0] if not table.empty else table
    if judged.empty:
        return aria_summary("Bar chart", title, f"No transfers judged by {subject}")
    worst, best = judged.iloc[0], judged.iloc[-1]
    return aria_summary("Bar chart", title, f"One bar per {subject}, worst first",
                        f"Lowest: {worst['group']} at {_fmt_pct(worst['pct_on_time'])}",
                        f"Highest: {best['group']} at {_fmt_pct(best['pct_on_time'])}",
                        "The standard is 100%: every transfer within the working-day limit")


# --------------------------------------------------------------------------- monthly trend

def month_starts(window_start: date, as_at: date) -> list[date]:
    """First days of the months from the window's first month to the as-at month."""
    out, m = [], window_start.replace(day=1)
    while m <= as_at:
        out.append(m)
        m = date(m.year + (m.month == 12), m.month % 12 + 1, 1)
    return out


def monthly_table(df: pd.DataFrame, window_start: date, as_at: date) -> pd.DataFrame:
    """Per month of request in the window: transfers, judged, on time, % on time, median days.

    Pending transfers requested before the window are not in any month (they are in the other
    charts). ``median_working_days`` is over completed transfers. Every month is present.
    Columns ``month``, ``transfers``, ``decided``, ``on_time``, ``pct_on_time``, ``median_working_days``.
    """
    months = month_starts(window_start, as_at)
    base = pd.DataFrame({"month": months})
    cols = ["month", "transfers", "decided", "on_time", "pct_on_time", "median_working_days"]
    if df.empty:
        base["transfers"] = base["decided"] = base["on_time"] = 0
        base["pct_on_time"] = base["median_working_days"] = float("nan")
        return base[cols]
    d = df[df["requested_date"].map(lambda r: r >= window_start)].copy()
    decided = _decided(d)
    d["decided"] = decided.astype(int)
    d["on_time_n"] = (decided & d["on_time"].astype(bool)).astype(int)
    d["done_days"] = d["working_days"].astype(float).where(~d["pending"].astype(bool))
    d["one"] = 1
    g = d.groupby("request_month").agg(transfers=("one", "sum"), decided=("decided", "sum"),
                                       on_time=("on_time_n", "sum"),
                                       median_working_days=("done_days", "median")).reset_index()
    out = base.merge(g.rename(columns={"request_month": "month"}), on="month", how="left")
    for col in ("transfers", "decided", "on_time"):
        out[col] = out[col].fillna(0).astype(int)
    out["pct_on_time"] = [_pct(a, b) for a, b in zip(out["on_time"], out["decided"])]
    return out[cols]


MONTHLY_TITLE = "Transfers on time, by month of request"


def monthly_finding(table: pd.DataFrame) -> str:
    valid = table.dropna(subset=["pct_on_time"])
    if valid.empty:
        return "No transfers judged in the period"
    last = valid.iloc[-1]
    overall = _pct(int(table["on_time"].sum()), int(table["decided"].sum()))
    return f"{overall:.0f}% on time over 12 months; {_fmt_pct(last['pct_on_time'])} in {last['month']:%B %Y}"


def monthly_figure(table: pd.DataFrame, finding: str, *, standard: int = 3, presentation: bool = False,
                   threshold: int = 5, source: str = SOURCE_TIMELINESS) -> go.Figure:
    """% on time per request month (line, left axis, standard at 100%) over requests (bars, right axis)."""
    if table.empty or int(table["transfers"].sum()) == 0:
        return empty_figure(MONTHLY_TITLE, "No transfers requested in the 12 months for these filters")
    shown = presentable(table, threshold) if presentation else table
    pct = pd.to_numeric(shown["pct_on_time"], errors="coerce")
    x = pd.to_datetime(table["month"])
    fig = make_subplots(specs=[[{"secondary_y": True}]])
    fig.add_trace(go.Bar(x=x, y=table["transfers"], name="Transfers requested (right axis)",
                         marker=dict(color=GREY, opacity=0.35), customdata=shown[["transfers"]],
                         hovertemplate="%{x|%B %Y}: %{customdata[0]} requested<extra></extra>"), secondary_y=True)
    fig.add_trace(go.Scatter(x=x, y=pct, name="% on time (left axis)", mode="lines+markers",
                             line=dict(color=BLUE, width=3), marker=dict(size=7, symbol="circle"),
                             customdata=np.column_stack([shown["on_time"].astype(str), shown["decided"].astype(str)]),
                             hovertemplate="%{x|%B %Y}: %{y:.0f}% on time (%{customdata[0]} of %{customdata[1]})"
                                           "<extra></extra>"), secondary_y=False)
    add_standard_line(fig, 100, f"Standard: every transfer within {standard} working days (source {source})",
                      position="bottom left")
    fig.update_yaxes(title_text="% on time", range=[0, 110], ticksuffix="%", secondary_y=False)
    # Bars top out below the 100% line so the standard's label under it never sits on a bar.
    fig.update_yaxes(title_text="Transfers requested", range=[0, max(1, int(table["transfers"].max())) * 1.35],
                     showgrid=False, tickformat=",d", showticklabels=not presentation, secondary_y=True)
    fig.update_xaxes(title_text="Month of request", dtick="M1", tickformat="%b %Y")
    fig.update_layout(template=TEMPLATE_NAME, title=dict(text=MONTHLY_TITLE, subtitle=dict(text=finding)),
                      height=400, margin=dict(t=110),
                      legend=dict(orientation="h", yanchor="top", y=-0.22, xanchor="left", x=0))
    return fig


def monthly_summary(table: pd.DataFrame, finding: str) -> str:
    valid = table.dropna(subset=["pct_on_time"])
    if valid.empty:
        return aria_summary("Line chart", MONTHLY_TITLE, "No transfers judged in the period")
    return aria_summary("Line chart", MONTHLY_TITLE, finding,
                        f"Monthly from {table['month'].iloc[0]:%B %Y} to {table['month'].iloc[-1]:%B %Y}",
                        f"Lowest month {valid['pct_on_time'].min():.0f}%, highest {valid['pct_on_time'].max():.0f}%",
                        "The standard is 100% on time")


# --------------------------------------------------------------------------- flows between teams

def flows_table(df: pd.DataFrame) -> pd.DataFrame:
    """One row per (sending team, receiving team): volumes, median working days, % on time.

    Columns ``from_team``, ``to_team`` (labels), ``transfers``, ``completed``, ``pending``,
    ``median_working_days`` (completed transfers; NaN if none), ``decided``, ``on_time``,
    ``pct_on_time``. Largest flows first.
    """
    cols = ["from_team", "to_team", "transfers", "completed", "pending", "median_working_days", "decided",
            "on_time", "pct_on_time"]
    if df.empty:
        return pd.DataFrame(columns=cols)
    d = _with_labels(df)
    pending = d["pending"].astype(bool)
    decided = _decided(d)
    d = d.assign(one=1, done=(~pending).astype(int), pend=pending.astype(int), decided=decided.astype(int),
                 on_time_n=(decided & d["on_time"].astype(bool)).astype(int),
                 done_days=d["working_days"].astype(float).where(~pending))
    g = d.groupby(["from_label", "to_label"], sort=True).agg(
        transfers=("one", "sum"), completed=("done", "sum"), pending=("pend", "sum"),
        median_working_days=("done_days", "median"), decided=("decided", "sum"), on_time=("on_time_n", "sum"),
    ).reset_index().rename(columns={"from_label": "from_team", "to_label": "to_team"})
    g["pct_on_time"] = [_pct(a, b) for a, b in zip(g["on_time"], g["decided"])]
    g = g.sort_values(["transfers", "from_team", "to_team"], ascending=[False, True, True], kind="mergesort")
    return g[cols].reset_index(drop=True)


def flows_title(table: pd.DataFrame, *, standard: int = 3) -> str:
    if table.empty:
        return "No transfers between teams in the period"
    slow = int((table["median_working_days"] > standard).sum())
    return (f"Transfers between teams: {slow} of {plural(len(table), 'team pair')} take a median of more than "
            f"{standard} working days")


def _translucent(colour: str, alpha: float = 0.6) -> str:
    """``rgb(r, g, b)`` of the palette as ``rgba(r, g, b, alpha)`` (Sankey links overlap)."""
    return colour.replace("rgb(", "rgba(").replace(")", f", {alpha})") if colour.startswith("rgb(") else colour


def flows_figure(table: pd.DataFrame, title: str, *, standard: int = 3, presentation: bool = False,
                 threshold: int = 5, source: str = SOURCE_TIMELINESS) -> go.Figure:
    """Sankey from sending teams (left) to receiving teams (right); link width = transfers.

    A link whose median working days exceed the standard is rose and its hover says "over the
    standard" (never colour alone); the standard is stated on the chart.
    """
    if table.empty:
        return empty_figure(title)
    senders = sorted(table["from_team"].unique())
    receivers = sorted(table["to_team"].unique())
    sent = table.groupby("from_team")["transfers"].sum()
    received = table.groupby("to_team")["transfers"].sum()
    volumes = [int(sent[s]) for s in senders] + [int(received[r]) for r in receivers]
    nodes = ([f"{s} (sending {_count_text(sent[s], presentation, threshold)})" for s in senders]
             + [f"{r} (receiving {_count_text(received[r], presentation, threshold)})" for r in receivers])
    src = [senders.index(s) for s in table["from_team"]]
    tgt = [len(senders) + receivers.index(r) for r in table["to_team"]]
    over = table["median_working_days"] > standard
    colours = [_translucent(ROSE if o else BLUE) for o in over]
    counts = [_count_text(v, presentation, threshold) for v in table["transfers"]]
    medians = ["no completed transfers" if pd.isna(m) else f"median {m:g} working day{'' if m == 1 else 's'}"
               for m in table["median_working_days"]]
    verdict = ["▲ over the standard" if o else ("within the standard" if not pd.isna(m) else "")
               for o, m in zip(over, table["median_working_days"])]
    fig = base_figure(title, height=max(380, 40 * max(len(senders), len(receivers)) + 160))
    fig.add_trace(go.Sankey(
        # Plotly's own layout: senders are sources (left), receivers targets (right), and node heights
        # follow the volumes without overlapping (fixed x/y positions let large nodes overlap).
        arrangement="snap",
        node=dict(label=nodes, pad=14, thickness=16, color=[TEAL] * len(senders) + [GREY] * len(receivers),
                  line=dict(color="white", width=0.5),
                  customdata=[_count_text(v, presentation, threshold) for v in volumes],
                  hovertemplate="%{label}: %{customdata} transfers<extra></extra>"),
        link=dict(source=src, target=tgt, value=table["transfers"].astype(int).tolist(), color=colours,
                  customdata=np.column_stack([counts, medians, verdict]),
                  hovertemplate="%{source.label} → %{target.label}<br>%{customdata[0]} transfers, "
                                "%{customdata[1]} %{customdata[2]}<extra></extra>"),
    ))
    fig.add_annotation(text=standard_label(standard, "working days, median per team pair shown on hover", source)
                       + " · rose links: median over the standard",
                       xref="paper", yref="paper", x=0, y=-0.06, xanchor="left", yanchor="top", showarrow=False,
                       font=dict(color=STANDARD_COLOUR, size=12))
    fig.update_layout(margin=dict(b=60))
    return fig


def flows_summary(table: pd.DataFrame, title: str) -> str:
    if table.empty:
        return aria_summary("Flow diagram", title, "No transfers for these filters")
    top = table.iloc[0]
    return aria_summary("Flow diagram", title, "Links run from sending teams on the left to receiving teams on "
                        "the right, their width the number of transfers",
                        f"Largest flow: {top['from_team']} to {top['to_team']}",
                        "The table download lists every pair with its median working days")


# --------------------------------------------------------------------------- notice and joint visits

def pair_standards_table(df: pd.DataFrame) -> pd.DataFrame:
    """Completed transfers per team pair: % with two weeks' notice and % with a joint visit in time.

    Columns ``pair`` ("A → B"), ``completed``, ``notice_met``, ``notice_pct``, ``joint_met``,
    ``joint_pct``. Worst (lower of the two %) first.
    """
    cols = ["pair", "completed", "notice_met", "notice_pct", "joint_met", "joint_pct"]
    if df.empty:
        return pd.DataFrame(columns=cols)
    d = _with_labels(df[~df["pending"].astype(bool)])
    if d.empty:
        return pd.DataFrame(columns=cols)
    d["pair"] = d["from_label"] + " → " + d["to_label"]
    d = d.assign(one=1, notice=d["notice_ok"].map(lambda v: v is True).astype(int),
                 joint=d["joint_visit_ok"].map(lambda v: v is True).astype(int))
    g = d.groupby("pair", sort=True).agg(completed=("one", "sum"), notice_met=("notice", "sum"),
                                         joint_met=("joint", "sum")).reset_index()
    g["notice_pct"] = [_pct(a, b) for a, b in zip(g["notice_met"], g["completed"])]
    g["joint_pct"] = [_pct(a, b) for a, b in zip(g["joint_met"], g["completed"])]
    g["_worst"] = g[["notice_pct", "joint_pct"]].min(axis=1)
    g = g.sort_values(["_worst", "completed", "pair"], ascending=[True, False, True], kind="mergesort")
    return g[cols].reset_index(drop=True)


def pair_standards_title(table: pd.DataFrame) -> str:
    if table.empty:
        return "Notice and joint visits: no transfers completed in the period"
    n = int(table["completed"].sum())
    notice = _pct(int(table["notice_met"].sum()), n)
    joint = _pct(int(table["joint_met"].sum()), n)
    return (f"{notice:.0f}% of completed transfers had two weeks' notice and {joint:.0f}% a joint visit "
            "in the week before")


def pair_standards_figure(table: pd.DataFrame, title: str, *, notice_days: int = 14, joint_days: int = 7,
                          presentation: bool = False, threshold: int = 5) -> go.Figure:
    """Grouped horizontal bars per team pair: % meeting the notice and the joint-visit standard.

    The two measures differ in colour and in pattern (solid vs dotted), and carry text labels.
    """
    if table.empty:
        return empty_figure(title)
    shown = presentable(table, threshold) if presentation else table
    fig = base_figure(title, height=max(320, 46 * len(table) + 170))
    for pct_col, met_col, name, colour, pattern in (
            ("notice_pct", "notice_met", f"Notice of {notice_days}+ days (source {SOURCE_NOTICE})", BLUE, ""),
            ("joint_pct", "joint_met", f"Joint visit within {joint_days} days before (source {SOURCE_JOINT_VISIT})",
             SAND, ".")):
        pct = pd.to_numeric(shown[pct_col], errors="coerce")
        labels = [TOO_FEW if pd.isna(p) else f"{p:.0f}% ({m} of {c})"
                  for p, m, c in zip(pct, shown[met_col], shown["completed"])]
        fig.add_trace(go.Bar(x=pct.fillna(0), y=table["pair"], orientation="h", name=name, text=labels,
                             textposition="outside", cliponaxis=False,
                             marker=dict(color=colour, pattern=dict(shape=pattern), line=dict(color="white", width=1)),
                             customdata=np.array(labels, dtype=object).reshape(-1, 1),
                             hovertemplate="%{y}: %{customdata[0]}<extra>" + name + "</extra>"))
    add_standard_line(fig, 100, "Standard: every completed transfer", axis="x", position="top left")
    fig.update_layout(barmode="group", bargap=0.25, margin=dict(t=100))
    fig.update_xaxes(title_text="% of completed transfers meeting the standard", range=[0, 140], ticksuffix="%",
                     tickvals=[0, 25, 50, 75, 100])
    fig.update_yaxes(title_text=None, categoryorder="array", categoryarray=table["pair"].tolist(),
                     autorange="reversed", automargin=True)
    return fig


def pair_standards_summary(table: pd.DataFrame, title: str) -> str:
    if table.empty:
        return aria_summary("Bar chart", title, "No completed transfers for these filters")
    worst = table.iloc[0]
    return aria_summary("Bar chart", title, "Two bars per pair of teams: notice given and joint visit, worst first",
                        f"Lowest pair: {worst['pair']} with {_fmt_pct(worst['notice_pct'])} notice and "
                        f"{_fmt_pct(worst['joint_pct'])} joint visits",
                        "The standard is 100% for both")


# --------------------------------------------------------------------------- pending transfers (child level)

PENDING_COLUMNS = ["child_id", "from_team", "to_team", "transfer_point", "requested_date", "working_days",
                   "days_waiting", "verdict"]


def pending_rows(df: pd.DataFrame, *, standard: int = 3) -> pd.DataFrame:
    """Pending transfers for managers, late ones first, then longest waiting.

    Columns :data:`PENDING_COLUMNS`: team and point labels, ``working_days`` waited (standard 3),
    ``days_waiting`` (calendar days), ``verdict`` ("▲ Late" or "Within standard").
    """
    if df.empty:
        return pd.DataFrame(columns=PENDING_COLUMNS)
    d = _with_labels(df[df["pending"].astype(bool)])
    if d.empty:
        return pd.DataFrame(columns=PENDING_COLUMNS)
    out = pd.DataFrame({
        "child_id": d["child_id"].astype(str),
        "from_team": d["from_label"], "to_team": d["to_label"],
        "transfer_point": [POINT_LABELS.get(p, "Not recorded" if p is None else f"Unrecognised: {p}")
                           for p in d["transfer_point"]],
        "requested_date": [r.isoformat() for r in d["requested_date"]],
        "working_days": d["working_days"].astype(int),
        "days_waiting": d["days_waiting"].astype(int),
        "verdict": np.where(d["late"].astype(bool), f"▲ Late (over {standard} working days)", "Within standard"),
    })
    out["_late"] = d["late"].astype(bool).to_numpy()
    out = out.sort_values(["_late", "working_days", "days_waiting", "child_id"], ascending=[False, False, False, True],
                          kind="mergesort")
    return out.drop(columns="_late").reset_index(drop=True)


# --------------------------------------------------------------------------- key-worker changes

def keyworker_table(dist: pd.DataFrame, *, cap: int = 6) -> pd.DataFrame:
    """Children by number of key-worker changes in 12 months, ``cap`` and over pooled.

    Columns ``changes`` (0..cap), ``label`` ("0".."6+"), ``children``. Every value up to ``cap`` is
    present.
    """
    values = np.arange(cap + 1)
    out = pd.DataFrame({"changes": values, "label": [str(v) for v in values[:-1]] + [f"{cap}+"]})
    counts = np.zeros(cap + 1, dtype=int)
    for c, n in zip(dist.get("changes", []), dist.get("children", [])):
        counts[min(int(c), cap)] += int(n)
    out["children"] = counts
    return out


def keyworker_title(table: pd.DataFrame, *, alert: int = 3, presentation: bool = False, threshold: int = 5) -> str:
    total = int(table["children"].sum())
    if total == 0:
        return "No children with a key worker in the 12 months for these filters"
    many = int(table.loc[table["changes"] >= alert, "children"].sum())
    return (f"{_count_text(many, presentation, threshold)} of {_count_text(total, presentation, threshold)} children "
            f"({_pct(many, total):.0f}%) had {alert} or more key-worker changes in 12 months")


def keyworker_figure(table: pd.DataFrame, title: str, *, alert: int = 3, presentation: bool = False,
                     threshold: int = 5, source: str = SOURCE_KEYWORKER) -> go.Figure:
    """Bars of children by changes of key worker; the alert level drawn as a line, bars past it hatched."""
    if int(table["children"].sum()) == 0:
        return empty_figure(title)
    fig = base_figure(title, height=360)
    for flagged, name, colour, pattern in ((False, "Fewer changes", BLUE, ""),
                                           (True, f"▲ {alert} or more changes (listed for managers)", ROSE, "/")):
        part = (table["changes"] >= alert) == flagged
        if not part.any():
            continue
        shown = [_count_text(v, presentation, threshold) for v in table.loc[part, "children"]]
        fig.add_trace(go.Bar(x=table.loc[part, "changes"], y=table.loc[part, "children"], name=name,
                             marker=dict(color=colour, pattern=dict(shape=pattern), line=dict(color="white", width=1)),
                             customdata=np.column_stack([table.loc[part, "label"], shown]),
                             hovertemplate="%{customdata[0]} changes: %{customdata[1]} children<extra></extra>"))
    add_standard_line(fig, alert - 0.5, f"Listed from {alert} changes; standard: as few as possible "
                                        f"(source {source})", axis="x")
    fig.update_xaxes(title_text="Changes of key worker in the 12 months", tickmode="array",
                     tickvals=table["changes"].tolist(), ticktext=table["label"].tolist())
    fig.update_yaxes(title_text="Children", rangemode="tozero", tickformat=",d", showticklabels=not presentation)
    fig.update_layout(bargap=0.1)
    return fig


def keyworker_summary(table: pd.DataFrame, title: str, *, alert: int = 3) -> str:
    if int(table["children"].sum()) == 0:
        return aria_summary("Bar chart", title, "No children for these filters")
    return aria_summary("Bar chart", title, "Bars count children by how many times their key worker changed",
                        f"A dashed line marks {alert} changes, from which children are listed for managers")


KEYWORKER_CHILD_COLUMNS = ["child_id", "changes", "allocations", "last_change", "team"]


def keyworker_child_rows(kids: pd.DataFrame) -> pd.DataFrame:
    """Children with many key-worker changes, for managers: most changes first."""
    if kids.empty:
        return pd.DataFrame(columns=KEYWORKER_CHILD_COLUMNS)
    return pd.DataFrame({
        "child_id": kids["child_id"].astype(str),
        "changes": kids["changes"].astype(int),
        "allocations": kids["allocations"].astype(int),
        "last_change": [d.isoformat() if d is not None else "" for d in kids["last_change"]],
        "team": [team_label(i, n) for i, n in zip(kids["team_id"], kids["team_name"])],
    })[KEYWORKER_CHILD_COLUMNS].reset_index(drop=True)


# --------------------------------------------------------------------------- exclusions

def exclusions_table(ex: pd.DataFrame) -> pd.DataFrame:
    """Rows the standards cannot judge, by reason, as shown on the page: ``reason``, ``applies_to``, ``rows``."""
    if ex.empty:
        return pd.DataFrame(columns=["reason", "applies_to", "rows"])
    out = ex[["reason", "applies_to", "rows"]].copy()
    out["reason"] = out["reason"].str[:1].str.upper() + out["reason"].str[1:]
    return out.reset_index(drop=True)


def exclusions_text(ex: pd.DataFrame, *, presentation: bool = False, threshold: int = 5) -> str:
    """One sentence for the page: how many rows each figure leaves out."""
    if ex.empty:
        return "No transfer or allocation rows were excluded for these filters."
    main = ex[ex["applies_to"] == "all transfer figures"]["rows"].sum()
    return (f"{_count_text(int(main), presentation, threshold)} transfer rows could not be judged against the "
            "standards and are left out of every transfer figure; reasons below.")


__all__ = [
    "POINT_LABELS", "presentable", "team_label",
    "working_days_table", "working_days_title", "working_days_figure", "working_days_summary",
    "on_time_table", "on_time_title", "on_time_figure", "on_time_summary",
    "month_starts", "monthly_table", "MONTHLY_TITLE", "monthly_finding", "monthly_figure", "monthly_summary",
    "flows_table", "flows_title", "flows_figure", "flows_summary",
    "pair_standards_table", "pair_standards_title", "pair_standards_figure", "pair_standards_summary",
    "PENDING_COLUMNS", "pending_rows",
    "keyworker_table", "keyworker_title", "keyworker_figure", "keyworker_summary",
    "KEYWORKER_CHILD_COLUMNS", "keyworker_child_rows", "exclusions_table", "exclusions_text",
]
