"""Transfers page figures (docs/DEFINITIONS.md "Transfers"): timeliness, flows, notice and joint visits, key-worker
changes.

Every chart has a table builder (``transfers(db, f)`` rows -> the exact numeric table the chart
draws), a disclosure step (``*_shown``: which of its counts the view may show, as a :class:`Shown`)
and a figure builder (a :class:`Shown` -> a ``PlainFigure``). Outside presentation mode a
:class:`Shown` is the exact table; in presentation mode it comes from one
:meth:`~dashboard.disclosure.Disclosure.secondary_relations` ledger per chart, holding every count
the chart prints, draws or downloads, the sums that tie them (a row and its total, bars adding up to
a count in the title, a complement nobody prints such as late = judged - on time) and the page's
totals as the tiles show them (:func:`page_totals`), so that no hidden count can be worked back.
Percentages, medians and verdicts of a hidden count are hidden too, hidden bars are not drawn, and
rows whose percentage is hidden go last (their place in a ranking would bound it).

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

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import cast

import numpy as np
import pandas as pd

from dashboard.disclosure import Disclosure
from dashboard.theme import BLUE, GREY, ROSE, SAND, STANDARD_COLOUR, TEAL
from data_layer.engine import text_or_none
from data_layer.metrics.transfer_timeliness import timeliness
from data_layer.standards import cite
from data_layer.vocabulary import TRANSFER_POINTS

from .common import (
    LEGEND_BELOW,
    TITLE_CHARS,
    Figure,
    add_standard_line,
    aria_summary,
    base_figure,
    count_axis,
    customdata_rows,
    drawn_top,
    empty_figure,
    nice_step,
    plural,
    standard_label,
    title_layout,
    wrap_title,
)
from .plain import plain_subplots

SOURCE_TIMELINESS = "003"
SOURCE_NOTICE = "004"
SOURCE_JOINT_VISIT = "003"
SOURCE_KEYWORKER = "003/004"


TOO_FEW = "too few to show"
EXACT = Disclosure()


def _pct(num, den) -> float:
    return float(100.0 * num / den) if den else float("nan")


def _fmt_pct(p) -> str:
    return "–" if p is None or pd.isna(p) else f"{p:.0f}%"


def _missing(v) -> bool:
    return v is None or (isinstance(v, float) and np.isnan(v)) or v is pd.NA


def team_labels(team_ids: pd.Series, team_names: pd.Series) -> pd.Series:
    """Each row's team name, else its id, else "No team recorded" (never a blank axis label).

    Whole columns at once: a function called per row (``team_label``, until issue 17) took about
    0.8 s of the 5 s transfers callback at 1,000,000 children, labelling every transfer four times."""

    def usable(values: pd.Series) -> pd.Series:
        text = text_or_none(values)
        return text.where(text.notna() & (text != ""), None)

    return usable(team_names).fillna(usable(team_ids)).fillna("No team recorded")


def _with_labels(df: pd.DataFrame) -> pd.DataFrame:
    out = df.copy()
    out["from_label"] = team_labels(out["from_team"], out["from_team_name"])
    out["to_label"] = team_labels(out["to_team"], out["to_team_name"])
    return out


def _decided(df: pd.DataFrame) -> pd.Series:
    """Transfers with a verdict: completed, or pending and already late."""
    return (~df["pending"].astype(bool)) | df["late"].astype(bool)


# --------------------------------------------------------------------------- what a view may show


class Shown:
    """A chart's table with the fate of each count: exact, or hidden (and then not drawn).

    Cells are keyed ``(row, column)`` (the table has a 0..n-1 index); ``extra`` holds counts that
    are not cells of the table (a total in the title) under keys of their own. Every text comes
    from the :class:`~dashboard.disclosure.Disclosure`, so nothing here formats a mark itself.
    """

    def __init__(
        self, table: pd.DataFrame, d: Disclosure | None = None, hidden: Iterable = (), extra: Mapping | None = None
    ):
        self.table = table.reset_index(drop=True)
        self.d = d or EXACT
        self.hidden = frozenset(hidden) if self.d.active else frozenset()
        self.extra = dict(extra or {})

    @property
    def active(self) -> bool:
        return self.d.active

    def value(self, key):
        return self.extra[key] if key in self.extra else self.table.at[key[0], key[1]]

    def hides(self, key) -> bool:
        return key in self.hidden

    def text(self, key) -> str:
        return self.d.cell_text(self.value(key), self.hides(key))

    def drawn(self, key) -> float | None:
        v = self.value(key)
        return None if self.hides(key) or _missing(v) else float(v)

    def share_hidden(self, num, den) -> bool:
        """A share is hidden with its numerator or denominator, or when its complement is small."""
        return self.active and (
            self.hides(num) or self.hides(den) or self.d.hides_share(self.value(num), self.value(den))
        )

    def share(self, num, den) -> str:
        return self.d.mark if self.share_hidden(num, den) else self.d.share(self.value(num), self.value(den))

    def share_value(self, num, den) -> float | None:
        return None if self.share_hidden(num, den) else self.d.share_value(self.value(num), self.value(den))

    def derived_hidden(self, parts: Sequence) -> bool:
        """A statistic of the counts ``parts`` (a median of completed transfers) is hidden with any of them."""
        return self.active and any(self.hides(p) or self.d.small(self.value(p)) for p in parts)

    def reorder(self, order: Sequence[int]) -> Shown:
        """The same cells with the rows in ``order`` (hidden rows last, so a ranking bounds nothing)."""
        where = {old: new for new, old in enumerate(order)}
        hidden = {
            (where[int(k[0])], k[1])
            if isinstance(k, tuple) and len(k) == 2 and isinstance(k[0], (int, np.integer)) and k[0] in where
            else k
            for k in self.hidden
        }
        return Shown(self.table.iloc[list(order)], self.d, hidden, self.extra)

    def csv(
        self,
        counts: Sequence[str] = (),
        *,
        shares: Mapping[str, tuple[str, str]] | None = None,
        derived: Mapping[str, Sequence[str]] | None = None,
        drop: Sequence[str] = (),
    ) -> pd.DataFrame:
        """What "Download CSV" gives: the table itself, or in presentation mode exactly what is displayed.

        ``counts``: count columns (hidden cells as their mark); ``shares``: column -> (numerator,
        denominator) columns; ``derived``: column -> count columns it is computed from; ``drop``:
        columns not displayed (they would allow a back-calculation).
        """
        if not self.active:
            return self.table
        out = self.table.copy().astype(object)
        for c in counts:
            if c in out.columns:
                out[c] = [self.d.cell_text(v, (i, c) in self.hidden, commas=False) for i, v in enumerate(self.table[c])]
        for col, (num, den) in (shares or {}).items():
            if col in out.columns:
                out[col] = [
                    self.d.mark if self.share_hidden((i, num), (i, den)) else v for i, v in enumerate(self.table[col])
                ]
        for col, parts in (derived or {}).items():
            if col in out.columns:
                out[col] = [
                    self.d.mark if self.derived_hidden([(i, p) for p in parts]) else v
                    for i, v in enumerate(self.table[col])
                ]
        return out.drop(columns=[c for c in drop if c in out.columns])


def _order_shown_first(s: Shown, shown_row, name_col: str) -> Shown:
    """Presentation order: rows whose figure is shown keep their order; the others follow by name."""
    if not s.active or s.table.empty:
        return s
    first = [i for i in range(len(s.table)) if shown_row(i)]
    rest = sorted((i for i in range(len(s.table)) if not shown_row(i)), key=lambda i: str(s.table.at[i, name_col]))
    return s.reorder(first + rest)


# --------------------------------------------------------------------------- page totals (the tiles)

#: Page totals, as the tiles show them (or as a reader works them out from the tiles).
TILE_KEYS = ("done", "on_time", "pending", "late_pending", "notice", "joint", "keyworker_many")
TOTAL_RELATIONS = (
    ("done", "on_time", "late_done"),  # completed = on time + late
    ("pending", "late_pending", "pending_in_time"),
    ("transfers", "done", "pending"),
    ("late", "late_done", "late_pending"),
    ("decided", "on_time", "late"),  # judged = on time + late (pending ones late already)
    ("decided", "done", "late_pending"),
    ("done", "notice", "notice_not"),
    ("done", "joint", "joint_not"),
)


def _all(key: str) -> tuple:
    return ("all", key)


@dataclass(frozen=True, eq=False)
class Totals:
    """The page's totals and which of them the tiles hide (every chart that adds up to one must agree)."""

    values: Mapping[str, int]
    hidden: frozenset
    d: Disclosure

    def text(self, key: str) -> str:
        return self.d.cell_text(self.values[key], key in self.hidden)

    def share_hidden(self, num: str, den: str) -> bool:
        return self.d.active and (
            num in self.hidden or den in self.hidden or self.d.hides_share(self.values[num], self.values[den])
        )

    def share(self, num: str, den: str) -> str:
        return self.d.mark if self.share_hidden(num, den) else self.d.share(self.values[num], self.values[den])

    def of(self, num: str, den: str, noun: str | None = None) -> str:
        text = f"{self.text(num)} of {self.text(den)}"
        return f"{text} {noun}" if noun else text

    def ledger(self) -> tuple[dict, list, set, set]:
        """The totals as cells of a chart's ledger: values, the sums between them, shown (fixed) and hidden."""
        values = {_all(k): v for k, v in self.values.items()}
        relations = [tuple(_all(k) for k in r) for r in TOTAL_RELATIONS]
        shown = [k for k in TILE_KEYS if k in self.values]
        fixed = {_all(k) for k in shown if k not in self.hidden}
        secret = {_all(k) for k in shown if k in self.hidden}
        return values, relations, fixed, secret


def page_totals(rows: pd.DataFrame, d: Disclosure | None = None, *, keyworker_many: int | None = None) -> Totals:
    """Completed, on time, pending, late, notice and joint-visit totals, with the tiles' disclosure.

    The tiles show completed, on time (of completed), pending, pending already late, and the
    notice and joint-visit percentages of completed; the complements (late, pending in time, no
    notice) are what a reader works out from them, so a small complement hides a shown total too.
    """
    d = d or EXACT
    done = rows[~rows["pending"].astype(bool)] if not rows.empty else rows
    t = timeliness(rows)  # the Overview's transfer tiles count the same way
    v = {
        "done": t.completed,
        "on_time": t.on_time,
        "pending": t.pending,
        "late_pending": t.pending_late,
        "notice": int(done["notice_ok"].map(lambda x: x is True).sum()) if len(done) else 0,
        "joint": int(done["joint_visit_ok"].map(lambda x: x is True).sum()) if len(done) else 0,
    }
    v.update(
        late_done=v["done"] - v["on_time"],
        pending_in_time=v["pending"] - v["late_pending"],
        transfers=v["done"] + v["pending"],
        notice_not=v["done"] - v["notice"],
        joint_not=v["done"] - v["joint"],
    )
    v.update(late=v["late_done"] + v["late_pending"], decided=v["done"] + v["late_pending"])
    if keyworker_many is not None:
        v["keyworker_many"] = int(keyworker_many)
    shown = [_all(k) for k in TILE_KEYS if k in v]
    hidden = d.secondary_relations(
        {_all(k): n for k, n in v.items()}, [tuple(_all(k) for k in r) for r in TOTAL_RELATIONS], shown=shown
    )
    return Totals(values=v, hidden=frozenset(k[1] for k in hidden), d=d)


def _solve(
    d: Disclosure,
    totals: Totals | None,
    cells: dict,
    relations: list,
    shown: Iterable,
    cost: Mapping | None = None,
    fixed: Iterable = (),
) -> set:
    """The chart's cells to hide, with the page totals as the tiles show them in the same ledger.

    ``fixed``: counts of the chart shown elsewhere with primary suppression only (a note)."""
    if totals is None:
        return d.secondary_relations(cells, relations, shown=shown, cost=cost, fixed=fixed)
    values, rels, tile_fixed, secret = totals.ledger()
    return d.secondary_relations(
        {**values, **cells},
        [*rels, *relations],
        shown=set(shown),
        fixed=tile_fixed | set(fixed),
        secret=secret,
        cost=cost,
    )


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


def working_days_shown(
    table: pd.DataFrame, d: Disclosure | None = None, totals: Totals | None = None, *, standard: int = 3
) -> Shown:
    """Which bars may be drawn: each bin's completed and pending counts, against the totals in the
    title and tiles (completed, on time, pending, late). The bins' own totals are not displayed."""
    d = d or EXACT
    if not d.active or table.empty:
        return Shown(table, d)
    t = table.reset_index(drop=True)
    cap = int(t["working_days"].max())
    cells: dict[tuple, int] = {}
    rels: list[tuple] = []
    shown: set[tuple] = set()
    for i, r in t.iterrows():
        for c in ("completed", "pending", "transfers"):
            cells[(i, c)] = int(r[c])
        shown |= {(i, "completed"), (i, "pending")}
        rels.append(((i, "transfers"), (i, "completed"), (i, "pending")))
    early = [i for i in t.index if t.at[i, "working_days"] <= standard and t.at[i, "working_days"] < cap]
    late = [i for i in t.index if i not in early]
    rels += [
        (_all("done"), *[(i, "completed") for i in t.index]),
        (_all("pending"), *[(i, "pending") for i in t.index]),
        (_all("transfers"), *[(i, "transfers") for i in t.index]),
    ]
    if standard < cap:
        rels += [
            (_all("on_time"), *[(i, "completed") for i in early]),
            (_all("late_done"), *[(i, "completed") for i in late]),
            (_all("pending_in_time"), *[(i, "pending") for i in early]),
            (_all("late_pending"), *[(i, "pending") for i in late]),
        ]
    return Shown(t, d, _solve(d, totals, cells, rels, shown))


def working_days_csv(shown: Shown) -> pd.DataFrame:
    return shown.csv(["completed", "pending", "transfers"], drop=["transfers"])


def working_days_title(rows_or_totals, *, standard: int = 3) -> str:
    """ "4 of 6 completed transfers (67%) took 3 working days or fewer", from the page totals."""
    totals = rows_or_totals if isinstance(rows_or_totals, Totals) else page_totals(rows_or_totals)
    if totals.values["done"] == 0:
        return f"No transfers completed in the period (standard: {standard} working days)"
    pct = "" if totals.share_hidden("on_time", "done") else f" ({totals.share('on_time', 'done')})"
    return f"{totals.of('on_time', 'done', 'completed transfers')}{pct} took {standard} working days or fewer"


def working_days_figure(
    shown: Shown | pd.DataFrame,
    title: str,
    *,
    standard: int = 3,
    source: str = SOURCE_TIMELINESS,
    window: str = "12 months",
) -> Figure:
    """Bars of transfers by working days, side by side: completed (blue) and still pending (sand), both solid.

    Pending bars stood hatched on top of completed ones, slivers a few pixels high: beside them, each
    with its count written over it, a handful of pending transfers is as readable as hundreds done.
    """
    s = shown if isinstance(shown, Shown) else Shown(shown)
    table = s.table
    if table.empty or int(table["transfers"].sum()) == 0:
        return empty_figure(title, f"No transfers requested in the {window} or pending for these filters")
    fig = base_figure(title, height=380)
    for col, name, colour in (
        ("completed", "Completed: working days taken", BLUE),
        ("pending", "Pending: working days waited so far", SAND),
    ):
        kind = name.split(":")[0].lower()
        drawn = [s.drawn((i, col)) for i in range(len(table))]
        fig.add_trace(
            dict(
                type="bar",
                x=table["working_days"].tolist(),
                y=drawn,
                name=name,
                hovertext=[f"{lab} working days: {s.text((i, col))} {kind}" for i, lab in enumerate(table["label"])],
                marker=dict(color=colour, line=dict(color="white", width=1)),
                hovertemplate="%{hovertext}<extra></extra>",
                text=[f"{s.text((i, col))} pending" if col == "pending" and v else "" for i, v in enumerate(drawn)],
                textposition="outside",
                cliponaxis=False,
            )
        )
    add_standard_line(fig, standard + 0.5, standard_label(standard, "working days", source), axis="x")
    fig.update_layout(barmode="group", bargap=0.15, bargroupgap=0.05)
    fig.update_xaxes(
        {"title": {"text": "Working days from request (bank holidays excluded)"}},
        tickmode="array",
        tickvals=table["working_days"].tolist(),
        ticktext=table["label"].tolist(),
    )
    fig.update_yaxes({"title": {"text": "Transfers"}}, **count_axis(drawn_top(fig)))
    if s.active:
        fig.update_yaxes({"title": {"text": "Transfers (counts not shown)"}}, showticklabels=False)
    return fig


def working_days_summary(table: pd.DataFrame, title: str, *, standard: int = 3) -> str:
    if table.empty or int(table["transfers"].sum()) == 0:
        return aria_summary("Bar chart", title, "No transfers for these filters")
    return aria_summary(
        "Bar chart",
        title,
        "Bars count transfers by working days from request to completion, or waited so far for pending transfers",
        f"A dashed line marks the standard of {standard} working days; bars to its right are late",
    )


# --------------------------------------------------------------------------- % on time by group

ON_TIME_COUNTS = ("transfers", "decided", "on_time", "late", "pending_in_time")


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
        d = d[d["transfer_point"].isin(TRANSFER_POINTS.codes)].copy()
        d["group"] = d["transfer_point"].map(TRANSFER_POINTS.labels())
    else:
        raise ValueError(f"by must be 'to_team' or 'transfer_point', got {by!r}")
    if d.empty:
        return pd.DataFrame(columns=cols)
    decided = _decided(d)
    d = d.assign(
        decided=decided.astype(int),
        on_time_n=(decided & d["on_time"].astype(bool)).astype(int),
        late_n=d["late"].astype(bool).astype(int),
        in_time=(~decided).astype(int),
        one=1,
    )
    g = (
        d.groupby("group", sort=True)
        .agg(
            transfers=("one", "sum"),
            decided=("decided", "sum"),
            on_time=("on_time_n", "sum"),
            late=("late_n", "sum"),
            pending_in_time=("in_time", "sum"),
        )
        .reset_index()
    )
    g["pct_on_time"] = [_pct(a, b) for a, b in zip(g["on_time"], g["decided"], strict=False)]
    g = g.sort_values(
        ["pct_on_time", "decided", "group"], ascending=[True, False, True], na_position="last", kind="mergesort"
    )
    return g[cols].reset_index(drop=True)


def on_time_shown(
    table: pd.DataFrame, d: Disclosure | None = None, totals: Totals | None = None, *, left_out: int | None = None
) -> Shown:
    """Which counts of the on-time chart may be shown (label: on time of judged; hover: late, pending).

    Per group, judged = on time + late and transfers = judged + pending in time (transfers is not
    displayed in presentation mode). By receiving team (``left_out is None``) the columns add up to
    the page totals; by transfer point they do with the ``left_out`` rows (no or an unknown point).
    Groups whose percentage is hidden are listed last, by name.
    """
    d = d or EXACT
    if not d.active or table.empty:
        return Shown(table, d)
    t = table.reset_index(drop=True)
    cells: dict[tuple, int] = {}
    rels: list[tuple] = []
    shown: set[tuple] = set()
    for i, r in t.iterrows():
        for c in ON_TIME_COUNTS:
            cells[(i, c)] = int(r[c])
        shown |= {(i, c) for c in ("decided", "on_time", "late", "pending_in_time")}
        rels += [
            ((i, "transfers"), (i, "decided"), (i, "pending_in_time")),
            ((i, "decided"), (i, "on_time"), (i, "late")),
        ]
    if left_out is None:
        total_of = {
            "transfers": "transfers",
            "decided": "decided",
            "on_time": "on_time",
            "late": "late",
            "pending_in_time": "pending_in_time",
        }
        rels += [(_all(total_of[c]), *[(i, c) for i in t.index]) for c in ON_TIME_COUNTS]
    else:
        cells[("point", "left_out")] = int(left_out)
        rels.append((_all("transfers"), ("point", "left_out"), *[(i, "transfers") for i in t.index]))
    s = Shown(t, d, _solve(d, totals, cells, rels, shown, fixed=[("point", "left_out")]))
    return _order_shown_first(s, lambda i: not s.share_hidden((i, "on_time"), (i, "decided")), "group")


def on_time_csv(shown: Shown) -> pd.DataFrame:
    return shown.csv(ON_TIME_COUNTS, shares={"pct_on_time": ("on_time", "decided")}, drop=["transfers"])


def on_time_labels(shown: Shown) -> list[str]:
    """Each bar's label: "60% (3 of 5)"; without the percentage when it is hidden ("<5 of 9")."""
    out = []
    for i in range(len(shown.table)):
        on_time, decided = (i, "on_time"), (i, "decided")
        counts = f"{shown.text(on_time)} of {shown.text(decided)}"
        if not shown.share_hidden(on_time, decided):
            out.append(f"{_fmt_pct(shown.table.at[i, 'pct_on_time'])} ({counts})")
        elif shown.d.small(shown.value(decided)):
            out.append(TOO_FEW)
        else:
            out.append(counts)
    return out


def on_time_title(table: pd.DataFrame, subject: str, *, standard: int = 3) -> str:
    """How many groups transferred some cases late (groups, not children: no count of people)."""
    judged = table[table["decided"].astype(int) > 0] if not table.empty else table
    if judged.empty:
        return f"Transfers on time by {subject}: none judged yet"
    below = int((judged["late"].astype(int) > 0).sum())
    groups = f"{subject[:1].upper()}{subject[1:]}s"
    return f"{groups} with transfers over {standard} working days: {below} out of {len(judged)}"


#: At most this many groups (receiving teams, transfer points) get a bar, worst first: a national
#: database has hundreds of teams, a chart of them all was 280 KB and unreadable; the CSV has every one.
GROUP_CAP = 30
#: At most this many team pairs are drawn as Sankey links, the largest: 4,052 pairs were 480 KB.
FLOW_CAP = 40


def on_time_figure(
    shown: Shown | pd.DataFrame,
    title: str,
    *,
    axis_title: str,
    standard: int = 3,
    source: str = SOURCE_TIMELINESS,
    cap: int = GROUP_CAP,
) -> Figure:
    """Horizontal bars of % on time per group, labelled "% (on time of judged)", 100% standard line.

    A hidden percentage draws no bar; its label says what may be shown. Only the first ``cap``
    groups (the table's order: lowest share on time first, hidden ones last) are drawn, and the
    chart says so; the CSV (``on_time_csv``) has every group.
    """
    s = shown if isinstance(shown, Shown) else Shown(shown)
    table = s.table
    if table.empty:
        return empty_figure(title)
    drawn = min(len(table), cap)  # worst first: the groups that most need a look are the ones drawn
    labels = on_time_labels(s)[:drawn]
    groups = table["group"].tolist()[:drawn]
    x = []
    for i in range(drawn):
        v = s.share_value((i, "on_time"), (i, "decided"))
        x.append(None if v is None and s.share_hidden((i, "on_time"), (i, "decided")) else (v or 0.0))
    hover = [
        (f"{g}: too few judged transfers to show" if lab == TOO_FEW else f"{g}: {lab} on time")
        + f"; late {s.text((i, 'late'))}; pending within the standard {s.text((i, 'pending_in_time'))}"
        for i, (g, lab) in enumerate(zip(groups, labels, strict=False))
    ]
    fig = base_figure(title, height=max(300, 34 * drawn + 150))
    fig.add_trace(
        dict(
            type="bar",
            x=x,
            y=groups,
            orientation="h",
            name="% on time",
            marker=dict(color=BLUE, line=dict(color="white", width=1)),
            hovertext=hover,
            hovertemplate="%{hovertext}<extra></extra>",
        )
    )
    # Labels in a column right of the 100% line, so the line never runs through them.
    fig.add_trace(
        dict(
            type="scatter",
            x=[102] * drawn,
            y=groups,
            mode="text",
            text=labels,
            textposition="middle right",
            hoverinfo="skip",
            showlegend=False,
            cliponaxis=False,
        )
    )
    # The line is labelled above the plot area, where the words cannot cover bars or their labels.
    add_standard_line(fig, 100, "", axis="x")
    capped = (
        f"<br>The first {drawn} of {len(table):,}, lowest share on time first, are drawn; the CSV has all."
        if drawn < len(table)
        else ""
    )
    fig.add_annotation(
        text=f"Dashed line: the standard,<br>every transfer within {standard} working days ({cite(source)})" + capped,
        xref="paper",
        yref="paper",
        x=0,
        y=1.0,
        xanchor="left",
        yanchor="bottom",
        yshift=4,
        align="left",
        showarrow=False,
        font=dict(color=STANDARD_COLOUR, size=12),
    )
    fig.update_xaxes(
        {"title": {"text": "% of judged transfers on time"}},
        range=[0, 165],
        ticksuffix="%",
        tickvals=[0, 25, 50, 75, 100],
    )
    fig.update_yaxes(
        {"title": {"text": axis_title}},
        categoryorder="array",
        categoryarray=groups,
        autorange="reversed",
        automargin=True,
    )
    fig.update_layout(showlegend=False, margin=dict(t=115 + 18 * bool(capped)))
    return fig


def on_time_summary(shown: Shown | pd.DataFrame, title: str, subject: str) -> str:
    s = shown if isinstance(shown, Shown) else Shown(shown)
    table = s.table
    judged = [i for i in range(len(table)) if int(table.at[i, "decided"]) > 0]
    if not judged:
        return aria_summary("Bar chart", title, f"No transfers judged by {subject}")
    visible = [i for i in judged if not s.share_hidden((i, "on_time"), (i, "decided"))]
    facts = [f"One bar per {subject}, worst first"]
    if visible:
        worst, best = visible[0], visible[-1]
        facts += [
            f"Lowest: {table.at[worst, 'group']} at {_fmt_pct(table.at[worst, 'pct_on_time'])}",
            f"Highest: {table.at[best, 'group']} at {_fmt_pct(table.at[best, 'pct_on_time'])}",
        ]
    if len(visible) < len(judged):
        facts.append(f"Percentages of {subject}s with too few transfers to show are not drawn; they are listed last")
    facts.append("The standard is 100%: every transfer within the working-day limit")
    return aria_summary("Bar chart", title, *facts)


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
    charts). ``median_working_days`` is over the month's ``completed`` transfers. Every month is
    present. Columns ``month``, ``transfers``, ``decided``, ``on_time``, ``pct_on_time``,
    ``completed``, ``median_working_days``.
    """
    months = month_starts(window_start, as_at)
    base = pd.DataFrame({"month": months})
    cols = ["month", "transfers", "decided", "on_time", "pct_on_time", "completed", "median_working_days"]
    if df.empty:
        base["transfers"] = base["decided"] = base["on_time"] = base["completed"] = 0
        base["pct_on_time"] = base["median_working_days"] = float("nan")
        return base[cols]
    d = df[df["requested_date"].map(lambda r: r >= window_start)].copy()
    decided = _decided(d)
    d["decided"] = decided.astype(int)
    d["on_time_n"] = (decided & d["on_time"].astype(bool)).astype(int)
    d["done"] = (~d["pending"].astype(bool)).astype(int)
    d["done_days"] = d["working_days"].astype(float).where(~d["pending"].astype(bool))
    d["one"] = 1
    g = (
        d.groupby("request_month")
        .agg(
            transfers=("one", "sum"),
            decided=("decided", "sum"),
            on_time=("on_time_n", "sum"),
            completed=("done", "sum"),
            median_working_days=("done_days", "median"),
        )
        .reset_index()
    )
    out = base.merge(g.rename(columns={"request_month": "month"}), on="month", how="left")
    for col in ("transfers", "decided", "on_time", "completed"):
        out[col] = out[col].fillna(0).astype(int)
    out["pct_on_time"] = [_pct(a, b) for a, b in zip(out["on_time"], out["decided"], strict=False)]
    return out[cols]


MONTHLY_TITLE = "Transfers on time, by month of request"
MONTH_TOTALS = (("m", "decided"), ("m", "on_time"))


def monthly_shown(table: pd.DataFrame, d: Disclosure | None = None, totals: Totals | None = None) -> Shown:
    """Which monthly counts may be shown: requests (bars), on time of judged (hover), and the
    12-month share in the finding. Not displayed: late (judged - on time), pending in time
    (requests - judged) and completed (the median's count)."""
    d = d or EXACT
    t = table.reset_index(drop=True)
    extra = {
        ("m", "decided"): int(t["decided"].sum()) if len(t) else 0,
        ("m", "on_time"): int(t["on_time"].sum()) if len(t) else 0,
    }
    if not d.active or t.empty:
        return Shown(t, d, extra=extra)
    cells: dict[tuple, int] = dict(extra)
    rels: list[tuple] = []
    shown = set(MONTH_TOTALS)
    cells[("m", "late")] = extra[("m", "decided")] - extra[("m", "on_time")]
    for i, r in t.iterrows():
        cells.update(
            {
                (i, "transfers"): int(r["transfers"]),
                (i, "decided"): int(r["decided"]),
                (i, "on_time"): int(r["on_time"]),
                (i, "late"): int(r["decided"] - r["on_time"]),
                (i, "pending_in_time"): int(r["transfers"] - r["decided"]),
            }
        )
        shown |= {(i, "transfers"), (i, "decided"), (i, "on_time")}
        rels += [
            ((i, "decided"), (i, "on_time"), (i, "late")),
            ((i, "transfers"), (i, "decided"), (i, "pending_in_time")),
        ]
    rels += [
        (("m", "decided"), *[(i, "decided") for i in t.index]),
        (("m", "on_time"), *[(i, "on_time") for i in t.index]),
        (("m", "decided"), ("m", "on_time"), ("m", "late")),
    ]
    if totals is not None:
        rels.append((_all("on_time"), ("m", "on_time")))  # every completed transfer was requested in the window
    return Shown(t, d, _solve(d, totals, cells, rels, shown), extra=extra)


def monthly_csv(shown: Shown) -> pd.DataFrame:
    return shown.csv(
        ["transfers", "decided", "on_time", "completed"],
        shares={"pct_on_time": ("on_time", "decided")},
        derived={"median_working_days": ["completed"]},
        drop=["completed"],
    )


def monthly_finding(shown: Shown | pd.DataFrame, window: str = "12 months") -> str:
    s = shown if isinstance(shown, Shown) else monthly_shown(shown)
    table = s.table
    if table.empty or int(table["decided"].sum()) == 0:
        return "No transfers judged in the period"
    visible = [
        i
        for i in range(len(table))
        if int(table.at[i, "decided"]) > 0 and not s.share_hidden((i, "on_time"), (i, "decided"))
    ]
    if s.share_hidden(("m", "on_time"), ("m", "decided")):
        overall = f"Too few transfers to show the share on time over {window}"
    else:
        overall = f"{s.share(('m', 'on_time'), ('m', 'decided'))} on time over {window}"
    if not visible:
        return overall + ("; monthly shares not shown (too few transfers)" if s.active else "")
    last = visible[-1]
    return f"{overall}; {_fmt_pct(table.at[last, 'pct_on_time'])} in {table.at[last, 'month']:%B %Y}"


def monthly_figure(
    shown: Shown | pd.DataFrame,
    finding: str,
    *,
    standard: int = 3,
    source: str = SOURCE_TIMELINESS,
    window: str = "12 months",
) -> Figure:
    """% on time per request month (line, left axis, standard at 100%) over requests (bars, right axis)."""
    s = shown if isinstance(shown, Shown) else Shown(shown)
    table = s.table
    if table.empty or int(table["transfers"].sum()) == 0:
        return empty_figure(MONTHLY_TITLE, f"No transfers requested in the {window} for these filters")
    n = len(table)
    x = pd.to_datetime(table["month"]).tolist()
    bars = [s.drawn((i, "transfers")) for i in range(n)]
    pct = [s.share_value((i, "on_time"), (i, "decided")) for i in range(n)]
    months = [f"{m:%B %Y}" for m in table["month"]]
    fig = plain_subplots(specs=[[{"secondary_y": True}]])
    fig.add_trace(
        dict(
            type="bar",
            x=x,
            y=bars,
            name="Transfers requested (right axis)",
            marker=dict(color=GREY, opacity=0.35),
            hovertext=[f"{m}: {s.text((i, 'transfers'))} requested" for i, m in enumerate(months)],
            hovertemplate="%{hovertext}<extra></extra>",
        ),
        secondary_y=True,
    )
    line_hover = [
        f"{m}: {_fmt_pct(p)} on time ({s.text((i, 'on_time'))} of {s.text((i, 'decided'))})"
        if p is not None
        else f"{m}: share on time not shown"
        for i, (m, p) in enumerate(zip(months, pct, strict=False))
    ]
    fig.add_trace(
        dict(
            type="scatter",
            x=x,
            y=pct,
            name="% on time (left axis)",
            mode="lines+markers",
            line=dict(color=BLUE, width=3),
            marker=dict(size=7, symbol="circle"),
            hovertext=line_hover,
            hovertemplate="%{hovertext}<extra></extra>",
        ),
        secondary_y=False,
    )
    add_standard_line(
        fig, 100, f"Standard: every transfer within {standard} working days ({cite(source)})", position="bottom left"
    )
    # Both axes tick at the same heights, in round numbers: the left every 20% to 100%, the right
    # every `step` requests (1, 2, 5 x 10^k) with 5 steps above the tallest bar, so the bars top out
    # below the 100% line and its label. Plotly's own sync gave the right axis 16/33/49/66/82.
    top = max([b for b in bars if b is not None] + [1])
    step = nice_step(top * 1.15, PCT_STEPS)
    fig.update_yaxes(
        {"title": {"text": "% on time"}}, range=[0, 110], ticksuffix="%", tickmode="linear", dtick=20, secondary_y=False
    )
    fig.update_yaxes(
        {"title": {"text": "Transfers requested"}},
        range=[0, step * PCT_STEPS * 1.1],
        tickmode="linear",
        tick0=0,
        dtick=step,
        tickformat=",d",
        showgrid=False,
        showticklabels=not s.active,
        secondary_y=True,
    )
    fig.update_xaxes({"title": {"text": "Month of request"}}, dtick="M1", tickformat="%b %Y")
    fig.update_layout(
        title=title_layout(MONTHLY_TITLE, finding),
        height=480,
        margin=dict(t=110),
        legend=LEGEND_BELOW,
    )
    return fig


#: The monthly chart's left axis: 0-100% in 5 steps of 20.
PCT_STEPS = 5


def monthly_summary(shown: Shown | pd.DataFrame, finding: str) -> str:
    s = shown if isinstance(shown, Shown) else Shown(shown)
    table = s.table
    shares = [s.share_value((i, "on_time"), (i, "decided")) for i in range(len(table))]
    pcts = [p for p in shares if p is not None]
    if table.empty or not pcts:
        return aria_summary(
            "Line chart",
            MONTHLY_TITLE,
            finding if not table.empty else "No transfers judged",
            "No monthly share on time to show",
        )
    return aria_summary(
        "Line chart",
        MONTHLY_TITLE,
        finding,
        f"Monthly from {table['month'].iloc[0]:%B %Y} to {table['month'].iloc[-1]:%B %Y}",
        f"Lowest month {min(pcts):.0f}%, highest {max(pcts):.0f}%",
        "The standard is 100% on time",
    )


# --------------------------------------------------------------------------- flows between teams

FLOW_COUNTS = ("transfers", "completed", "pending", "decided", "on_time")


def flows_table(df: pd.DataFrame) -> pd.DataFrame:
    """One row per (sending team, receiving team): volumes, median working days, % on time.

    Columns ``from_team``, ``to_team`` (labels), ``transfers``, ``completed``, ``pending``,
    ``median_working_days`` (completed transfers; NaN if none), ``decided``, ``on_time``,
    ``pct_on_time``. Largest flows first.
    """
    cols = [
        "from_team",
        "to_team",
        "transfers",
        "completed",
        "pending",
        "median_working_days",
        "decided",
        "on_time",
        "pct_on_time",
    ]
    if df.empty:
        return pd.DataFrame(columns=cols)
    d = _with_labels(df)
    pending = d["pending"].astype(bool)
    decided = _decided(d)
    d = d.assign(
        one=1,
        done=(~pending).astype(int),
        pend=pending.astype(int),
        decided=decided.astype(int),
        on_time_n=(decided & d["on_time"].astype(bool)).astype(int),
        done_days=d["working_days"].astype(float).where(~pending),
    )
    g = (
        d.groupby(["from_label", "to_label"], sort=True)
        .agg(
            transfers=("one", "sum"),
            completed=("done", "sum"),
            pending=("pend", "sum"),
            median_working_days=("done_days", "median"),
            decided=("decided", "sum"),
            on_time=("on_time_n", "sum"),
        )
        .reset_index()
        .rename(columns={"from_label": "from_team", "to_label": "to_team"})
    )
    g["pct_on_time"] = [_pct(a, b) for a, b in zip(g["on_time"], g["decided"], strict=False)]
    g = g.sort_values(["transfers", "from_team", "to_team"], ascending=[False, True, True], kind="mergesort")
    return g[cols].reset_index(drop=True)


def flows_shown(table: pd.DataFrame, d: Disclosure | None = None, totals: Totals | None = None) -> Shown:
    """Which team pairs may be drawn. In presentation mode a pair shows its transfers (a link's
    width) and median only; the sending and receiving totals in the node labels add up to them
    (and are hidden first, since the links already draw them). Pairs drawn first, by size."""
    d = d or EXACT
    t = table.reset_index(drop=True)
    if not d.active or t.empty:
        return Shown(t, d)
    cells: dict[tuple, int] = {}
    rels: list[tuple] = []
    shown: set[tuple] = set()
    cost: dict[tuple, int] = {}
    for i, r in t.iterrows():
        cells[(i, "transfers")] = int(r["transfers"])
        cells[(i, "completed")] = int(r["completed"])
        shown.add((i, "transfers"))
    for side, col in (("send", "from_team"), ("recv", "to_team")):
        for name in sorted(t[col].unique()):
            members = [(i, "transfers") for i in t.index[t[col] == name]]
            key = (side, name)
            cells[key] = int(t.loc[t[col] == name, "transfers"].sum())
            shown.add(key)
            cost[key] = 0
            rels.append((key, *members))
    rels.append((_all("transfers"), *[(i, "transfers") for i in t.index]))
    s = Shown(
        t,
        d,
        _solve(d, totals, cells, rels, shown, cost),
        extra={k: v for k, v in cells.items() if k[0] in ("send", "recv")},
    )
    return _order_shown_first(s, lambda i: not s.hides((i, "transfers")), "from_team")


def flows_csv(shown: Shown) -> pd.DataFrame:
    return shown.csv(
        FLOW_COUNTS,
        shares={"pct_on_time": ("on_time", "decided")},
        derived={"median_working_days": ["completed"]},
        drop=["completed", "pending", "decided", "on_time", "pct_on_time"],
    )


def _median_hidden(s: Shown, i: int) -> bool:
    return s.derived_hidden([(i, "completed")])


def flows_title(shown: Shown | pd.DataFrame, *, standard: int = 3) -> str:
    """How many team pairs take a median over the standard (pairs whose median may be shown)."""
    s = shown if isinstance(shown, Shown) else Shown(shown)
    table = s.table
    if table.empty:
        return "No transfers between teams in the period"
    judged = [i for i in range(len(table)) if not _median_hidden(s, i)]
    slow = sum(1 for i in judged if table.at[i, "median_working_days"] > standard)
    which = " with enough completed transfers to show" if len(judged) < len(table) else ""
    return (
        f"Transfers between teams: {slow} out of {plural(len(judged), 'team pair')}{which} take a median of "
        f"more than {standard} working days"
    )


def _translucent(colour: str, alpha: float = 0.6) -> str:
    """``rgb(r, g, b)`` of the palette as ``rgba(r, g, b, alpha)`` (Sankey links overlap)."""
    return colour.replace("rgb(", "rgba(").replace(")", f", {alpha})") if colour.startswith("rgb(") else colour


def flows_drawn(shown: Shown) -> list[int]:
    """Rows of the pairs drawn as links (all of them, or those whose count may be shown)."""
    return [i for i in range(len(shown.table)) if shown.drawn((i, "transfers"))]


def flows_figure(
    shown: Shown | pd.DataFrame,
    title: str,
    *,
    standard: int = 3,
    source: str = SOURCE_TIMELINESS,
    cap: int = FLOW_CAP,
) -> Figure:
    """Sankey from sending teams (left) to receiving teams (right); link width = transfers.

    A link whose median working days exceed the standard is rose and its hover says "over the
    standard" (never colour alone); the standard is stated on the chart. In presentation mode a
    pair whose count is hidden is not drawn, and a team with no pair drawn is left out. Of the pairs
    that may be drawn, the ``cap`` with most transfers (as drawn) are, and the chart says so; the CSV
    has every pair.
    """
    s = shown if isinstance(shown, Shown) else Shown(shown)
    table = s.table
    drawable = flows_drawn(s)
    rows = sorted(sorted(drawable, key=lambda i: -int(cast(float, s.drawn((i, "transfers")))))[:cap])
    if table.empty or not rows:
        why = (
            "Every team pair has too few transfers to draw in presentation mode"
            if not table.empty
            else "No data for the selected filters"
        )
        return empty_figure(title, why)
    t = table.iloc[rows]
    senders = sorted(t["from_team"].unique())
    receivers = sorted(t["to_team"].unique())
    if s.active:
        sent = {n: s.text(("send", n)) for n in senders}
        got = {n: s.text(("recv", n)) for n in receivers}
    else:
        sent = {n: f"{int(v):,}" for n, v in table.groupby("from_team")["transfers"].sum().items()}
        got = {n: f"{int(v):,}" for n, v in table.groupby("to_team")["transfers"].sum().items()}
    nodes = [f"{n} (sending {sent[n]})" for n in senders] + [f"{n} (receiving {got[n]})" for n in receivers]
    src = [senders.index(x) for x in t["from_team"]]
    tgt = [len(senders) + receivers.index(x) for x in t["to_team"]]
    medians, verdict, colours = [], [], []
    for i in rows:
        m = table.at[i, "median_working_days"]
        if _median_hidden(s, i):
            medians.append("median not shown (too few completed)")
            verdict.append("")
            colours.append(_translucent(BLUE))
            continue
        over = not pd.isna(m) and m > standard
        medians.append("no completed transfers" if pd.isna(m) else f"median {m:g} working day{'' if m == 1 else 's'}")
        verdict.append("▲ over the standard" if over else ("within the standard" if not pd.isna(m) else ""))
        colours.append(_translucent(ROSE if over else BLUE))
    counts = [s.text((i, "transfers")) for i in rows]
    fig = base_figure(title, height=max(380, 40 * max(len(senders), len(receivers)) + 160))
    fig.add_trace(
        dict(
            type="sankey",
            # Plotly's own layout: senders are sources (left), receivers targets (right), and node heights
            # follow the volumes without overlapping (fixed x/y positions let large nodes overlap).
            arrangement="snap",
            node=dict(
                label=nodes,
                pad=14,
                thickness=16,
                color=[TEAL] * len(senders) + [GREY] * len(receivers),
                line=dict(color="white", width=0.5),
                customdata=[sent[n] for n in senders] + [got[n] for n in receivers],
                hovertemplate="%{label}: %{customdata} transfers<extra></extra>",
            ),
            link=dict(
                source=src,
                target=tgt,
                # flows_drawn keeps only the rows whose count is drawn, so none is None here
                value=[int(cast(float, s.drawn((i, "transfers")))) for i in rows],
                color=colours,
                customdata=customdata_rows(counts, medians, verdict),
                hovertemplate="%{source.label} → %{target.label}<br>%{customdata[0]} transfers, "
                "%{customdata[1]} %{customdata[2]}<extra></extra>",
            ),
        )
    )
    capped = (
        f"<br>The {len(rows)} team pairs with most transfers are drawn, of {len(drawable):,}; the CSV has them all."
        if len(rows) < len(drawable)
        else ""
    )
    fig.add_annotation(
        text=standard_label(standard, "working days, median per team pair shown on hover", source)
        + " · rose links: median over the standard"
        + capped,
        xref="paper",
        yref="paper",
        x=0,
        y=-0.06,
        xanchor="left",
        yanchor="top",
        showarrow=False,
        font=dict(color=STANDARD_COLOUR, size=12),
    )
    fig.update_layout(margin=dict(b=60 + 20 * bool(capped)))
    return fig


def flows_summary(shown: Shown | pd.DataFrame, title: str) -> str:
    s = shown if isinstance(shown, Shown) else Shown(shown)
    rows = flows_drawn(s)
    if s.table.empty or not rows:
        return aria_summary("Flow diagram", title, "No team pair to draw for these filters")
    top = s.table.iloc[rows[0]]
    return aria_summary(
        "Flow diagram",
        title,
        "Links run from sending teams on the left to receiving teams on the right, their width the number of transfers",
        f"Largest flow: {top['from_team']} to {top['to_team']}",
        "The table download lists every pair with its median working days",
    )


# --------------------------------------------------------------------------- notice and joint visits

PAIR_COUNTS = ("completed", "notice_met", "joint_met")


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
    d = d.assign(
        one=1,
        notice=d["notice_ok"].map(lambda v: v is True).astype(int),
        joint=d["joint_visit_ok"].map(lambda v: v is True).astype(int),
    )
    g = (
        d.groupby("pair", sort=True)
        .agg(completed=("one", "sum"), notice_met=("notice", "sum"), joint_met=("joint", "sum"))
        .reset_index()
    )
    g["notice_pct"] = [_pct(a, b) for a, b in zip(g["notice_met"], g["completed"], strict=False)]
    g["joint_pct"] = [_pct(a, b) for a, b in zip(g["joint_met"], g["completed"], strict=False)]
    g["_worst"] = g[["notice_pct", "joint_pct"]].min(axis=1)
    g = g.sort_values(["_worst", "completed", "pair"], ascending=[True, False, True], kind="mergesort")
    return g[cols].reset_index(drop=True)


def pair_standards_shown(table: pd.DataFrame, d: Disclosure | None = None, totals: Totals | None = None) -> Shown:
    """Which pair counts may be shown (labels: met of completed). The pairs add up to the page's
    completed, notice and joint-visit totals; those not met are complements nobody prints.
    Pairs with both percentages shown first, worst first; the others by name."""
    d = d or EXACT
    t = table.reset_index(drop=True)
    if not d.active or t.empty:
        return Shown(t, d)
    cells: dict[tuple, int] = {}
    rels: list[tuple] = []
    shown: set[tuple] = set()
    for i, r in t.iterrows():
        c = int(r["completed"])
        cells.update(
            {
                (i, "completed"): c,
                (i, "notice_met"): int(r["notice_met"]),
                (i, "joint_met"): int(r["joint_met"]),
                (i, "notice_not"): c - int(r["notice_met"]),
                (i, "joint_not"): c - int(r["joint_met"]),
            }
        )
        shown |= {(i, k) for k in PAIR_COUNTS}
        rels += [
            ((i, "completed"), (i, "notice_met"), (i, "notice_not")),
            ((i, "completed"), (i, "joint_met"), (i, "joint_not")),
        ]
    rels += [
        (_all("done"), *[(i, "completed") for i in t.index]),
        (_all("notice"), *[(i, "notice_met") for i in t.index]),
        (_all("joint"), *[(i, "joint_met") for i in t.index]),
    ]
    s = Shown(t, d, _solve(d, totals, cells, rels, shown))
    return _order_shown_first(
        s,
        lambda i: (
            not (
                s.share_hidden((i, "notice_met"), (i, "completed"))
                or s.share_hidden((i, "joint_met"), (i, "completed"))
            )
        ),
        "pair",
    )


def pair_standards_csv(shown: Shown) -> pd.DataFrame:
    return shown.csv(
        PAIR_COUNTS, shares={"notice_pct": ("notice_met", "completed"), "joint_pct": ("joint_met", "completed")}
    )


def pair_labels(shown: Shown, met: str) -> list[str]:
    """ "75% (3 of 4)"; "<5 of 9" when the percentage is hidden; "too few to show" for a small pair."""
    pct_col = {"notice_met": "notice_pct", "joint_met": "joint_pct"}[met]
    out = []
    for i in range(len(shown.table)):
        counts = f"{shown.text((i, met))} of {shown.text((i, 'completed'))}"
        if not shown.share_hidden((i, met), (i, "completed")):
            out.append(f"{_fmt_pct(shown.table.at[i, pct_col])} ({counts})")
        elif shown.d.small(shown.value((i, "completed"))):
            out.append(TOO_FEW)
        else:
            out.append(counts)
    return out


def notice_text(days: int) -> str:
    """The notice standard in words: "two weeks' notice", "a week's notice", "10 days' notice"."""
    if days == 7:
        return "a week's notice"
    words = {14: "two weeks", 21: "three weeks", 28: "four weeks"}
    return f"{words.get(days, f'{days} days')}' notice"


def days_before_text(days: int) -> str:
    """The joint-visit window in words: "the week before", "the 5 days before"."""
    return "the week before" if days == 7 else f"the {days} days before"


def pair_standards_title(
    table: pd.DataFrame, totals: Totals | None = None, *, notice_days: int = 14, joint_days: int = 7
) -> str:
    notice_words, before = notice_text(notice_days), days_before_text(joint_days)
    if table.empty:
        return "Notice and joint visits: no transfers completed in the period"
    if totals is None:
        n = int(table["completed"].sum())
        notice = _pct(int(table["notice_met"].sum()), n)
        joint = _pct(int(table["joint_met"].sum()), n)
        return f"{notice:.0f}% of completed transfers had {notice_words} and {joint:.0f}% a joint visit in {before}"
    notice_hidden, joint_hidden = totals.share_hidden("notice", "done"), totals.share_hidden("joint", "done")
    if notice_hidden and joint_hidden:
        return "Notice and joint visits: too few completed transfers to show the shares"
    if notice_hidden:
        return (
            f"{totals.share('joint', 'done')} of completed transfers had a joint visit in {before} "
            f"(too few to show the share with {notice_words})"
        )
    if joint_hidden:
        return (
            f"{totals.share('notice', 'done')} of completed transfers had {notice_words} "
            "(too few to show the share with a joint visit)"
        )
    return (
        f"{totals.share('notice', 'done')} of completed transfers had {notice_words} and "
        f"{totals.share('joint', 'done')} a joint visit in {before}"
    )


#: A pair's bar from this % holds its label inside.
INSIDE_FROM = 55

#: At most this many team pairs are drawn (those with most completed transfers); the rest are one line.
PAIR_CAP = 25


def pairs_drawn(shown: Shown, cap: int = PAIR_CAP) -> list[int]:
    """Rows of the pairs table to draw: the ``cap`` pairs with most completed transfers, in table order."""
    t = shown.table
    if len(t) <= cap:
        return list(range(len(t)))
    biggest = t["completed"].astype(int).sort_values(ascending=False, kind="mergesort").index[:cap]
    return sorted(int(i) for i in biggest)


def other_pairs_label(n: int) -> str:
    return f"Other {n} pairs (in the CSV)"


def _other_pairs(s: Shown, rest: list[int], met: str) -> tuple[float | None, str]:
    """The "other pairs" line's % and label; in presentation mode no numbers (the page totals minus the
    drawn pairs would give hidden counts back)."""
    if s.active:
        return None, "not drawn in presentation mode"
    completed = int(s.table.loc[rest, "completed"].sum())
    n = int(s.table.loc[rest, met].sum())
    pct = _pct(n, completed)
    return pct, f"{_fmt_pct(pct)} ({n} of {completed})"


def pair_standards_figure(
    shown: Shown | pd.DataFrame, title: str, *, notice_days: int = 14, joint_days: int = 7, cap: int = PAIR_CAP
) -> Figure:
    """Grouped horizontal bars per team pair: % meeting the notice and the joint-visit standard.

    The two measures differ in colour and in pattern (solid vs dotted), and carry text labels inside
    the bar when it holds them (so no label crosses the 100% line). A hidden percentage draws no bar;
    its label says so. Only the ``cap`` pairs with most completed transfers are drawn, the rest as one
    "Other N pairs" line (the subtitle says so; the CSV keeps every pair).
    """
    s = shown if isinstance(shown, Shown) else Shown(shown)
    table = s.table
    if table.empty:
        return empty_figure(title)
    keep = pairs_drawn(s, cap)
    rest = [i for i in range(len(table)) if i not in set(keep)]
    pairs = [table.at[i, "pair"] for i in keep] + ([other_pairs_label(len(rest))] if rest else [])
    fig = base_figure(title, height=max(320, 46 * len(pairs) + 170))
    if rest:
        subtitle = wrap_title(
            f"The {len(keep)} pairs with most completed transfers of {len(table)}; "
            "the others in one line (every pair in the CSV)",
            round(TITLE_CHARS * 1.3),
        )
        fig.update_layout(title={"subtitle": {"text": subtitle}})
    for met_col, name, colour, pattern in (
        ("notice_met", f"Notice of {notice_days}+ days ({cite(SOURCE_NOTICE)})", BLUE, ""),
        ("joint_met", f"Joint visit within {joint_days} days before ({cite(SOURCE_JOINT_VISIT)})", SAND, "."),
    ):
        all_labels = pair_labels(s, met_col)
        labels, x = [all_labels[i] for i in keep], []
        for i in keep:
            v = s.share_value((i, met_col), (i, "completed"))
            x.append(None if s.share_hidden((i, met_col), (i, "completed")) else (v or 0.0))
        if rest:
            pct, label = _other_pairs(s, rest, met_col)
            x.append(pct)
            labels.append(label)
        fig.add_trace(
            dict(
                type="bar",
                x=x,
                y=pairs,
                orientation="h",
                name=name,
                text=labels,
                # Long bars hold their label (so it never crosses the 100% line); short ones, and 0%,
                # keep it just outside, where it ends well before the line.
                textposition=["inside" if v is not None and v >= INSIDE_FROM else "outside" for v in x],
                insidetextanchor="end",
                insidetextfont=dict(color=STANDARD_COLOUR),
                cliponaxis=False,
                offsetgroup=met_col,
                marker=dict(
                    color=colour,
                    # dots over the colour, not on white: a label inside stays readable
                    pattern=dict(shape=pattern, fillmode="overlay", fgcolor="white", size=6),
                    line=dict(color="white", width=1),
                ),
                hovertext=[f"{p}: {lab}" for p, lab in zip(pairs, labels, strict=False)],
                hovertemplate="%{hovertext}<extra>" + name + "</extra>",
            )
        )
        if any(v is None for v in x):
            # A hidden share has no bar; its label stands in the bar's place, from the axis.
            fig.add_trace(
                dict(
                    type="bar",
                    x=[0 if v is None else None for v in x],
                    y=pairs,
                    orientation="h",
                    text=[lab if v is None else "" for v, lab in zip(x, labels, strict=False)],
                    textposition="outside",
                    cliponaxis=False,
                    offsetgroup=met_col,
                    showlegend=False,
                    hoverinfo="skip",
                    name=f"{name}: not shown",
                    marker=dict(color="rgba(0,0,0,0)"),
                )
            )
    add_standard_line(fig, 100, "Standard: every completed transfer", axis="x", position="top left")
    fig.update_layout(barmode="group", bargap=0.25, margin=dict(t=110))
    fig.update_xaxes(
        {"title": {"text": "% of completed transfers meeting the standard"}},
        range=[0, 140],
        ticksuffix="%",
        tickvals=[0, 25, 50, 75, 100],
    )
    fig.update_yaxes(categoryorder="array", categoryarray=pairs, autorange="reversed", automargin=True)
    return fig


def pair_standards_summary(shown: Shown | pd.DataFrame, title: str) -> str:
    """The lowest pair among those whose two percentages are shown (never one drawn as too few)."""
    s = shown if isinstance(shown, Shown) else Shown(shown)
    table = s.table
    if table.empty:
        return aria_summary("Bar chart", title, "No completed transfers for these filters")
    visible = [
        i
        for i in range(len(table))
        if not (
            s.share_hidden((i, "notice_met"), (i, "completed")) or s.share_hidden((i, "joint_met"), (i, "completed"))
        )
    ]
    facts = ["Two bars per pair of teams: notice given and joint visit, worst first"]
    if visible:
        worst = table.iloc[visible[0]]
        facts.append(
            f"Lowest pair: {worst['pair']} with {_fmt_pct(worst['notice_pct'])} notice and "
            f"{_fmt_pct(worst['joint_pct'])} joint visits"
        )
    if len(visible) < len(table):
        facts.append("Pairs with too few transfers to show their percentages are listed last, without bars")
    facts.append("The standard is 100% for both")
    return aria_summary("Bar chart", title, *facts)


# --------------------------------------------------------------------------- pending transfers (child level)

PENDING_COLUMNS = [
    "child_id",
    "from_team",
    "to_team",
    "transfer_point",
    "requested_date",
    "working_days",
    "days_waiting",
    "verdict",
    "from_team_id",  # not grid columns: let a manager's view keep only their teams' rows
    "to_team_id",
]


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
    out = pd.DataFrame(
        {
            "child_id": d["child_id"].astype(str),
            "from_team": d["from_label"],
            "to_team": d["to_label"],
            "transfer_point": [
                TRANSFER_POINTS.label(p)
                if p in TRANSFER_POINTS
                else "Not recorded"
                if p is None
                else f"Unrecognised: {p}"
                for p in d["transfer_point"]
            ],
            "requested_date": [r.isoformat() for r in d["requested_date"]],
            "working_days": d["working_days"].astype(int),
            "days_waiting": d["days_waiting"].astype(int),
            "verdict": np.where(d["late"].astype(bool), f"▲ Late (over {standard} working days)", "Within standard"),
            "from_team_id": d["from_team"].to_numpy(),
            "to_team_id": d["to_team"].to_numpy(),
        }
    )
    out["_late"] = d["late"].astype(bool).to_numpy()
    out = out.sort_values(
        ["_late", "working_days", "days_waiting", "child_id"], ascending=[False, False, False, True], kind="mergesort"
    )
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
    for c, n in zip(dist.get("changes", []), dist.get("children", []), strict=False):
        counts[min(int(c), cap)] += int(n)
    out["children"] = counts
    return out


def keyworker_many(table: pd.DataFrame, alert: int = 3) -> int:
    """Children with ``alert`` or more changes (the tile, and the chart's title)."""
    return int(table.loc[table["changes"] >= alert, "children"].sum())


KW_TOTAL, KW_FEW = ("kw", "total"), ("kw", "few")


def keyworker_shown(
    table: pd.DataFrame, d: Disclosure | None = None, totals: Totals | None = None, *, alert: int = 3
) -> Shown:
    """Which bars may be drawn: they add up to the children in the title, those from ``alert``
    changes to the tile's count, the others to the rest (a complement nobody prints)."""
    d = d or EXACT
    t = table.reset_index(drop=True)
    many = keyworker_many(t, alert)
    total = int(t["children"].sum())
    extra = {KW_TOTAL: total, _all("keyworker_many"): many}
    if not d.active:
        return Shown(t, d, extra=extra)
    cells: dict[tuple, int] = {(i, "children"): int(v) for i, v in enumerate(t["children"])}
    cells.update({KW_TOTAL: total, KW_FEW: total - many})
    shown = set(cells) - {KW_FEW}
    flagged = [(i, "children") for i in t.index if t.at[i, "changes"] >= alert]
    rels = [
        (KW_TOTAL, *[(i, "children") for i in t.index]),
        (_all("keyworker_many"), *flagged),
        (KW_FEW, *[(i, "children") for i in t.index if t.at[i, "changes"] < alert]),
        (KW_TOTAL, _all("keyworker_many"), KW_FEW),
    ]
    if totals is None or "keyworker_many" not in totals.values:
        cells[_all("keyworker_many")] = many
        shown.add(_all("keyworker_many"))
        hidden = d.secondary_relations(cells, rels, shown=shown, cost={KW_TOTAL: 3})
    else:
        hidden = _solve(d, totals, cells, rels, shown, cost={KW_TOTAL: 3})
        if "keyworker_many" in totals.hidden:
            hidden = set(hidden) | {_all("keyworker_many")}
    return Shown(t, d, hidden, extra=extra)


def keyworker_csv(shown: Shown) -> pd.DataFrame:
    return shown.csv(["children"])


def keyworker_title(shown: Shown | pd.DataFrame, *, alert: int = 3, window: str = "12 months") -> str:
    s = shown if isinstance(shown, Shown) else keyworker_shown(shown, alert=alert)
    total = s.value(KW_TOTAL)
    if total == 0:
        return f"No children with a key worker in the {window} for these filters"
    many = _all("keyworker_many")
    pct = "" if s.share_hidden(many, KW_TOTAL) else f" ({s.share(many, KW_TOTAL)})"
    return f"{s.text(many)} of {s.text(KW_TOTAL)} children{pct} had {alert} or more key-worker changes in {window}"


def keyworker_figure(
    shown: Shown | pd.DataFrame,
    title: str,
    *,
    alert: int = 3,
    source: str = SOURCE_KEYWORKER,
    window: str = "12 months",
) -> Figure:
    """Bars of children by changes of key worker; the alert level drawn as a line, bars past it hatched."""
    s = shown if isinstance(shown, Shown) else Shown(shown)
    table = s.table
    if int(table["children"].sum()) == 0:
        return empty_figure(title)
    fig = base_figure(title, height=360)
    for flagged, name, colour, pattern in (
        (False, "Fewer changes", BLUE, ""),
        (True, f"▲ {alert} or more changes (listed for managers)", ROSE, "/"),
    ):
        rows = [i for i in range(len(table)) if (table.at[i, "changes"] >= alert) == flagged]
        if not rows:
            continue
        fig.add_trace(
            dict(
                type="bar",
                x=[int(table.at[i, "changes"]) for i in rows],
                y=[s.drawn((i, "children")) for i in rows],
                name=name,
                marker=dict(color=colour, pattern=dict(shape=pattern), line=dict(color="white", width=1)),
                hovertext=[f"{table.at[i, 'label']} changes: {s.text((i, 'children'))} children" for i in rows],
                hovertemplate="%{hovertext}<extra></extra>",
            )
        )
    add_standard_line(
        fig, alert - 0.5, f"Listed from {alert} changes; standard: as few as possible ({cite(source)})", axis="x"
    )
    fig.update_xaxes(
        {"title": {"text": f"Changes of key worker in the {window}"}},
        tickmode="array",
        tickvals=table["changes"].tolist(),
        ticktext=table["label"].tolist(),
    )
    fig.update_yaxes({"title": {"text": "Children"}}, showticklabels=not s.active, **count_axis(drawn_top(fig)))
    fig.update_layout(bargap=0.1)
    return fig


def keyworker_summary(table: pd.DataFrame, title: str, *, alert: int = 3) -> str:
    if int(table["children"].sum()) == 0:
        return aria_summary("Bar chart", title, "No children for these filters")
    return aria_summary(
        "Bar chart",
        title,
        "Bars count children by how many times their key worker changed",
        f"A dashed line marks {alert} changes, from which children are listed for managers",
    )


#: ``team_id`` is not a grid column: it lets a manager's view keep only their teams' rows.
KEYWORKER_CHILD_COLUMNS = ["child_id", "changes", "allocations", "last_change", "team", "team_id"]


def keyworker_child_rows(kids: pd.DataFrame) -> pd.DataFrame:
    """Children with many key-worker changes, for managers: most changes first."""
    if kids.empty:
        return pd.DataFrame(columns=KEYWORKER_CHILD_COLUMNS)
    return pd.DataFrame(
        {
            "child_id": kids["child_id"].astype(str),
            "changes": kids["changes"].astype(int),
            "allocations": kids["allocations"].astype(int),
            "last_change": [d.isoformat() if d is not None else "" for d in kids["last_change"]],
            "team": team_labels(kids["team_id"], kids["team_name"]).to_numpy(),
            "team_id": kids["team_id"].to_numpy(),
        }
    )[KEYWORKER_CHILD_COLUMNS].reset_index(drop=True)


# --------------------------------------------------------------------------- exclusions

ALL_FIGURES = "all transfer figures"
EX_MAIN = ("ex", "main")


def exclusions_table(ex: pd.DataFrame) -> pd.DataFrame:
    """Rows the standards cannot judge, by reason, as shown on the page: ``reason``, ``applies_to``, ``rows``."""
    if ex.empty:
        return pd.DataFrame(columns=["reason", "applies_to", "rows"])
    out = ex[["reason", "applies_to", "rows"]].copy()
    out["reason"] = out["reason"].str[:1].str.upper() + out["reason"].str[1:]
    return out.reset_index(drop=True)


def exclusions_shown(table: pd.DataFrame, d: Disclosure | None = None) -> Shown:
    """Which counts of the exclusions may be shown: the reasons left out of every figure add up
    to the count in the sentence above them."""
    d = d or EXACT
    t = table.reset_index(drop=True)
    main = [i for i in range(len(t)) if t.at[i, "applies_to"] == ALL_FIGURES]
    extra = {EX_MAIN: int(t.loc[main, "rows"].sum()) if main else 0}
    if not d.active or t.empty:
        return Shown(t, d, extra=extra)
    cells: dict[tuple, int] = {(i, "rows"): int(v) for i, v in enumerate(t["rows"])}
    cells.update(extra)
    hidden = d.secondary_relations(cells, [(EX_MAIN, *[(i, "rows") for i in main])], cost={EX_MAIN: 2})
    return Shown(t, d, hidden, extra=extra)


def exclusions_csv(shown: Shown) -> pd.DataFrame:
    return shown.csv(["rows"])


def exclusions_text(shown: Shown | pd.DataFrame) -> str:
    """One sentence for the page: how many rows every figure leaves out."""
    s = shown if isinstance(shown, Shown) else exclusions_shown(exclusions_table(shown))
    if s.table.empty:
        return "No transfer or allocation rows were excluded for these filters."
    return (
        f"{s.text(EX_MAIN)} transfer rows could not be judged against the standards and are left out of "
        "every transfer figure; reasons below."
    )


__all__ = [
    "TOO_FEW",
    "Shown",
    "Totals",
    "page_totals",
    "team_labels",
    "working_days_table",
    "working_days_shown",
    "working_days_csv",
    "working_days_title",
    "working_days_figure",
    "working_days_summary",
    "on_time_table",
    "on_time_shown",
    "on_time_csv",
    "on_time_labels",
    "on_time_title",
    "on_time_figure",
    "on_time_summary",
    "month_starts",
    "monthly_table",
    "monthly_shown",
    "monthly_csv",
    "MONTHLY_TITLE",
    "monthly_finding",
    "monthly_figure",
    "monthly_summary",
    "flows_table",
    "flows_shown",
    "flows_csv",
    "flows_drawn",
    "flows_title",
    "flows_figure",
    "flows_summary",
    "pair_standards_table",
    "pair_standards_shown",
    "pair_standards_csv",
    "pair_labels",
    "pair_standards_title",
    "pair_standards_figure",
    "PAIR_CAP",
    "GROUP_CAP",
    "FLOW_CAP",
    "pairs_drawn",
    "other_pairs_label",
    "pair_standards_summary",
    "PENDING_COLUMNS",
    "pending_rows",
    "keyworker_table",
    "keyworker_many",
    "keyworker_shown",
    "keyworker_csv",
    "keyworker_title",
    "keyworker_figure",
    "keyworker_summary",
    "KEYWORKER_CHILD_COLUMNS",
    "keyworker_child_rows",
    "exclusions_table",
    "exclusions_shown",
    "exclusions_csv",
    "exclusions_text",
]
