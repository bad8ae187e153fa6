"""check-db on an SSD: unknown codes and rows the mapping cannot use, with counts (nothing dropped silently).

Missing ``ssd_*`` tables and fields are named by the structure check (``CheckReport.missing_tables``
and ``missing_columns``). These findings come on top, counted in SQL on the ``ssd_*`` tables:

* unknown codes: closure reasons (RC1-RC9), category of abuse (NEG, EMO, PHY, SAB, MUL), legal
  status (SSDA903), each value with its row count;
* the key-worker role setting: how many involvements it matches (none: caseloads cannot be
  shown), and the most common role codes so the analyst can pick theirs;
* unmappable rows: an involvement with no professional, or naming a professional not in
  ``ssd_professionals``; an involvement, CIN plan, CP plan, CLA episode or visit for a person not
  in ``ssd_person``; a CP review of a plan not in ``ssd_cp_plans``.
"""

from __future__ import annotations

import pandas as pd
from sqlalchemy import String, cast, exists, func, literal, select, union_all

from .ssd import SSD_CODES, _ssd_metadata

COLUMNS = ["table", "check", "detail", "rows"]
_TOP_ROLES = 8

#: (table, person/plan field, referenced table, referenced field, what the row is)
_ORPHANS = (
    (
        "ssd_involvements",
        "invo_person_id",
        "ssd_person",
        "pers_person_id",
        "involvement for a person not in ssd_person",
    ),
    (
        "ssd_involvements",
        "invo_professional_id",
        "ssd_professionals",
        "prof_professional_id",
        "involvement naming a professional not in ssd_professionals",
    ),
    ("ssd_cin_plans", "cinp_person_id", "ssd_person", "pers_person_id", "CIN plan for a person not in ssd_person"),
    ("ssd_cp_plans", "cppl_person_id", "ssd_person", "pers_person_id", "CP plan for a person not in ssd_person"),
    (
        "ssd_cla_episodes",
        "clae_person_id",
        "ssd_person",
        "pers_person_id",
        "CLA episode for a person not in ssd_person",
    ),
    ("ssd_cin_visits", "cinv_person_id", "ssd_person", "pers_person_id", "CIN visit for a person not in ssd_person"),
    ("ssd_cp_visits", "cppv_person_id", "ssd_person", "pers_person_id", "CP visit for a person not in ssd_person"),
    ("ssd_cp_reviews", "cppr_cp_plan_id", "ssd_cp_plans", "cppl_cp_plan_id", "CP review of a plan not in ssd_cp_plans"),
)


def ssd_findings(db) -> pd.DataFrame:
    """Findings on the ssd_* tables: columns ``table``, ``check``, ``detail``, ``rows`` (non-zero only)."""
    settings = db.standards.ssd
    md = _ssd_metadata(settings.schema)
    tb = db.tables
    present: dict[str, set[str]] = {t.name: set() for t in md.tables.values()}
    missing = set(tb.raw_missing)
    for t in md.tables.values():
        if t.name in missing:
            present.pop(t.name)
            continue
        present[t.name] = {c.name for c in t.columns if f"{t.name}.{c.name}" not in missing}

    def raw(name, alias=None):
        t = md.tables[f"{settings.schema}.{name}" if settings.schema else name]
        return t.alias(alias) if alias else t

    parts = []
    for (table, fld), allowed in SSD_CODES.items():
        if fld in present.get(table, ()):
            t = raw(table)
            v = cast(t.c[fld], String(100))
            parts.append(
                select(
                    literal(table).label("t"),
                    literal(f"unknown code in {fld}").label("c"),
                    v.label("d"),
                    func.count().label("n"),
                )
                .where(v.is_not(None), v.not_in(sorted(allowed)))
                .group_by(v)
            )
    for table, fld, ref, ref_fld, what in _ORPHANS:
        if fld in present.get(table, ()) and ref_fld in present.get(ref, ()):
            t, r = raw(table), raw(ref, "ref")
            parts.append(
                select(literal(table), literal(what), cast(literal(""), String(100)), func.count()).where(
                    t.c[fld].is_not(None), ~exists().where(r.c[ref_fld] == t.c[fld])
                )
            )
    inv = present.get("ssd_involvements", set())
    if "invo_professional_id" in inv:
        t = raw("ssd_involvements")
        parts.append(
            select(
                literal("ssd_involvements"),
                literal("involvement with no professional"),
                cast(literal("read as awaiting allocation"), String(100)),
                func.count(),
            ).where(t.c.invo_professional_id.is_(None))
        )
    rows = []
    if parts:
        got = db.read(union_all(*parts))
        got.columns = ["table", "check", "detail", "rows"]
        rows += [r for r in got.to_dict("records") if int(r["rows"] or 0) > 0]
    if "invo_professional_role_id" in inv:
        t = raw("ssd_involvements")
        role = cast(t.c.invo_professional_role_id, String(200))
        counts = db.read(
            select(role.label("role"), func.count().label("n"))
            .group_by(role)
            .order_by(func.count().desc())
            .limit(_TOP_ROLES)
        )
        roles = set(settings.key_worker_roles)
        matched = int(counts.loc[counts["role"].isin(roles), "n"].sum()) if len(counts) else 0
        common = ", ".join(f"{r!r} ({int(n):,})" for r, n in zip(counts["role"], counts["n"], strict=False))
        if not roles:
            rows.append(
                dict(
                    table="ssd_involvements",
                    check="no key-worker role configured",
                    detail=f"set [ssd] key_worker_roles; most common invo_professional_role_id: {common}",
                    rows=int(counts["n"].sum()) if len(counts) else 0,
                )
            )
        elif matched == 0:
            any_match = db.scalar(select(func.count()).where(role.in_(sorted(roles))))
            if not any_match:
                rows.append(
                    dict(
                        table="ssd_involvements",
                        check="key_worker_roles match no involvement",
                        detail=f"configured {sorted(roles)}; most common: {common}",
                        rows=int(counts["n"].sum()) if len(counts) else 0,
                    )
                )
    df = pd.DataFrame(rows, columns=COLUMNS)
    df["rows"] = df["rows"].astype("int64")
    df["detail"] = df["detail"].fillna("").astype(str)
    return df


__all__ = ["ssd_findings"]
