"""Ofsted Annex A lists (an .xlsx workbook, one sheet per list, or one CSV per list) -> staged rows.

A sheet (or CSV) is recognised as list N by its name ("List 3", "list3_referrals.csv") or, failing
that, by its columns. Headers are matched case- and space-insensitively; codes are read with or
without their "a) " prefixes. Every list starts with ``Child Unique ID``, ``Gender``, ``Ethnicity``,
``Date of Birth``.

| list | contract |
|---|---|
| 3 referrals | ``referrals`` (NFA "Yes": outcome nfa) |
| 4 assessments | ``assessments`` (team from ``Allocated Team``; "requiring support?" No: outcome nfa) |
| 6 children in need | ``children``; ``visits`` (cin, ``Date Child Was Last Seen``) |
| 7 child protection | ``cp_plans``; ``plan_reviews`` (latest review conference); ``visits`` (cp) |
| 8 looked after | ``cla_episodes``; ``visits`` (cla) |
| 9 care leavers | ``children`` |
| 6, 7, 8, 9 while open | ``allocations`` as at the extract date: ``Allocated Worker`` (blank: awaiting |
| | allocation) and ``Allocated Team``; ``workers``, ``teams`` |
| 1, 2, 5, 10, 11 | not in the contract: rows counted as not imported |

An Annex A gives allocations as at its extract date only: each starts on that date (``--extract-date``,
default the latest date in the lists that is not in the future) and is open.
"""

from __future__ import annotations

import csv
import hashlib
import re
from datetime import date
from pathlib import Path

from .common import (
    BAD,
    FileTally,
    ImportFailed,
    category,
    code,
    first_of_month,
    looks_like_name,
    norm,
    order_key,
    parse_date,
    sex,
    text,
    yes,
)

KIND = "annex_a"
LIST_NAMES = {
    1: "contacts",
    2: "early help",
    3: "referrals",
    4: "assessments",
    5: "section 47 enquiries",
    6: "children in need",
    7: "child protection",
    8: "looked after",
    9: "care leavers",
    10: "adoption",
    11: "adopters",
}
#: Columns that identify a list when its sheet or file name does not.
SIGNATURE = {
    3: "dateofreferral",
    4: "continuousassessmentstartdate",
    5: "strategydiscussioninitiatingsection47enquirystartdate",
    6: "cinstartdate",
    7: "childprotectionplanstartdate",
    8: "datestartedtobelookedafter",
    9: "eligibilitycategory",
}
REQUIRED: dict[int, tuple[str, ...]] = {
    3: ("dateofreferral",),
    4: ("continuousassessmentstartdate",),
    7: ("childprotectionplanstartdate",),
    8: ("datestartedtobelookedafter",),
}
SPEC_NAMES = {
    "childuniqueid": "Child Unique ID",
    "dateofreferral": "Date of referral",
    "continuousassessmentstartdate": "Continuous Assessment Start Date",
    "childprotectionplanstartdate": "Child Protection Plan Start Date",
    "datestartedtobelookedafter": "Date Started to be Looked After",
}
FILLS = {
    "children": ("child_id", "birth_date", "sex", "ethnicity"),
    "referrals": ("referral_id", "child_id", "referral_date", "source", "outcome"),
    "assessments": (
        "assessment_id",
        "child_id",
        "team_id",
        "start_date",
        "completed_date",
        "authorised_date",
        "outcome",
    ),
    "cp_plans": ("plan_id", "child_id", "team_id", "start_date", "end_date", "category"),
    "cla_episodes": ("episode_id", "child_id", "start_date", "end_date", "legal_status", "end_reason"),
    "plan_reviews": ("review_id", "plan_type", "plan_id", "review_date"),
    "visits": ("visit_id", "child_id", "visit_date", "plan_type"),
    "allocations": ("allocation_id", "child_id", "worker_id", "team_id", "role", "start_date", "end_date"),
    "workers": ("worker_id", "worker_name", "team_id", "start_date"),
    "teams": ("team_id", "team_name"),
}


def team_id(name: str) -> str:
    """A team's id: its name in lower case, other characters as one '-' ("Assessment Team 1": assessment-team-1)."""
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-") or "team"


def worker_id(value: str) -> str:
    """A Social Work England number (SW12345) is the id as written (it links to SSDA903 and the workforce
    census); any other value (a name) gets a stable pseudonymous id, the name kept as ``worker_name``."""
    v = value.strip()
    if re.fullmatch(r"(?i)sw\s*\d+", v):
        return v.upper().replace(" ", "")
    return "AW-" + hashlib.sha1(" ".join(v.lower().split()).encode()).hexdigest()[:10]


def _list_number(name: str, headers: set[str]) -> int | None:
    m = re.search(r"list\s*_?\s*(\d{1,2})", name, re.I)
    if m:
        return int(m.group(1))
    for n, sig in SIGNATURE.items():
        if sig in headers:
            return n
    return None


def _tables(path: Path):
    """(source name, list name, header row, row iterator) for each sheet or CSV."""
    if path.is_dir():
        files = sorted(p for p in path.iterdir() if p.suffix.lower() in (".csv", ".xlsx"))
        if not files:
            raise ImportFailed(f"{path}: no .xlsx or .csv file in the folder")
        for p in files:
            yield from _tables(p)
        return
    if path.suffix.lower() == ".csv":
        try:
            with open(path, newline="", encoding="utf-8-sig") as fh:
                rows = list(csv.reader(fh))
        except UnicodeDecodeError:
            raise ImportFailed(f"{path.name}: not UTF-8 text (save the list as CSV UTF-8)") from None
        except OSError as exc:
            raise ImportFailed(f"{path.name}: cannot be read ({exc.strerror or exc})") from None
        yield path.name, path.stem, rows
        return
    if path.suffix.lower() != ".xlsx":
        raise ImportFailed(f"{path.name}: not an Annex A workbook (.xlsx) or list (.csv)")
    from openpyxl import load_workbook

    try:
        wb = load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # noqa: BLE001 - any unreadable workbook is one message
        raise ImportFailed(f"{path.name}: not a readable .xlsx workbook ({type(exc).__name__})") from None
    try:
        for ws in wb.worksheets:
            yield path.name, ws.title, [list(r) for r in ws.iter_rows(values_only=True)]
    finally:
        wb.close()


def parse(path: Path, seq: int, stage, today: date, extract_date: date | None = None) -> list[FileTally]:
    if not path.exists():
        raise ImportFailed(f"{path}: no such file or folder")
    for table, cols in FILLS.items():
        stage.declare(table, cols)
    staged: list[tuple[str, dict]] = []
    tallies: dict[str, FileTally] = {}
    latest: date | None = None
    n_sheet = 0
    for fname, sheet, rows in _tables(path):
        n_sheet += 1
        head_at = next((i for i, r in enumerate(rows[:20]) if "childuniqueid" in {norm(c) for c in r if c}), None)
        if head_at is None:
            continue  # a notes or cover sheet: no list in it
        header = [norm(c) for c in rows[head_at]]
        number = _list_number(sheet, set(header))
        label = fname if fname.lower().endswith(".csv") else f"{fname} [{sheet}]"
        tally = tallies.setdefault(label, FileTally(KIND, label))
        record = f"List {number} {LIST_NAMES.get(number, '')}".strip() if number else f"sheet {sheet}"
        for col in REQUIRED.get(number, ()) if number is not None else ():
            if col not in header:
                raise ImportFailed(f"{label}: missing required column {SPEC_NAMES[col]} (List {number})")
        for raw in rows[head_at]:
            if raw and looks_like_name(raw):
                tally.notes.append(f"column {str(raw).strip()} looks like a name: never imported")
        keep = [
            i for i, (raw, h) in enumerate(zip(rows[head_at], header, strict=True)) if h and not looks_like_name(raw)
        ]
        for i, r in enumerate(rows[head_at + 1 :], start=1):
            values = {header[j]: (r[j] if j < len(r) else None) for j in keep}
            if all(v is None or str(v).strip() == "" for v in values.values()):
                continue  # blank line
            tally.read[record] += 1
            ords = order_key(seq * 100 + n_sheet, i * 10)
            for table, row in _row(number, values, record, tally, today) or ():
                ords += 1
                row.update(_kind=KIND, _file=label, _record=record, _ord=ords)
                staged.append((table, row))
                for v in row.values():
                    if isinstance(v, date) and v <= today and (latest is None or v > latest):
                        latest = v
    if n_sheet and not tallies:
        raise ImportFailed(f"{path.name}: no Annex A list found (no sheet with a Child Unique ID column)")
    as_at = extract_date or latest or today
    for _, row in staged:
        if row.pop("_as_at", False):
            row["start_date"] = as_at
    by_table: dict[str, list[dict]] = {}
    for table, row in staged:
        by_table.setdefault(table, []).append(row)
    for table, rows in by_table.items():
        stage.add(table, rows)
    first = next(iter(tallies.values()))
    first.notes.append(
        f"allocations as at {as_at.isoformat()}"
        + (" (--extract-date)" if extract_date else " (the latest date in the lists; set it with --extract-date)")
    )
    return list(tallies.values())


def _d(values, key, flags, name):
    d = parse_date(values.get(key))
    if d is BAD:
        flags.append(f"{name} is not a date (loaded as blank)")
        return None
    return d


def _row(number, v, record, tally, today):
    """Staged (table, row) pairs for one list row; the first is the record's own (``_primary``)."""
    child = text(v.get("childuniqueid"))
    if not child:
        tally.reject(record, "no Child Unique ID")
        return None
    if number not in (3, 4, 6, 7, 8, 9):
        tally.reject(record, f"not in the data contract ({record}): not imported")
        return None
    flags: list[str] = []
    dob = _d(v, "dateofbirth", flags, "Date of Birth")
    kid = dict(
        child_id=child, birth_date=first_of_month(dob), sex=sex(v.get("gender")), ethnicity=code(v.get("ethnicity"))
    )
    team_name = text(v.get("allocatedteam"))
    worker = text(v.get("allocatedworker"))
    tid = team_id(team_name) if team_name else None
    out: list[tuple[str, dict]] = []
    still_open = True

    def flag_dates(start, end, s_name, e_name):
        if start and end and end < start:
            flags.append(f"{e_name} before {s_name}")
        if (start and start > today) or (end and end > today):
            flags.append("a date in the future")

    if number == 3:
        rd = _d(v, "dateofreferral", flags, "Date of referral")
        if rd is None:
            tally.reject(record, "Date of referral missing or not a date")
            return None
        nfa = yes(v.get("referralnfa"))
        flag_dates(rd, None, "", "")
        out.append(
            (
                "referrals",
                dict(
                    referral_id=f"{child}/{rd.isoformat()}",
                    child_id=child,
                    referral_date=rd,
                    source=code(v.get("referralsource")),
                    outcome="nfa" if nfa else None,
                ),
            )
        )
        still_open = False
    elif number == 4:
        start = _d(v, "continuousassessmentstartdate", flags, "Continuous Assessment Start Date")
        if start is None:
            tally.reject(record, "Continuous Assessment Start Date missing or not a date")
            return None
        auth = _d(v, "continuousassessmentdateofauthorisation", flags, "Date of Authorisation")
        support = yes(v.get("wasthechildassessedasrequiringlachildrenssocialcaresupport"))
        flag_dates(start, auth, "Continuous Assessment Start Date", "Date of Authorisation")
        out.append(
            (
                "assessments",
                dict(
                    assessment_id=f"{child}/{start.isoformat()}",
                    child_id=child,
                    team_id=tid,
                    start_date=start,
                    completed_date=auth,
                    authorised_date=auth,
                    outcome="nfa" if support is False else None,
                ),
            )
        )
        still_open = False
    elif number == 6:
        closed = _d(v, "cinclosuredate", flags, "CIN Closure Date")
        seen = _d(v, "datechildwaslastseen", flags, "Date Child Was Last Seen")
        flag_dates(_d(v, "cinstartdate", flags, "CIN Start Date"), closed, "CIN Start Date", "CIN Closure Date")
        out.append(("children", dict(kid)))
        if seen:
            out.append(
                (
                    "visits",
                    dict(visit_id=f"{child}/cin/{seen.isoformat()}", child_id=child, visit_date=seen, plan_type="cin"),
                )
            )
        still_open = closed is None
    elif number == 7:
        start = _d(v, "childprotectionplanstartdate", flags, "Child Protection Plan Start Date")
        if start is None:
            tally.reject(record, "Child Protection Plan Start Date missing or not a date")
            return None
        end = _d(v, "childprotectionplanenddate", flags, "Child Protection Plan End Date")
        flag_dates(start, end, "Child Protection Plan Start Date", "Child Protection Plan End Date")
        plan_id = f"{child}/{start.isoformat()}"
        out.append(
            (
                "cp_plans",
                dict(
                    plan_id=plan_id,
                    child_id=child,
                    team_id=tid,
                    start_date=start,
                    end_date=end,
                    category=category(v.get("latestcategoryofabuse") or v.get("initialcategoryofabuse")),
                ),
            )
        )
        review = _d(v, "dateoflatestreviewconference", flags, "Date of latest review conference")
        if review:
            out.append(
                (
                    "plan_reviews",
                    dict(
                        review_id=f"{plan_id}/{review.isoformat()}", plan_type="cp", plan_id=plan_id, review_date=review
                    ),
                )
            )
        visit = _d(v, "dateofthelaststatutoryvisit", flags, "Date of the Last Statutory Visit")
        if visit:
            out.append(
                (
                    "visits",
                    dict(visit_id=f"{child}/cp/{visit.isoformat()}", child_id=child, visit_date=visit, plan_type="cp"),
                )
            )
        still_open = end is None
    elif number == 8:
        start = _d(v, "datestartedtobelookedafter", flags, "Date Started to be Looked After")
        if start is None:
            tally.reject(record, "Date Started to be Looked After missing or not a date")
            return None
        end = _d(v, "dateceasedtobelookedafter", flags, "Date Ceased to be Looked After")
        flag_dates(start, end, "Date Started to be Looked After", "Date Ceased to be Looked After")
        from .ssda903 import END_REASON, LEGAL_STATUS

        ls = _leading_code(v.get("childslegalstatus"))
        rec = _leading_code(v.get("reasonceasedtobelookedafter"))
        out.append(
            (
                "cla_episodes",
                dict(
                    episode_id=f"{child}/{start.isoformat()}",
                    child_id=child,
                    start_date=start,
                    end_date=end,
                    legal_status=LEGAL_STATUS.get(ls, ls) if ls else None,
                    end_reason=END_REASON.get(rec, rec) if rec else None,
                ),
            )
        )
        visit = _d(v, "dateoflastsocialworkvisit", flags, "Date of Last Social Work Visit")
        if visit:
            out.append(
                (
                    "visits",
                    dict(
                        visit_id=f"{child}/cla/{visit.isoformat()}", child_id=child, visit_date=visit, plan_type="cla"
                    ),
                )
            )
        still_open = end is None
    else:  # 9 care leavers
        out.append(("children", dict(kid)))
    flag = "; ".join(dict.fromkeys(flags)) or None
    for i, (_, row) in enumerate(out):
        row["_primary"] = i == 0
        row["_flag"] = flag if i == 0 else None
    if out[0][0] != "children":
        out.append(("children", dict(kid, _primary=False, _flag=None)))
    if still_open and number in (6, 7, 8, 9):
        wid = worker_id(worker) if worker else None
        out.append(
            (
                "allocations",
                dict(
                    allocation_id=f"{child}/{wid or '-'}/{tid or '-'}",
                    child_id=child,
                    worker_id=wid,
                    team_id=tid,
                    role="key_worker",
                    end_date=None,
                    _as_at=True,
                    _primary=False,
                    _flag=None,
                ),
            )
        )
        if wid:
            out.append(
                (
                    "workers",
                    dict(worker_id=wid, worker_name=worker, team_id=tid, _as_at=True, _primary=False, _flag=None),
                )
            )
    if tid and (number in (4, 7) or still_open):
        out.append(("teams", dict(team_id=tid, team_name=team_name, _primary=False, _flag=None)))
    return out


def _leading_code(value) -> str | None:
    c = code(value)
    if c is None:
        return None
    m = re.match(r"^([A-Z]\d[0-9A-Z]?)\b", c.upper())
    return m.group(1) if m else c
