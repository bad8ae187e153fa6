"""Red/amber/green thresholds of the Overview tiles: named settings with their standard and a boundary rule.

Each rated tile has one :class:`Threshold`: a direction, a ``green`` and an ``amber`` bound, and the
standard it derives from. **The boundary rule** (the bound itself belongs to the better colour):

* higher is worse (caseloads, counts of breaches): ``green`` when ``value <= green``; ``amber``
  when ``green < value <= amber``; ``red`` when ``value > amber``.
* lower is worse (% on time): ``green`` when ``value >= green``; ``amber`` when
  ``amber <= value < green``; ``red`` when ``value < amber``.
* no value (nothing to judge, e.g. no transfers completed): no rating.

With ``green == amber`` a tile is never amber (zero tolerance: any breach is red). Defaults are
derived from ``data_layer.standards`` (so a changed ``caseload_per_fte`` moves the caseload
bands with it); where no practice document sets a target for a figure (a % on time, a share of
workers) the default is a local choice and says so in ``derives_from``.

An authority overrides any bound in the same TOML file as the standards (``CSC_STANDARDS_FILE``)::

    [rag.average_caseload]
    green = 22        # green up to and including 22 children per worker
    amber = 24        # amber above 22 up to and including 24; red above 24

    [rag.transfers_on_time]
    green = 95        # lower is worse: green at 95% or more
    amber = 80        # amber from 80% up to 95%; red under 80%

Unknown tile keys or fields, non-numbers, or bounds in the wrong order for the direction raise
:class:`RagError` naming the key. Pure Python, no Dash: the board-pack exporter uses it too.
"""

from __future__ import annotations

import math
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from dashboard.theme import RAG
from data_layer.standards import Standards


class RagError(ValueError):
    """A ``[rag.*]`` override is malformed; the message names the offending key."""


@dataclass(frozen=True)
class Threshold:
    """Bounds of one tile's rating (see the module docstring for the boundary rule)."""

    key: str
    higher_is_worse: bool
    green: float
    amber: float
    unit: str
    derives_from: str
    note: str = ""

    def rate(self, value: float | None) -> str | None:
        """``"green"``, ``"amber"``, ``"red"``, or ``None`` when there is no value to judge."""
        if value is None or (isinstance(value, float) and math.isnan(value)):
            return None
        if self.higher_is_worse:
            if value <= self.green:
                return "green"
            return "amber" if value <= self.amber else "red"
        if value >= self.green:
            return "green"
        return "amber" if value >= self.amber else "red"

    def rule_text(self) -> str:
        """The bounds in words, e.g. "Green at or under 25; amber up to 27.5; red above"."""
        g, a, u = _num(self.green), _num(self.amber), self.unit
        if self.higher_is_worse:
            if self.green == self.amber == 0:
                return "Green when none; red when any"
            if self.green == self.amber:
                return f"Green at or under {g}{u}; red above"
            return f"Green at or under {g}{u}; amber up to {a}{u}; red above"
        if self.green == self.amber:
            return f"Green at {g}{u} or more; red below"
        return f"Green at {g}{u} or more; amber from {a}{u}; red below"


def _num(v: float) -> str:
    return f"{v:g}"


def default_thresholds(standards: Standards) -> dict[str, Threshold]:
    """The built-in bounds, derived from the practice standards in force."""
    per_fte = float(standards.caseload_per_fte)
    items = (
        Threshold(
            "average_caseload",
            True,
            per_fte,
            round(per_fte * 1.1, 2),
            "",
            "caseload_per_fte (000)",
            "Green at or under the standard; amber up to 10% over it (local default)",
        ),
        Threshold(
            "workers_over_target",
            True,
            10.0,
            25.0,
            "%",
            "caseload_per_fte (000); the % bands are a local default",
            f"Share of workers in post whose caseload exceeds {_num(per_fte)} x FTE",
        ),
        Threshold(
            "unallocated",
            True,
            0,
            0,
            "",
            "004 Appendix 4: every open child has a qualified key worker",
            "Zero tolerance: any unallocated child is red",
        ),
        Threshold(
            "cin_over_12_months",
            True,
            0,
            0,
            "",
            "cin_max_months (001)",
            "Zero tolerance, as on the Plan durations page",
        ),
        Threshold(
            "cin_reviews_overdue",
            True,
            0,
            0,
            "",
            "cin_review_days (001)",
            f"Zero tolerance: every CIN plan reviewed within {standards.cin_review_days} days",
        ),
        Threshold(
            "cp_over_2_years",
            True,
            0,
            0,
            "",
            "cp_max_months (national indicator)",
            "Zero tolerance, as on the Plan durations page",
        ),
        Threshold(
            "transfers_on_time",
            False,
            90.0,
            75.0,
            "%",
            "transfer_working_days (003); the % bands are a local default",
            f"Completed transfers within {standards.transfer_working_days} working days of the request",
        ),
        Threshold(
            "transfers_pending_late",
            True,
            0,
            0,
            "",
            "transfer_working_days (003)",
            f"Zero tolerance: no pending transfer past {standards.transfer_working_days} working days",
        ),
        Threshold(
            "jarp_responses_on_time",
            False,
            90.0,
            75.0,
            "%",
            "JARP response targets (003 3.6); the % bands are a local default",
            "Judged first responses within their priority's target",
        ),
    )
    return {t.key: t for t in items}


#: Pilot verdict status (data_layer.metrics.cin_pilot_stats.VERDICTS) -> rating. Not a threshold: the pilot
#: page's verdict decides. Refusals (too small, not measurable) and "no clear difference" get none.
PILOT_RAG: Mapping[str, str | None] = {
    "better": "green",
    "worse": "red",
    "inconclusive": None,
    "too_small": None,
    "not_measurable": None,
}

_FIELDS = ("green", "amber")


def apply_overrides(
    defaults: Mapping[str, Threshold], table: Mapping, source: str = "configuration"
) -> dict[str, Threshold]:
    """``defaults`` with the bounds of a parsed ``[rag]`` TOML table applied (validated)."""
    out = dict(defaults)
    for key, fields in (table or {}).items():
        if key not in out:
            raise RagError(f"Unknown RAG tile {key!r} in {source}; known: {', '.join(sorted(out))}")
        if not isinstance(fields, Mapping):
            raise RagError(f"[rag.{key}] in {source} must be a table with green and amber")
        changes: dict[str, Any] = {}
        for name, val in fields.items():
            if name not in _FIELDS:
                raise RagError(f"Unknown field {name!r} in [rag.{key}] of {source}; use green and amber")
            if isinstance(val, bool) or not isinstance(val, (int, float)):
                raise RagError(f"[rag.{key}] {name} in {source} must be a number, got {val!r}")
            changes[name] = float(val)
        t = replace(out[key], **changes)
        if (t.higher_is_worse and t.amber < t.green) or (not t.higher_is_worse and t.amber > t.green):
            order = "amber >= green (higher is worse)" if t.higher_is_worse else "amber <= green (lower is worse)"
            raise RagError(f"[rag.{key}] in {source}: bounds must satisfy {order}")
        out[key] = t
    return out


def load_thresholds(standards: Standards, path: str | None = None) -> dict[str, Threshold]:
    """Defaults for ``standards``, overridden by the ``[rag]`` table of the standards file.

    ``path`` defaults to ``standards.source_file`` (the file ``CSC_STANDARDS_FILE`` named), so
    the standards and their RAG bands are configured in one place.
    """
    defaults = default_thresholds(standards)
    path = path or standards.source_file
    if not path:
        return defaults
    try:
        data = tomllib.loads(Path(path).read_text())
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise RagError(f"Cannot read RAG thresholds from {path}: {exc}") from exc
    return apply_overrides(defaults, data.get("rag", {}), str(path))


def rag_label(rag: str | None, fallback: str = "Not rated") -> str:
    """Symbol and word for a rating (colour is never alone); ``fallback`` when unrated."""
    return RAG[rag]["label"] if rag in RAG else fallback


__all__ = [
    "Threshold",
    "RagError",
    "default_thresholds",
    "apply_overrides",
    "load_thresholds",
    "PILOT_RAG",
    "rag_label",
]
