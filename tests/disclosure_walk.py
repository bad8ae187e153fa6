"""Walk every value a list of sections shows and find what presentation mode must not reveal.

Used by ``tests/test_disclosure_sections.py`` on every part of every page. It reads what a reader
(or a downloaded CSV, or the figure JSON) would see: section and chart titles, findings, notes,
accessible summaries, tiles, table cells, and in each figure the layout texts, tick labels, trace
names, text, hover text (hover templates filled in point by point from the trace's own data) and
the bar lengths on an axis that counts people or cases. Rules, for threshold ``t``:

* ``count-noun``: a number 1..t-1 before a counted noun ("2 plans", "1 worker", "3 children");
* ``x-of-y``: "1 of 8" (a hidden numerator printed);
* ``pct-beside-mark``: a percentage in the same clause as the mark ("20% (<5 of 5)");
* ``small-cell``: a cell 1..t-1 in a count column of a table or CSV;
* ``small-bar``: a bar drawn at a length 1..t-1 on a count axis;
* ``recoverable``: a row with one hidden cell whose shown total minus its other cells gives it back;
  and a count column with one hidden cell whose total is printed in the chart's title or finding
  ("of 46", "46 workers": numbers of days, months or dates are not totals).
"""

from __future__ import annotations

import base64
import re
from collections.abc import Iterator

import numpy as np
import pandas as pd

from dashboard.disclosure import Disclosure, is_mark
from dashboard.sections.base import Chart, Note, Table, Tile
from tests.figure_json import TYPED_ARRAYS as _TYPED

NOUNS = (
    "child",
    "children",
    "plan",
    "plans",
    "worker",
    "workers",
    "transfer",
    "transfers",
    "referral",
    "referrals",
    "case",
    "cases",
    "young people",
    "person",
    "people",
    "row",
    "rows",
    "episode",
    "episodes",
)
COUNT_COLUMN = re.compile(
    r"^(n|count|children|cases|workers|plans|transfers|referrals|rows|late|on_time|"
    r"pending|total|completed|open_cin|open_cp|.*_count|n_.*|.*_n)$",
    re.I,
)
COUNT_AXIS = re.compile(r"\b(children|workers|plans|transfers|referrals|cases|number)\b", re.I)


def _array(value) -> list:
    if value is None:
        return []
    if isinstance(value, dict) and "bdata" in value:
        return np.frombuffer(base64.b64decode(value["bdata"]), dtype=_TYPED[value["dtype"]]).tolist()
    if isinstance(value, (list, tuple, np.ndarray, pd.Series, pd.Index)):
        return list(value)
    return [value]


def _figure_json(figure) -> dict:
    if figure is None:
        return {}
    if hasattr(figure, "to_plotly_json"):
        import plotly.io as pio

        return __import__("json").loads(pio.to_json(figure))
    return figure


_HOVER_FIELD = re.compile(r"%\{([a-zA-Z_]+)(?:\[(\d+)\])?(?::([^}]*))?\}")


def _format(v, spec: str | None) -> str:
    """Plotly's d3 number formats that matter here (``.1f``, ``,d``, ``.0%``); others print the raw value."""
    if spec and isinstance(v, (int, float)) and not isinstance(v, bool):
        m = re.fullmatch(r"(,)?\.?(\d*)([fd%])", spec)
        if m:
            comma, digits, kind = m.groups()
            if kind == "d":
                return f"{int(round(v)):{',' if comma else ''}d}"
            if kind == "%":
                return f"{100 * v:.{digits or 0}f}%"
            return f"{v:{',' if comma else ''}.{digits or 0}f}"
    if isinstance(v, float) and v.is_integer():
        v = int(v)
    return str(v)


def _fill(template: str, trace: dict, i: int) -> str:
    """A hover template with point ``i``'s values, formatted as plotly would for the common formats."""

    def value(match):
        field, idx, spec = match.group(1), match.group(2), match.group(3)
        arr = _array(trace.get(field))
        if not arr:
            return ""
        v = arr[i] if i < len(arr) else arr[-1]
        if idx is not None:
            v = _array(v)
            v = v[int(idx)] if int(idx) < len(v) else ""
        return _format(v, spec)

    return _HOVER_FIELD.sub(value, template)


def figure_texts(figure) -> Iterator[tuple[str, str]]:
    fig = _figure_json(figure)
    layout = fig.get("layout", {}) or {}
    title = layout.get("title") or {}
    if isinstance(title, dict):
        yield "layout.title", str(title.get("text") or "")
        yield "layout.subtitle", str((title.get("subtitle") or {}).get("text") or "")
    for a in layout.get("annotations") or []:
        yield "annotation", str(a.get("text") or "")
    for key, axis in layout.items():
        if key.startswith(("xaxis", "yaxis")) and isinstance(axis, dict):
            t = axis.get("title") or {}
            yield f"{key}.title", str(t.get("text") if isinstance(t, dict) else t or "")
            for tick in _array(axis.get("ticktext")):
                yield f"{key}.ticktext", str(tick)
    for n, trace in enumerate(fig.get("data", []) or []):
        yield f"trace{n}.name", str(trace.get("name") or "")
        for field in ("text", "hovertext"):
            for v in _array(trace.get(field)):
                yield f"trace{n}.{field}", str(v)
        template = trace.get("hovertemplate")
        points = max([len(_array(trace.get(k))) for k in ("x", "y", "values", "customdata")] + [1])
        templates = _array(template) if isinstance(template, list) else [template] * points
        for i, tpl in enumerate(templates[:points]):
            if tpl:
                yield f"trace{n}.hover", _fill(str(tpl), trace, i)


def bar_lengths(figure, t: int) -> Iterator[tuple[str, float]]:
    """Bar lengths 1..t-1 on an axis whose title counts people or cases."""
    fig = _figure_json(figure)
    layout = fig.get("layout", {}) or {}

    def axis_title(name: str) -> str:
        axis = layout.get(name) or {}
        title = axis.get("title") or {}
        return str(title.get("text") if isinstance(title, dict) else title or "")

    for n, trace in enumerate(fig.get("data", []) or []):
        if trace.get("type") != "bar":
            continue
        horizontal = trace.get("orientation") == "h"
        ref = trace.get("xaxis" if horizontal else "yaxis") or ("x" if horizontal else "y")
        axis = ("xaxis" if horizontal else "yaxis") + ref[1:]
        if not COUNT_AXIS.search(axis_title(axis)) or "%" in axis_title(axis):
            continue
        for v in _array(trace.get("x" if horizontal else "y")):
            if isinstance(v, (int, float)) and not pd.isna(v) and 0 < v < t and float(v).is_integer():
                yield f"trace{n} ({trace.get('name')}) on {axis_title(axis)!r}", v


def item_texts(item) -> Iterator[tuple[str, str]]:
    if isinstance(item, Chart):
        for k in ("title", "finding", "summary", "note", "standard", "empty"):
            yield f"{item.id}.{k}", str(getattr(item, k) or "")
        for where, text in figure_texts(item.figure):
            yield f"{item.id}.figure.{where}", text
        yield from _cells(item.id, item.table)
    elif isinstance(item, Tile):
        for k in ("label", "value", "detail", "change", "rule", "standard"):
            yield f"{item.id}.{k}", str(getattr(item, k) or "")
    elif isinstance(item, Table):
        yield f"{item.id}.title", str(item.title or "")
        yield f"{item.id}.note", str(item.note or "")
        yield from _cells(item.id, item.csv_table)
    elif isinstance(item, Note):
        yield item.id, item.text


def _cells(where: str, df: pd.DataFrame) -> Iterator[tuple[str, str]]:
    for col in df.columns:
        yield f"{where}.csv.header", str(col)
        for v in df[col].tolist():
            if isinstance(v, str):
                yield f"{where}.csv.{col}", v


def section_texts(sections) -> Iterator[tuple[str, str]]:
    for s in sections:
        for k in ("title", "lede", "problem"):
            yield f"{s.id}.{k}", str(getattr(s, k) or "")
        for item in s.items:
            yield from item_texts(item)


def _text_leaks(where: str, text: str, d: Disclosure) -> list[str]:
    t, mark = d.threshold, re.escape(d.mark)
    small = "|".join(str(i) for i in range(1, t))
    if not small:
        return []
    out = []
    nouns = "|".join(NOUNS)
    if re.search(rf"(?<![\w.,<*%-])({small})\s+(?:{nouns})\b", text, re.I):
        out.append(f"count-noun in {where}: {text!r}")
    if re.search(rf"(?<![\w.,<*%-])({small}) of \d", text):
        out.append(f"x-of-y in {where}: {text!r}")
    for clause in re.split(r"[.;:\n]|<br>", text):
        if re.search(mark, clause) and re.search(r"\d+(?:\.\d+)?\s?%", clause):
            out.append(f"pct-beside-mark in {where}: {text!r}")
            break
    return out


def _number(v):
    if isinstance(v, bool) or v is None:
        return None
    if isinstance(v, (int, float, np.integer, np.floating)):
        return None if pd.isna(v) else float(v)
    if isinstance(v, str):
        s = v.replace(",", "").strip()
        try:
            return float(s)
        except ValueError:
            return None
    return None


def _table_leaks(where: str, df: pd.DataFrame, d: Disclosure, totals_text: str) -> list[str]:
    out = []
    t = d.threshold
    counts = [c for c in df.columns if COUNT_COLUMN.match(str(c))]
    for col in counts:
        for v in df[col].tolist():
            x = _number(v)
            if x is not None and 0 < x < t and x.is_integer():
                out.append(f"small-cell in {where}.{col}: {v!r}")
                break
    # a row: one hidden cell, and a shown cell equal to the others plus a small number
    for _, row in df[counts].iterrows() if len(counts) > 1 else []:
        marks = [c for c in counts if is_mark(row[c])]
        shown = {c: _number(row[c]) for c in counts if _number(row[c]) is not None}
        if len(marks) == 1 and len(shown) >= 2:
            for total_col, total in shown.items():
                rest = sum(v for c, v in shown.items() if c != total_col)
                if 0 < total - rest < t and (total - rest).is_integer():
                    out.append(f"recoverable in {where}: row {dict(row)} ({total_col} - others = {total - rest:g})")
                    break
    # a column: one hidden cell and the column's total printed in the title or finding
    # totals a title prints: "of 46", "46 workers" (not "3 working days", "12 months", "04 Apr")
    nouns = "|".join(NOUNS)
    printed = {
        float(x.replace(",", ""))
        for x in re.findall(r"\bof (\d[\d,]*)\b", totals_text)
        + re.findall(rf"\b(\d[\d,]*) (?:{nouns})\b", totals_text, re.I)
    }
    for col in counts:
        values = df[col].tolist()
        marks = [v for v in values if is_mark(v)]
        if len(marks) == 1:
            rest = sum(_number(v) or 0 for v in values if not is_mark(v))
            for total in printed:
                if 0 < total - rest < t:
                    out.append(f"recoverable in {where}.{col}: printed total {total:g} - shown cells {rest:g}")
                    break
    return out


def leaks(sections, d: Disclosure) -> list[str]:
    """Everything in ``sections`` that presentation mode must not show (an empty list when safe)."""
    found = []
    for where, text in section_texts(sections):
        found += _text_leaks(where, text, d)
    for s in sections:
        for item in s.items:
            if isinstance(item, Chart):
                totals = f"{item.title} {item.finding}"
                found += _table_leaks(f"{item.id}.csv", item.table, d, totals)
                found += [f"small-bar in {item.id}: {w} = {v:g}" for w, v in bar_lengths(item.figure, d.threshold)]
            elif isinstance(item, Table):
                if item.child_level and d.active and len(item.rows):
                    found.append(f"child-rows in {item.id}: {len(item.rows)} rows in presentation mode")
                found += _table_leaks(f"{item.id}.csv", item.csv_table, d, str(item.title or ""))
    return found


__all__ = ["leaks", "section_texts", "figure_texts", "bar_lengths"]
