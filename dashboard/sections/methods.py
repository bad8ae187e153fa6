""" "How this is worked out": each page's method text in one folded note, so the page reads in plain words.

The statistics and counting rules behind a page (Kaplan-Meier, how a drift flag or a working day is
counted, how a JARP referral is scored) used to sit in the charts' notes; here each page has one
``Note(kind="method")`` (folded on screen by ``dashboard.render.note_view``, printed in the pack),
formatted from the standards and the vocabulary in force, so it never states a number of its own.
"""

from __future__ import annotations

from calendar import day_name

from data_layer.metrics.jarp_scoring import rules_for
from data_layer.standards import Standards, cite, source_of
from data_layer.vocabulary import DRIFT_FLAGS, STATUSES, render

from .base import Note, Section


def method_section(page_key: str, text: str) -> Section:
    """The page's method note as its own block, after the page's figures (``<page>-method``)."""
    note = Note(id=f"{page_key}-method", text=text, kind="method")
    return Section(id=f"{page_key}-method-section", title=None, items=(note,), card=False)


def _cited(text: str, source: str) -> str:
    """A sentence ending with its source, unless it names it already."""
    return text if source in text else f"{text.rstrip('.')} ({source})."


def caseloads_method(s: Standards) -> str:
    statuses = ", ".join(STATUSES.short(code, s) for code in STATUSES.codes)
    return "\n".join(
        [
            "- **Caseload**: the children a worker is key worker for on the as-at date (key-worker allocations "
            "started on or before the date and not ended by it), each child once.",
            f"- **Status**: each child is counted under the first of these that applies on the date: {statuses}. "
            f"A care leaver is aged {s.care_leaver_min_age} to {s.care_leaver_max_age} and was looked after before.",
            f"- **Target**: {s.caseload_per_fte:g} children x the worker's FTE ({source_of('caseload_per_fte')}); "
            "a worker is over target with more children than that. Workers in post on the date in the selected "
            "teams are shown, including those with no children.",
            "- **Trend**: each point is a week-end date, with the workers in post that day.",
            "- **Unallocated**: open to the service on the date (an open plan, care episode, referral or "
            "assessment) with no key worker, or with a student or unqualified worker as key worker "
            f"({cite('004 App. 4')}).",
        ]
    )


def plans_method(s: Standards) -> str:
    flags = "\n".join(
        f"  - *{render(f.label, s)}*: {_cited(render(f.description, s), source_of(f.standard))}" for f in DRIFT_FLAGS
    )
    return "\n".join(
        [
            "- **Duration**: days from a plan's start to its end, or to the as-at date for a plan still open. "
            f"Closed plans are those that ended in the {s.window} to the date. A duration band includes its "
            f"upper edge: a plan of exactly {s.cin_max_months} calendar months is in the band that ends there.",
            "- **How long plans stay open (Kaplan-Meier)**: plans still open count as open up to the as-at date "
            "(they are *censored*) instead of being left out, so the curve and the median include the long plans "
            "still running. An average of closed plans leaves those out and so understates how long plans last. "
            f"The shaded band around a curve is its {s.confidence_level:.0%} confidence interval.",
            "- **Drift flags** on the as-at date, each judged on its own (a plan can carry several); months are "
            "calendar months, and a review or visit is overdue when the last one (or the plan's start, before the "
            "first) is longer ago than the standard:",
            flags,
            "- **Trend**: open plans on the same day of each month. Review and visit flags need the records of "
            "that day, so they are shown for the as-at date only (by team and in the drift list).",
        ]
    )


def transfers_method(s: Standards) -> str:
    return "\n".join(
        [
            "- **Working days**: Monday to Friday, not counting England and Wales bank holidays. The day of the "
            "request counts and the day of completion does not, so a same-day transfer took 0 working days. "
            f"A transfer is on time within {s.transfer_working_days} working days "
            f"({source_of('transfer_working_days')}); a pending transfer shows the working days waited so far.",
            "- **Judged so far**: the shares on time count completed transfers and pending ones already late; a "
            "pending transfer still within the standard is not counted yet.",
            f"- **Notice**: {s.transfer_notice_days} or more days from notification to completion "
            f"({source_of('transfer_notice_days')}). **Joint visit**: on the day of transfer or up to "
            f"{s.joint_visit_days} days before it ({source_of('joint_visit_days')}). None recorded counts as not met.",
            f"- **Key-worker changes**: key-worker allocations a child started in the {s.window} to the date, minus "
            "one. Every child with a key worker at any time in that period is counted, including those with no "
            f"change; children with {s.keyworker_changes_alert} or more are listed "
            f"({source_of('keyworker_changes_alert')}).",
        ]
    )


def jarp_method(s: Standards) -> str:
    rules = rules_for(s)
    exclusive = "; ".join(" and ".join(f'"{rules.descriptions[c]}"' for c in g) for g in rules.exclusive if g)
    criteria = "\n".join(f"  - {rules.descriptions[c]}: {render('{s:points}', pts)}" for c, pts in rules.points.items())
    cutoff = render("{s.jarp_cutoff_hour:clock}", s)
    return "\n".join(
        [
            "- **Score**: the points of each risk criterion recorded for the referral, added up "
            f"({cite('003 App. B')}). Of {exclusive}, only the higher counts:",
            criteria,
            f"- **Priority**: P1 from {rules.p1_min} points, P2 from {rules.p2_min}, P3 from {rules.p3_min}; below "
            "that, no priority (checked before the panel). A direct-referral exception (police protection, an "
            "emergency protection order, a first looked-after episode, a court direction) is P1 at any score.",
            f"- **Timetable**: referrals in by {cutoff} on {day_name[rules.cutoff_weekday]} go to the next "
            f"{day_name[rules.panel_weekday]} panel ({cite('003 App. A')}); carried-over referrals stay on the "
            "agenda, and the queue counts referrals submitted and not yet decided at each week's end.",
            "- **Response times**: from the panel decision to the first family-support response. P1 is counted in "
            "calendar days, P2 and P3 in working days (England and Wales bank holidays excluded). Declined "
            "referrals have no target; a response not begun once the target has passed is late.",
            f"- **Progress reviews**: due on the recorded next review date, else {rules.review_weeks} weeks after "
            f"the panel decision, and flagged {rules.review_notice_days} days ahead.",
        ]
    )


__all__ = ["caseloads_method", "jarp_method", "method_section", "plans_method", "transfers_method"]
