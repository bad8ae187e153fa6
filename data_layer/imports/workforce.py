"""Children's social work workforce census XML (``CSWWWorker``) -> staged ``workers`` rows.

Parsed with defusedxml like the CIN census. Per worker: ``SWENo`` (the Social Work England
number: the worker id, matched as written to SSDA903 ``SW_ID`` and to an Annex A ``Allocated
Worker`` that holds one), ``FTE`` (``FTE30`` when ``FTE`` is absent, as for agency workers),
``OrgRole``, ``RoleStartDate``, ``RoleEndDate``. Everyone in the census is a registered social
worker, so ``qualified`` is true. The census has no names and no teams.
"""

from __future__ import annotations

from pathlib import Path

from .cin_census import _iter, _tag, _val
from .common import BAD, FileTally, ImportFailed, looks_like_name, order_key, parse_date

KIND = "workforce"
#: OrgRole -> contract role: 3 first-line manager TM, 4 senior practitioner AP, 5 case holder SW,
#: 6 qualified without cases SW. 1 (senior manager) and 2 (middle manager) have no contract role:
#: kept as OrgRole1 / OrgRole2, which check-db lists as codes the contract does not know.
ROLES = {"3": "TM", "4": "AP", "5": "SW", "6": "SW", "1": "OrgRole1", "2": "OrgRole2"}
FILLS = {"workers": ("worker_id", "role", "fte", "qualified", "start_date", "end_date")}


def parse(path: Path, seq: int, stage) -> FileTally:
    tally = FileTally(KIND, path.name)
    stage.declare("workers", FILLS["workers"])
    rows, n, seen_message = [], 0, False
    names: dict[str, int] = {}
    for _, el in _iter(path):
        tag = _tag(el)
        seen_message = seen_message or tag == "Message"
        if looks_like_name(tag):
            names[tag] = names.get(tag, 0) + 1
        if tag != "CSWWWorker":
            continue
        n += 1
        tally.read["CSWWWorker"] += 1
        swe = _val(el, "SWENo")
        if not swe:
            tally.reject("CSWWWorker", "no SWENo")
            el.clear()
            continue
        flags = []
        fte_text = _val(el, "FTE") or _val(el, "FTE30")
        fte = None
        if fte_text is not None:
            try:
                fte = float(fte_text)
            except ValueError:
                flags.append("FTE is not a number (loaded as blank)")
        if fte is not None and not 0 <= fte <= 1:
            flags.append("FTE outside 0-1")
        role_code = _val(el, "OrgRole")
        role = ROLES.get(role_code, role_code) if role_code else None
        start, end = parse_date(_val(el, "RoleStartDate")), parse_date(_val(el, "RoleEndDate"))
        for name, d in (("RoleStartDate", start), ("RoleEndDate", end)):
            if d is BAD:
                flags.append(f"{name} is not a date (loaded as blank)")
        if start is None:
            flags.append("no RoleStartDate (never counted in post)")
        start, end = (None if start is BAD else start), (None if end is BAD else end)
        if start and end and end < start:
            flags.append("RoleEndDate before RoleStartDate")
        rows.append(
            dict(
                worker_id=swe,
                role=role,
                fte=fte,
                qualified=True,
                start_date=start,
                end_date=end,
                _kind=KIND,
                _file=path.name,
                _record="CSWWWorker",
                _ord=order_key(seq, n),
                _primary=True,
                _flag="; ".join(flags) or None,
            )
        )
        el.clear()
    if not seen_message and n == 0:
        raise ImportFailed(f"{path.name}: not a workforce census (no Message element and no CSWWWorker records)")
    for tag, count in sorted(names.items()):
        tally.notes.append(f"element {tag} ({count} times) looks like a name: never imported")
    stage.add("workers", rows)
    return tally
