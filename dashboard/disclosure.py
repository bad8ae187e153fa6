"""Statistical disclosure control: the one place that turns numbers into what may be shown.

Presentation mode and the board pack (often published) must never reveal a small number of
children, nor anything from which one can be worked back. Every number a section shows goes
through a :class:`Disclosure`, carried on the view (``View.disclosure``), so the rules live here
and nowhere else. Outside presentation mode (``active=False``) it shows exact values.

Rules (threshold = ``suppress_below`` in the standards, default 5; README "Disclosure control"):

* **primary**: a count of 1 to threshold-1 (children, plans, workers, transfers, referrals) is
  shown as the mark ``<5``; 0 stays 0 (an empty cell discloses nothing about a child);
* **derived**: a percentage, rate, average, median, difference or interval is hidden (the mark,
  and a note) when any count it is computed from is hidden: its numerator, its denominator or
  the complement (45 of 46 on time says 1 is late);
* **secondary**: where hidden cells could be recovered from a shown total and the other shown
  cells (a row of a table, a status split, a stacked bar's segments and its total), the
  next-smallest cell is hidden too (:meth:`Disclosure.secondary`);
* **geometry**: a hidden value is never drawn at its size nor carried in hover text, axis
  ranges or the figure JSON: figure builders take :meth:`Disclosure.drawn` (``None`` for a
  hidden value) and put the mark in labels;
* **workers**: nothing singles out one anonymous worker (no role, FTE, target or excess per
  "Worker n");
* **CSV**: in presentation mode a download is exactly the displayed values.

Pure Python (no Dash, no Plotly): unit tests call it directly.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

import pandas as pd

#: Why a derived value is not shown; formatted into notes (threshold filled in).
DERIVED_NOTE = "Figures worked out from a count under {threshold} are not shown."
#: The mark of a count hidden by secondary suppression (not itself small).
SECONDARY_MARK = "*"


def _num(value) -> float | None:
    """A number, or ``None`` for missing (None, NaN, NA, blank text)."""
    if value is None or isinstance(value, str):
        return None
    try:
        if pd.isna(value):
            return None
    except (TypeError, ValueError):
        return None
    return float(value)


@dataclass(frozen=True)
class Disclosure:
    """The disclosure rules for one view: ``active`` in presentation mode, ``threshold`` from the standards."""

    threshold: int = 5
    active: bool = False

    # ------------------------------------------------------------------ the mark and the tests

    @property
    def mark(self) -> str:
        """What a hidden value shows: ``<5``."""
        return f"<{self.threshold}"

    @property
    def secondary_mark(self) -> str:
        """What a count hidden only to protect another one shows (it is not small itself)."""
        return SECONDARY_MARK

    @property
    def note(self) -> str:
        """The sentence that explains the marks (for chart notes and the pack); empty when not active."""
        if not self.active:
            return ""
        return (
            f"Counts of 1 to {self.threshold - 1} are shown as {self.mark}, and so is any percentage or "
            f"average worked out from one; {SECONDARY_MARK} marks a count hidden so that a count under "
            f"{self.threshold} cannot be worked out from a total."
        )

    def small(self, n) -> bool:
        """True for a count of 1..threshold-1 (whatever the mode): the cells primary suppression hides."""
        x = _num(n)
        return x is not None and 0 < x < self.threshold

    def hides(self, n) -> bool:
        """True when ``n`` is a count this view must not show."""
        return self.active and self.small(n)

    def hides_any(self, *counts) -> bool:
        return self.active and any(self.small(c) for c in counts)

    def hides_share(self, num, den) -> bool:
        """A share ``num/den`` is hidden when its numerator, denominator or complement is small."""
        if not self.active:
            return False
        n, d = _num(num), _num(den)
        comp = None if n is None or d is None else d - n
        return self.hides_any(n, d, comp)

    # ------------------------------------------------------------------ text

    def count(self, n, *, blank: str = "") -> str:
        """A count as text: ``1,234``, ``0``, or the mark."""
        x = _num(n)
        if x is None:
            return blank
        if self.hides(x):
            return self.mark
        return f"{int(round(x)):,}"

    def count_noun(self, n, one: str, many: str | None = None) -> str:
        """``"3 plans"``, ``"1 plan"``, ``"<5 plans"`` (the plural when hidden: it may be several)."""
        x = _num(n) or 0
        many = many or one + "s"
        if self.hides(x):
            return f"{self.mark} {many}"
        return f"{int(round(x)):,} {one if int(round(x)) == 1 else many}"

    def share(self, num, den, *, digits: int = 0, blank: str = "–") -> str:
        """``num/den`` as a percentage (``"45%"``), the mark when any part is hidden, ``blank`` when den is 0."""
        n, d = _num(num), _num(den)
        if d is None or d == 0 or n is None:
            return blank
        if self.hides_share(n, d):
            return self.mark
        return f"{100 * n / d:.{digits}f}%"

    def share_value(self, num, den) -> float | None:
        """The percentage to draw, or ``None`` when hidden (or undefined)."""
        n, d = _num(num), _num(den)
        if d is None or d == 0 or n is None or self.hides_share(n, d):
            return None
        return 100 * n / d

    def derived(self, value, parts: Iterable = (), *, fmt: str = "{:,.1f}", blank: str = "–") -> str:
        """A statistic computed from the counts ``parts`` (mean, median, difference, interval bound)."""
        x = _num(value)
        if x is None:
            return blank
        if self.hides_any(*parts):
            return self.mark
        return fmt.format(x)

    def derived_value(self, value, parts: Iterable = ()) -> float | None:
        """The statistic to draw, or ``None`` when a part is hidden."""
        x = _num(value)
        return None if x is None or self.hides_any(*parts) else x

    def drawn(self, n) -> float | None:
        """A count to draw at its size, or ``None`` when it is hidden (geometry rule)."""
        x = _num(n)
        return None if x is None or self.hides(x) else x

    def of(self, num, den, noun: str | None = None) -> str:
        """``"3 of 8 workers"``; ``"<5 of 8"``; ``"* of 46"`` when the complement is small (45 of 46
        would say that 1 is not)."""
        head = self.count(num)
        if self.active and not self.hides(num) and not self.hides(den):
            n, d = _num(num), _num(den)
            if n is not None and d is not None and self.small(d - n):
                head = SECONDARY_MARK
        text = f"{head} of {self.count(den)}"
        return f"{text} {noun}" if noun else text

    # ------------------------------------------------------------------ secondary suppression

    def secondary(
        self, cells: Sequence, *, total_shown: bool = True, total_hidden: bool = False, also: Iterable[int] = ()
    ) -> set[int]:
        """Indices of ``cells`` (counts of one row, split or stack) to hide so no hidden cell can be recovered.

        Primary cells (1..threshold-1) are hidden. When a total is shown (``total_shown``) and
        exactly one cell is hidden, it equals the total minus the others: hide the next-smallest
        non-zero shown cell too. Zero cells never need hiding and are never used as the second
        cell (a zero is recoverable anyway: hiding it protects nothing).

        ``total_hidden``: the cells add up to a total that is itself hidden (a priority's count
        hidden by secondary suppression in a split above this one). Then they must not all be
        shown, or their sum gives that total back: when none is hidden, the smallest non-zero is.

        ``also``: indices already hidden for another reason (a linked table: the difference of
        two shown cells in different splits is small); the rules above then count them as hidden.
        """
        if not self.active:
            return set()
        values = [_num(c) for c in cells]
        hidden = {i for i, v in enumerate(values) if self.small(v)} | {i for i in also if values[i]}
        if total_shown and not total_hidden and len(hidden) == 1:
            candidates = sorted((v, i) for i, v in enumerate(values) if i not in hidden and v)
            if candidates:
                hidden.add(candidates[0][1])
        if total_hidden and not hidden:
            candidates = sorted((v, i) for i, v in enumerate(values) if v)
            if candidates:
                hidden.add(candidates[0][1])
        return hidden

    def secondary_frame(self, df: pd.DataFrame, columns: Sequence[str], *, total_shown: bool = True) -> pd.DataFrame:
        """A boolean frame (same index, ``columns``) of the cells to hide, row by row (:meth:`secondary`)."""
        mask = pd.DataFrame(False, index=df.index, columns=list(columns))
        if not self.active or df.empty:
            return mask
        for idx, row in zip(df.index, df[list(columns)].itertuples(index=False), strict=False):
            for j in self.secondary(list(row), total_shown=total_shown):
                mask.at[idx, columns[j]] = True
        return mask

    def secondary_columns(self, df: pd.DataFrame, columns: Sequence[str], *, total_shown: bool = True) -> pd.DataFrame:
        """The same, column by column (a status split read down a column with a total row)."""
        mask = pd.DataFrame(False, index=df.index, columns=list(columns))
        if not self.active or df.empty:
            return mask
        for col in columns:
            for j in self.secondary(df[col].tolist(), total_shown=total_shown):
                mask.at[df.index[j], col] = True
        return mask

    def split(
        self, cells: Sequence, *, total_shown: bool = True, total_hidden: bool = False, also: Iterable[int] = ()
    ) -> list[str]:
        """The counts of one split (a status split, a row, a stack's segments) as text, with secondary
        suppression (:meth:`secondary`): ``["<5", "*", "12", "0"]`` beside a shown total of 30."""
        hidden = self.secondary(cells, total_shown=total_shown, total_hidden=total_hidden, also=also)
        return [
            (self.mark if self.small(c) else SECONDARY_MARK) if i in hidden else self.count(c)
            for i, c in enumerate(cells)
        ]

    def stack(self, cells: Sequence, *, hidden: Iterable[int] = ()) -> tuple[set[int], bool]:
        """Cells of a split whose total is known (a 100% bar, bands adding up to a cohort) to hide,
        and whether the total must be hidden too (then nothing of the split may be shown).

        Stricter than :meth:`secondary`, because here the hidden cells' combined count is known
        (the total less the shown cells; a 100% bar draws it as the rest of the bar): hidden cells,
        next-smallest first, are added until that combined count is neither small itself nor pins
        down any hidden cell, given what a reader knows of each (``<5`` is 1..threshold-1, ``*`` is
        at least the threshold and at most the smallest shown cell): two ``<5`` adding to 2 are 1
        and 1; a ``<5`` and a ``*`` adding to 1 + threshold are 1 and the threshold. When every
        non-zero cell is hidden and one is still pinned down, or the total is small, the total is
        hidden too (``True``). ``hidden``: cells already hidden for another reason (a reader sees
        a mark: 1..threshold-1 when small, else at least the threshold). Zero cells stay shown.
        """
        if not self.active:
            return set(), False
        values = [_num(c) or 0.0 for c in cells]
        nonzero = {i for i, v in enumerate(values) if v}
        if self.small(sum(values)):
            return nonzero, True
        forced = {i for i in hidden if values[i]}
        out = {i for i in nonzero if self.small(values[i])} | forced
        while out and self._pinned(values, out, forced):
            rest = sorted((values[i], i) for i in nonzero - out)
            if not rest:
                return nonzero, True
            out.add(rest[0][1])
        return out, False

    def _pinned(self, values: Sequence[float], hidden: set[int], forced: set[int]) -> bool:
        """True when the hidden cells' known sum is small or fixes one of them (see :meth:`stack`)."""
        total = sum(values[i] for i in hidden)
        if self.small(total):
            return True
        shown = [v for i, v in enumerate(values) if i not in hidden and v]
        ceiling = min(shown) if shown else math.inf
        bounds = {}
        for i in hidden:
            if self.small(values[i]):
                bounds[i] = (1.0, self.threshold - 1.0)
            else:
                bounds[i] = (float(self.threshold), math.inf if i in forced else ceiling)
        for i, (lo, hi) in bounds.items():
            others_lo = sum(b[0] for j, b in bounds.items() if j != i)
            others_hi = sum(b[1] for j, b in bounds.items() if j != i)
            if max(lo, total - others_hi) >= min(hi, total - others_lo):
                return True
        return False

    def nested(self, counts: Sequence) -> set[int]:
        """Indices to hide among counts of nested groups, largest first (open plans >= over 9 months >= over 12).

        The difference of two shown nested counts is a count too (46 open, 45 over 12 months: 1 is
        not), so: the innermost is hidden only when small; the outermost when small or when its
        difference from the shown innermost is (the rule of the Overview's "of N" tiles, so a count
        has the same fate on every page); a count in between when small or when its difference from
        any shown count around it is small.
        """
        if not self.active:
            return set()
        values = [_num(c) for c in counts]
        hidden = {i for i, v in enumerate(values) if v is None or self.small(v)}
        if len(values) < 2:
            return hidden
        last = len(values) - 1
        outer, inner = values[0], values[last]
        if outer is not None and inner is not None and last not in hidden and self.small(outer - inner):
            hidden.add(0)
        for i in range(1, last):
            value = values[i]
            if i in hidden or value is None:
                continue
            shown = [v for j, v in enumerate(values) if j != i and j not in hidden and v is not None]
            if any(self.small(abs(v - value)) for v in shown):
                hidden.add(i)
        return hidden

    def secondary_groups(
        self,
        cells: Sequence,
        known: Iterable[Sequence[int]] = (),
        *,
        secret: Iterable[Sequence[int]] = (),
        hidden: Iterable[int] = (),
    ) -> set[int]:
        """Cells to hide when several groups of them add up to totals shown somewhere (linked tables).

        ``cells`` are counts (a grid flattened, a chart's bars); ``known`` are groups of indices whose
        totals are shown (a row with its total column, a column whose total is in a title or a
        tile): none may keep exactly one hidden non-zero cell, or the total minus the others gives
        it back. ``secret`` are groups whose total is hidden elsewhere (a tile shown as the mark):
        each must keep at least one hidden non-zero cell, or its cells add up to it. ``hidden``:
        cells already hidden (e.g. by :meth:`nested`). Groups are visited smallest first, and the
        smallest non-zero shown cell of a failing group is hidden, until every group holds (a
        heuristic: it never hides less than the rule needs, sometimes more); returns primary and
        secondary cells together.
        """
        if not self.active:
            return set()
        values = [_num(c) or 0.0 for c in cells]
        out = {i for i, v in enumerate(values) if self.small(v)} | {i for i in hidden if values[i]}
        # Smallest groups first: a cell hidden for a small group usually also protects the larger ones.
        known = sorted((list(g) for g in known), key=len)
        secret = sorted((list(g) for g in secret), key=len)

        def hide_smallest(group) -> bool:
            candidates = sorted((values[i], i) for i in group if i not in out and values[i])
            if candidates:
                out.add(candidates[0][1])
                return True
            return False

        def holds() -> bool:
            return all(not any(values[i] for i in g) or any(i in out and values[i] for i in g) for g in secret) and all(
                sum(1 for i in g if i in out and values[i]) != 1 for g in known
            )

        required = set(out)
        changed = True
        while changed:
            changed = False
            for g in secret:
                if any(values[i] for i in g) and not any(i in out and values[i] for i in g):
                    changed |= hide_smallest(g)
            for g in known:
                if sum(1 for i in g if i in out and values[i]) == 1:
                    changed |= hide_smallest(g)
        # Greedy choices can overlap: show again any secondary cell (largest first) not needed any more.
        for _, i in sorted(((values[i], i) for i in out - required), reverse=True):
            out.discard(i)
            if not holds():
                out.add(i)
        return out

    def secondary_relations(
        self,
        values: Mapping,
        relations: Iterable[Sequence],
        *,
        shown: Iterable | None = None,
        fixed: Iterable = (),
        secret: Iterable = (),
        cost: Mapping | None = None,
    ) -> set:
        """Cells to hide when a chart's counts are tied by sums that run through cells it does not show.

        For what :meth:`secondary` (one row) and :meth:`secondary_groups` (groups of shown cells)
        cannot express: a total that is itself a cell that may be hidden, a complement nobody
        displays (judged - on time = late), and totals in tiles. ``values`` maps every cell (any
        hashable key) to its count; each relation is ``(total, part, part, ...)``: the total is
        the sum of the parts (a relation naming a key without a value is ignored). Keys are:

        * ``shown`` (default: every key neither fixed nor secret): displayed here, may be hidden;
        * ``fixed``: displayed elsewhere (a tile): known unless small, never hidden here;
        * ``secret``: hidden elsewhere: must stay unknown;
        * any other key: not displayed (a complement): unknown unless it can be worked out.

        A reader knows each shown cell exactly, a hidden one as ``<5`` (1..threshold-1) or ``*`` (at
        least the threshold), an undisplayed one as at least 0, and narrows these ranges through
        the relations until nothing changes. No protected cell (a small count, shown or not, a
        hidden cell, a secret one) may be pinned to one value, and the unknown parts of a relation
        with a known total may not add up to a small number (two hidden cells adding to 2 are 1 and
        1). While one is, a non-zero shown cell of the relation that gives it away (or of those
        that gave away its known cells) is hidden too: the one leaving fewest such leaks, then the
        one with most shown cells beside it to protect it in turn (in a table whose rows and
        columns both have totals a poor choice runs along a whole row), then lowest ``cost``
        (default 1), then smallest.
        Returns the shown keys to hide, primary and secondary. Empty outside presentation mode.
        """
        if not self.active:
            return set()
        vals = {k: _num(v) or 0.0 for k, v in values.items()}
        order = {k: i for i, k in enumerate(vals)}
        fixed, secret = set(fixed) & set(vals), set(secret) & set(vals)
        shown = (set(vals) if shown is None else set(shown) & set(vals)) - fixed - secret
        rels = [tuple(r) for r in relations]
        rels = [r for r in rels if len(r) >= 2 and all(k in vals for k in r)]  # a relation needs all its cells
        cost = cost or {}
        hidden = {k for k in shown if self.small(vals[k])}
        given_up: set = set()
        while True:
            found = self._relation_leaks(vals, rels, shown, fixed, secret, hidden, given_up)
            if not found:
                return hidden
            cell, candidates = found[0]
            if not candidates:
                given_up.add(cell)  # nothing shown is left to hide around it
                continue
            best = candidates[:16]

            def known(k) -> bool:
                return (k in shown and k not in hidden) or (k in fixed and not self.small(vals[k]))

            def room(c) -> int:
                """Shown cells left to hide beside ``c`` where hiding it would leave it the only unknown."""
                counts = [
                    sum(1 for k in r if k != c and k in shown and k not in hidden and vals[k])
                    for r in rels
                    if c in r and all(known(k) for k in r if k != c)
                ]
                return min(counts, default=99)

            scored = [
                (
                    len(self._relation_leaks(vals, rels, shown, fixed, secret, hidden | {c}, given_up, first=False)),
                    -room(c),
                    cost.get(c, 1),
                    vals[c],
                    order[c],
                    c,
                )
                for c in best
            ]
            hidden.add(min(scored, key=lambda x: x[:5])[5])

    def _relation_leaks(self, vals, rels, shown, fixed, secret, hidden, given_up, *, first: bool = True) -> list:
        """Protected cells a reader can work out (:meth:`secondary_relations`), each with the shown cells
        whose hiding would stop it; only the first one when ``first``."""
        t = float(self.threshold)
        inf = math.inf
        box = {}
        for k, v in vals.items():
            if k in shown and k not in hidden:
                box[k] = (v, v)
            elif k in fixed and not self.small(v):
                box[k] = (v, v)
            elif k in shown or k in fixed or k in secret:
                box[k] = (1.0, t - 1) if self.small(v) else (t, inf)
            else:
                box[k] = (0.0, inf)
        protected = {k for k, v in vals.items() if self.small(v)} | hidden | secret
        why: dict = {}
        for _ in range(60):
            changed = False
            for i, (total, *parts) in enumerate(rels):
                lo_p = sum(box[p][0] for p in parts)
                hi_p = sum(box[p][1] for p in parts)
                updates = [(total, lo_p, hi_p)]
                lo_t, hi_t = box[total]
                for p in parts:
                    others_lo = lo_p - box[p][0]
                    others_hi = hi_p - box[p][1] if box[p][1] < inf else sum(box[q][1] for q in parts if q is not p)
                    updates.append((p, lo_t - others_hi, hi_t - others_lo))
                for k, lo, hi in updates:
                    old = box[k]
                    new = (max(old[0], lo, 0.0), min(old[1], hi))
                    if new != old and new[0] <= new[1]:
                        box[k] = new
                        why.setdefault(k, i)
                        if new[0] == new[1]:
                            why[k] = i
                        changed = True
            if not changed:
                break

        def candidates(start: int) -> list:
            """Shown cells of the relation that gives the cell away, then of those that gave away its
            known cells, nearest first (hiding a nearer one does not always stop the leak)."""
            seen, queue, found = {start}, [start], []
            while queue:
                rel = rels[queue.pop(0)]
                found += [c for c in rel if c in shown and c not in hidden and vals[c] and c not in found]
                for c in rel:
                    j = why.get(c)
                    if j is not None and j not in seen and box[c][0] == box[c][1]:
                        seen.add(j)
                        queue.append(j)
            return found

        out = []
        for k in sorted(protected - given_up, key=lambda c: str(c)):
            if box[k][0] == box[k][1] and k in why:
                out.append((k, candidates(why[k]) if first else None))
                if first:
                    return out
        for i, (total, *parts) in enumerate(rels):
            if box[total][0] != box[total][1]:
                continue
            unknown = [p for p in parts if box[p][0] != box[p][1]]
            rest = box[total][0] - sum(box[p][0] for p in parts if p not in unknown)
            guarded = [p for p in unknown if p in protected and p not in given_up]
            if guarded and 0 < rest < t:
                out.append((guarded[0], candidates(i) if first else None))
                if first:
                    return out
        return out

    def cell_text(self, n, hidden: bool, *, commas: bool = True, blank: str = "") -> str:
        """A count as displayed once its fate is decided: the mark when small, ``*`` when hidden only to
        protect another, else the count (``commas=False`` for CSV cells)."""
        x = _num(n)
        if x is None:
            return blank
        if hidden and self.active:
            return self.mark if self.small(x) else SECONDARY_MARK
        return f"{int(round(x)):,}" if commas else f"{int(round(x))}"

    # ------------------------------------------------------------------ tables (CSV, grids, pack)

    def table(
        self,
        df: pd.DataFrame,
        counts: Sequence[str] = (),
        *,
        derived: dict[str, Sequence[str]] | None = None,
        shares: dict[str, tuple[str, str]] | None = None,
        rows_total: Sequence[str] | None = None,
        drop: Sequence[str] = (),
    ) -> pd.DataFrame:
        """The table as it may be shown: what a chart's CSV downloads in presentation mode.

        * ``counts``: count columns; small ones become the mark.
        * ``rows_total``: count columns that add up to a shown total on each row (a status split
          with ``cases``): secondary suppression across them.
        * ``derived``: column -> the count columns it is computed from; hidden (mark) when any
          of those is hidden on that row (after secondary suppression).
        * ``shares``: column -> (numerator, denominator) columns; hidden when the share is.
        * ``drop``: columns left out in presentation mode (those that would allow a back-calculation).

        Outside presentation mode it returns ``df`` unchanged.
        """
        if not self.active:
            return df
        out = df.drop(columns=[c for c in drop if c in df.columns]).copy()
        if out.empty:
            return out
        hidden = pd.DataFrame(False, index=out.index, columns=[c for c in counts if c in out.columns])
        for c in hidden.columns:
            hidden[c] = out[c].map(self.small)
        if rows_total:
            cols = [c for c in rows_total if c in out.columns]
            hidden[cols] = hidden[cols] | self.secondary_frame(out, cols)
        for col, parts in (derived or {}).items():
            if col not in out.columns:
                continue
            known = [p for p in parts if p in hidden.columns]
            mask = hidden[known].any(axis=1) if known else pd.Series(False, index=out.index)
            out[col] = out[col].astype(object).where(~mask, self.mark)
        for col, (num, den) in (shares or {}).items():
            if col not in out.columns:
                continue
            mask = pd.Series(
                [self.hides_share(n, d) for n, d in zip(out[num], out[den], strict=False)], index=out.index
            )
            if num in hidden.columns:
                mask = mask | hidden[num]
            if den in hidden.columns:
                mask = mask | hidden[den]
            out[col] = out[col].astype(object).where(~mask, self.mark)
        for c in hidden.columns:
            out[c] = [self._cell(v, h) for v, h in zip(out[c], hidden[c], strict=False)]
        return out

    def _cell(self, value, hidden: bool) -> str:
        x = _num(value)
        if x is None:
            return ""
        if hidden:
            return self.mark if self.small(x) else SECONDARY_MARK
        return f"{int(round(x))}"

    def worker_labels(self, n: int) -> list[str]:
        """Anonymous labels in presentation mode: ``Worker 1`` .. ``Worker n``."""
        return [f"Worker {i}" for i in range(1, n + 1)]


def is_mark(value) -> bool:
    """True for a displayed value that is a suppression mark (``<5`` or ``*``), whatever the threshold."""
    if not isinstance(value, str):
        return False
    return value == SECONDARY_MARK or (value.startswith("<") and value[1:].replace(",", "").isdigit())


def finite(value) -> bool:
    x = _num(value)
    return x is not None and math.isfinite(x)


__all__ = ["Disclosure", "DERIVED_NOTE", "SECONDARY_MARK", "is_mark", "finite"]
