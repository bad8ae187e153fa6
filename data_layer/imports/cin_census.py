"""DfE CIN census XML (any year from 2017: ``Sex`` or ``GenderCurrent``) -> staged contract rows.

Parsed with defusedxml (entities, external references and any DTD refused: a CIN census never
has one), streaming child by child so a national file does not need to fit in memory.

| CIN census | contract |
|---|---|
| ``Child`` (``LAchildID``, ``PersonBirthDate``, ``Sex``/``GenderCurrent``, ``Ethnicity``, |
| ``Disabilities``) | ``children`` |
| ``CINdetails`` (``CINreferralDate``, ``ReferralSource``, ``ReferralNFA``, ``CINclosureDate``) | ``referrals`` |
| ``Assessments`` (``AssessmentActualStartDate``, ``AssessmentAuthorisationDate``) | ``assessments`` |
| ``CINPlanDates`` (``CINPlanStartDate``, ``CINPlanEndDate``) | ``cin_plans`` |
| ``ChildProtectionPlans`` (``CPPstartDate``, ``CPPendDate``, ``LatestCategoryOfAbuse``) | ``cp_plans`` |
| ``ChildProtectionPlans/Reviews/CPPreviewDate`` | ``plan_reviews`` (``plan_type`` cp) |
| ``Section47`` | not in the contract: counted as not imported |
"""

from __future__ import annotations

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
    order_key,
    parse_date,
    sex,
    text,
    yes,
)

KIND = "cin_census"
FILLS = {
    "children": ("child_id", "birth_date", "sex", "ethnicity", "disability"),
    "referrals": ("referral_id", "child_id", "referral_date", "source", "outcome", "closure_date"),
    "assessments": ("assessment_id", "child_id", "start_date", "completed_date", "authorised_date"),
    "cin_plans": ("plan_id", "child_id", "start_date", "end_date"),
    "cp_plans": ("plan_id", "child_id", "start_date", "end_date", "category"),
    "plan_reviews": ("review_id", "plan_type", "plan_id", "review_date"),
}


def _tag(el) -> str:
    t = el.tag
    return t.rsplit("}", 1)[-1] if isinstance(t, str) else ""


def _iter(path: Path):
    import defusedxml.ElementTree as ET
    from defusedxml import DefusedXmlException

    try:
        yield from ET.iterparse(str(path), events=("end",), forbid_dtd=True, forbid_entities=True, forbid_external=True)
    except DefusedXmlException as exc:
        raise ImportFailed(
            f"{path.name}: refused: the XML declares a DTD or entities ({type(exc).__name__}); "
            "a return never does, and they are not expanded"
        ) from None
    except ET.ParseError as exc:
        raise ImportFailed(f"{path.name}: not well-formed XML ({exc})") from None
    except OSError as exc:
        raise ImportFailed(f"{path.name}: cannot be read ({exc.strerror or exc})") from None


def reference_date(path: Path):
    """The census ``ReferenceDate`` (None when absent); reads only as far as the header."""
    for _, el in _iter(path):
        tag = _tag(el)
        if tag == "ReferenceDate":
            d = parse_date(el.text)
            return d if d is not BAD else None
        if tag in ("Child", "Children"):
            return None
    return None


def _find(el, name):
    for child in el:
        if _tag(child) == name:
            return child
    return None


def _all(el, name):
    return [c for c in el if _tag(c) == name]


def _val(el, name):
    c = _find(el, name) if el is not None else None
    return text(c.text) if c is not None else None


def parse(path: Path, seq: int, stage) -> FileTally:
    """Stage one CIN census file; return what was read and rejected."""
    tally = FileTally(KIND, path.name)
    for table, cols in FILLS.items():
        stage.declare(table, cols)
    rows: dict[str, list[dict]] = {t: [] for t in FILLS}
    ref = None
    seen_message = False
    names_seen: dict[str, int] = {}
    n = 0
    for _, el in _iter(path):
        tag = _tag(el)
        if tag == "Message":
            seen_message = True
        if looks_like_name(tag):
            names_seen[tag] = names_seen.get(tag, 0) + 1
        if tag == "ReferenceDate":
            d = parse_date(el.text)
            ref = d if d is not BAD else None
        if tag != "Child":
            continue
        n += 1
        _child(el, tally, rows, ref, path.name, seq, n)
        el.clear()
        if sum(len(v) for v in rows.values()) > 50_000:
            _flush(stage, rows)
    if not seen_message and n == 0:
        raise ImportFailed(f"{path.name}: not a CIN census (no Message element and no Child records)")
    _flush(stage, rows)
    for tag, count in sorted(names_seen.items()):
        tally.notes.append(f"element {tag} ({count} times) looks like a name: never imported")
    return tally


def _flush(stage, rows):
    for table, lst in rows.items():
        if lst:
            stage.add(table, lst)
            lst.clear()


def _flags(ref, *pairs, order=()):
    """Data-quality flags of a record: an end before its start, a date after the census reference date."""
    out = []
    for (s_name, s), (e_name, e) in order:
        if isinstance(s, date) and isinstance(e, date) and e < s:
            out.append(f"{e_name} before {s_name}")
    for name, d in pairs:
        if d is BAD:
            out.append(f"{name} is not a date (loaded as blank)")
        elif ref is not None and d is not None and d > ref:
            out.append(f"{name} after the census reference date")
    return "; ".join(out) or None


def _d(v):
    return None if v is BAD else v


def _child(el, tally, rows, ref, fname, seq, n):
    ids = _find(el, "ChildIdentifiers")
    chars = _find(el, "ChildCharacteristics")
    child_id = _val(ids, "LAchildID")
    details = _all(el, "CINdetails")
    tally.read["Child"] += 1
    counts = {"CINdetails": len(details)}
    for det in details:
        for kind, path in (
            ("Assessment", "Assessments"),
            ("CINPlanDates", "CINPlanDates"),
            ("Section47", "Section47"),
            ("ChildProtectionPlan", "ChildProtectionPlans"),
        ):
            counts[kind] = counts.get(kind, 0) + len(_all(det, path))
        for cpp in _all(det, "ChildProtectionPlans"):
            for rev in _all(cpp, "Reviews"):
                counts["CPPreview"] = counts.get("CPPreview", 0) + len(_all(rev, "CPPreviewDate"))
    for k, v in counts.items():
        if v:
            tally.read[k] += v
    if not child_id:
        tally.reject("Child", "no LAchildID")
        for k, v in counts.items():
            if v:
                tally.reject(k, "its child has no LAchildID", v)
        return
    meta = dict(_kind=KIND, _file=fname)
    row_no = [n * 10_000]

    def m(record, primary=True, flag=None):
        row_no[0] += 1
        return dict(meta, _record=record, _ord=order_key(seq, row_no[0]), _primary=primary, _flag=flag)

    dob = parse_date(_val(ids, "PersonBirthDate"))
    disabilities = []
    dis = _find(chars, "Disabilities") if chars is not None else None
    if dis is not None:
        disabilities = [t for d in _all(dis, "Disability") if (t := text(d.text))]
    disability = None if not disabilities else any(d.upper() != "NONE" for d in disabilities)
    gender = _val(ids, "Sex") or _val(ids, "GenderCurrent")
    rows["children"].append(
        dict(
            child_id=child_id,
            birth_date=first_of_month(_d(dob)),
            sex=sex(gender),
            ethnicity=code(_val(chars, "Ethnicity")),
            disability=disability,
            **m("Child", flag=_flags(ref, ("PersonBirthDate", dob))),
        )
    )
    for det in details:
        rdate = parse_date(_val(det, "CINreferralDate"))
        close = parse_date(_val(det, "CINclosureDate"))
        assessments = _all(det, "Assessments")
        if rdate is None or rdate is BAD:
            tally.reject("CINdetails", "CINreferralDate missing or not a date")
        else:
            nfa = yes(_val(det, "ReferralNFA"))
            outcome = "nfa" if nfa else ("assessment" if assessments else None)
            rows["referrals"].append(
                dict(
                    referral_id=f"{child_id}/{rdate.isoformat()}",
                    child_id=child_id,
                    referral_date=rdate,
                    source=code(_val(det, "ReferralSource")),
                    outcome=outcome,
                    closure_date=_d(close),
                    **m(
                        "CINdetails",
                        flag=_flags(
                            ref,
                            ("CINreferralDate", rdate),
                            ("CINclosureDate", close),
                            order=((("CINreferralDate", rdate), ("CINclosureDate", close)),),
                        ),
                    ),
                )
            )
        for a in assessments:
            start = parse_date(_val(a, "AssessmentActualStartDate"))
            auth = parse_date(_val(a, "AssessmentAuthorisationDate"))
            if start is None or start is BAD:
                tally.reject("Assessment", "AssessmentActualStartDate missing or not a date")
                continue
            rows["assessments"].append(
                dict(
                    assessment_id=f"{child_id}/{start.isoformat()}",
                    child_id=child_id,
                    start_date=start,
                    completed_date=_d(auth),
                    authorised_date=_d(auth),
                    **m(
                        "Assessment",
                        flag=_flags(
                            ref,
                            ("AssessmentActualStartDate", start),
                            ("AssessmentAuthorisationDate", auth),
                            order=((("AssessmentActualStartDate", start), ("AssessmentAuthorisationDate", auth)),),
                        ),
                    ),
                )
            )
        for p in _all(det, "CINPlanDates"):
            start, end = parse_date(_val(p, "CINPlanStartDate")), parse_date(_val(p, "CINPlanEndDate"))
            if start is None or start is BAD:
                tally.reject("CINPlanDates", "CINPlanStartDate missing or not a date")
                continue
            rows["cin_plans"].append(
                dict(
                    plan_id=f"{child_id}/{start.isoformat()}",
                    child_id=child_id,
                    start_date=start,
                    end_date=_d(end),
                    **m(
                        "CINPlanDates",
                        flag=_flags(
                            ref,
                            ("CINPlanStartDate", start),
                            ("CINPlanEndDate", end),
                            order=((("CINPlanStartDate", start), ("CINPlanEndDate", end)),),
                        ),
                    ),
                )
            )
        for _ in _all(det, "Section47"):
            tally.reject("Section47", "not in the data contract (section 47 enquiries): not imported")
        for cpp in _all(det, "ChildProtectionPlans"):
            start, end = parse_date(_val(cpp, "CPPstartDate")), parse_date(_val(cpp, "CPPendDate"))
            reviews = [r for rev in _all(cpp, "Reviews") for r in _all(rev, "CPPreviewDate")]
            if start is None or start is BAD:
                tally.reject("ChildProtectionPlan", "CPPstartDate missing or not a date")
                if reviews:
                    tally.reject("CPPreview", "its CP plan has no start date", len(reviews))
                continue
            plan_id = f"{child_id}/{start.isoformat()}"
            cat = category(_val(cpp, "LatestCategoryOfAbuse") or _val(cpp, "InitialCategoryOfAbuse"))
            rows["cp_plans"].append(
                dict(
                    plan_id=plan_id,
                    child_id=child_id,
                    start_date=start,
                    end_date=_d(end),
                    category=cat,
                    **m(
                        "ChildProtectionPlan",
                        flag=_flags(
                            ref,
                            ("CPPstartDate", start),
                            ("CPPendDate", end),
                            order=((("CPPstartDate", start), ("CPPendDate", end)),),
                        ),
                    ),
                )
            )
            for r in reviews:
                rd = parse_date(r.text)
                if rd is None or rd is BAD:
                    tally.reject("CPPreview", "CPPreviewDate missing or not a date")
                    continue
                rows["plan_reviews"].append(
                    dict(
                        review_id=f"{plan_id}/{rd.isoformat()}",
                        plan_type="cp",
                        plan_id=plan_id,
                        review_date=rd,
                        **m(
                            "CPPreview",
                            flag=_flags(
                                ref, ("CPPreviewDate", rd), order=((("CPPstartDate", start), ("CPPreviewDate", rd)),)
                            ),
                        ),
                    )
                )
