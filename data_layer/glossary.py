"""The glossary: the words and abbreviations the pages use, each in plain English and with its source.

A page says "CIN", "JARP" or "Kaplan-Meier" once in its lede and links it here, so a head of service
or a board member need not know the jargon. A definition that states a standard is a template
formatted from the standards in force (:func:`data_layer.vocabulary.render`), so an authority's
standards file changes the words too; the priorities' and ratings' definitions are the vocabulary's
own lines, not a second copy. ``aliases`` are the spellings a text may use (matched as whole words;
an all-capitals alias matches its case only). Plain data: no Dash.
"""

from __future__ import annotations

from dataclasses import dataclass

from .standards import cite
from .vocabulary import PRIORITIES, RAG_BANDS, render


@dataclass(frozen=True)
class GlossaryTerm:
    """One glossary entry; ``key`` makes its anchor (``glossary-<key>``), ``source`` a citation code or title."""

    key: str
    term: str
    meaning: str  # what the abbreviation stands for ("" for a word that is its own meaning)
    definition: str  # a template (``{s.cin_review_days:days}``)
    source: str = ""
    aliases: tuple[str, ...] = ()

    @property
    def anchor(self) -> str:
        return f"glossary-{self.key}"

    @property
    def spellings(self) -> tuple[str, ...]:
        """The term and its aliases, longest first (so 'child in need' wins over a shorter spelling)."""
        return tuple(sorted({self.term, *self.aliases}, key=len, reverse=True))


def _priority(code: str) -> str:
    return PRIORITIES[code].description  # the vocabulary's template: one wording of each priority


TERMS: tuple[GlossaryTerm, ...] = (
    GlossaryTerm(
        "cin",
        "CIN",
        "Child in need",
        "A child assessed as needing services to be safe and well (Children Act 1989, section 17), supported "
        "on a CIN plan with the family's agreement. The plan is reviewed at least every "
        "{s.cin_review_days:days}, the child visited at least every {s.cin_visit_days:days}, and a plan is not "
        "expected to last beyond {s.cin_max_months:months}.",
        "001",
        ("child in need", "children in need"),
    ),
    GlossaryTerm(
        "cp",
        "CP",
        "Child protection",
        "A child protection plan, made when an initial child protection conference (ICPC) finds a child at risk "
        "of significant harm. The child is visited at least every {s.cp_visit_days:days}; plans lasting "
        "{s.cp_max_months:years} or more are counted nationally.",
        "000",
        ("child protection",),
    ),
    GlossaryTerm(
        "cla",
        "CLA",
        "Child looked after",
        "A child in the local authority's care: under a care order, or accommodated with the parents' agreement "
        "(section 20). Also written LAC (looked-after child).",
        "",
        ("LAC", "looked after", "looked-after"),
    ),
    GlossaryTerm(
        "care-leaver",
        "Care leaver",
        "",
        "A young person aged {s.care_leaver_min_age} to {s.care_leaver_max_age} who was looked after before and "
        "is no longer on a plan or in care; the authority still supports them.",
        "project definition",
        ("care leavers",),
    ),
    GlossaryTerm(
        "plo",
        "PLO",
        "Public Law Outline",
        "The steps before and during care proceedings in court; a case 'in PLO' is one where the authority is "
        "considering going to court.",
        "000",
    ),
    GlossaryTerm(
        "jarp",
        "JARP",
        "Joint Allocation Resource Panel",
        "The weekly panel ({s.jarp_panel_weekday:weekday}s) that decides which families get family-support "
        "services and how urgently. Referrals in by {s.jarp_cutoff_hour:clock} on "
        "{s.jarp_cutoff_weekday:weekday} go to the next panel; each is scored against risk criteria and given a "
        "priority (P1, P2, P3), and services are reviewed every {s.jarp_review_weeks} weeks.",
        "003 3.6",
        ("Joint Allocation Resource Panel",),
    ),
    GlossaryTerm("p1", "P1", "Priority 1 (urgent)", _priority("P1"), "003 App. B", ("priority 1",)),
    GlossaryTerm("p2", "P2", "Priority 2", _priority("P2"), "003 App. B", ("priority 2",)),
    GlossaryTerm("p3", "P3", "Priority 3", _priority("P3"), "003 App. B", ("priority 3",)),
    GlossaryTerm(
        "tm",
        "TM",
        "Team Manager",
        "Manages a team of social workers and chairs a CIN plan's reviews at {s.cin_tm_review_first_months:months} "
        "and {s.cin_tm_review_second_months:months}.",
        "001",
        ("Team Manager",),
    ),
    GlossaryTerm(
        "sm",
        "SM",
        "Service Manager",
        "Manages a service of several teams and reviews every CIN plan still open after "
        "{s.cin_sm_review_months:months}.",
        "001",
        ("Service Manager",),
    ),
    GlossaryTerm(
        "icpc",
        "ICPC",
        "Initial child protection conference",
        "The meeting of the family and the professionals involved that decides whether a child needs a CP plan. "
        "'After ICPC' is one of the points at which a case moves to another team.",
        "004",
    ),
    GlossaryTerm(
        "rcpc",
        "RCPC",
        "Review child protection conference",
        "The meeting that reviews a CP plan and decides whether it is still needed: the first within three "
        "months of the ICPC, then at least every six months.",
        "Working Together to Safeguard Children (national guidance)",
    ),
    GlossaryTerm(
        "step-down",
        "Step-down",
        "",
        "A case moving to a less intensive plan: a CP plan replaced by a CIN plan, or a child leaving care on a "
        "CIN plan. A CIN plan after a CP step-down is expected to close within {s.step_down_max_days:weeks}.",
        "000",
        ("step-downs", "stepped down", "step down"),
    ),
    GlossaryTerm(
        "fte",
        "FTE",
        "Full-time equivalent",
        "A worker's hours as a share of full time: 1 is full time, 0.5 half time. A worker's caseload target is "
        "{s.caseload_per_fte:g} children per FTE (so {s.caseload_per_fte:g} x 0.5 for a half-time worker).",
        "000",
        ("full-time equivalent",),
    ),
    GlossaryTerm(
        "nqsw",
        "NQSW",
        "Newly qualified social worker",
        "A social worker in their first year of practice. A student, or an NQSW not yet registered, cannot be a "
        "child's key worker.",
        "004 App. 4",
    ),
    GlossaryTerm(
        "key-worker",
        "Key worker",
        "",
        "The qualified, registered worker responsible for a child's case. Changes of key worker are kept to a "
        "minimum, because each one means the child telling their story again.",
        "004 App. 4",
        ("key workers", "key-worker"),
    ),
    GlossaryTerm(
        "caseload",
        "Caseload",
        "",
        "The children a worker is key worker for on the date. The standard is {s.caseload_per_fte:g} children "
        "per FTE, counting CP, CIN, PLO and looked-after children alike.",
        "000",
        ("caseloads",),
    ),
    GlossaryTerm(
        "unallocated",
        "Unallocated",
        "",
        "A child open to the service (an open plan, care episode, referral or assessment) with no qualified key "
        "worker on the date: none is allocated, or the worker holding the case is a student or unqualified.",
        "004 App. 4",
        ("unallocated children",),
    ),
    GlossaryTerm(
        "drift",
        "Drift",
        "",
        "An open plan going past a practice standard: a review or a visit overdue, or a plan open longer than "
        "expected. Each standard missed is a drift flag, and a plan can carry several.",
        "001",
        ("drifting", "drift flag", "drift flags"),
    ),
    GlossaryTerm(
        "transfer",
        "Transfer",
        "",
        "A case moving from one team to another at an agreed point (after the initial CIN meeting, after the "
        "ICPC, at the first looked-after review or at the first court hearing). It should complete within "
        "{s.transfer_working_days} working days of the request, with {s.transfer_notice_days} days' notice.",
        "003",
        ("transfers", "transfer point", "transfer points"),
    ),
    GlossaryTerm(
        "working-days",
        "Working days",
        "",
        "Monday to Friday, not counting England and Wales bank holidays.",
        "003",
        ("working day",),
    ),
    GlossaryTerm(
        "as-at-date",
        "As-at date",
        "",
        "The day the figures describe: caseloads, open plans and flags as they stood on that date, and periods "
        "counted back from it (the {s.reporting_window_months:months} to it). It is the latest date in the data "
        "unless you choose another.",
        "",
        ("as-at", "as at"),
    ),
    GlossaryTerm(
        "ssd",
        "SSD",
        "Standard Safeguarding Dataset",
        "A common shape for children's social care data that authorities build from their case systems "
        "(Data to Insight); the dashboard can read it directly.",
        "",
    ),
    GlossaryTerm(
        "rag",
        "RAG",
        "Red, amber, green",
        " ".join(f"{t.label}: {t.description}" for t in RAG_BANDS)
        + " The bands of each headline figure follow its standard and can be set by the authority.",
        "",
        ("red/amber/green",),
    ),
    GlossaryTerm(
        "kaplan-meier",
        "Kaplan-Meier",
        "",
        "A way to work out how long plans last when many are still open. An open plan counts for the time it "
        "has run so far instead of being left out, so the long plans still running are not lost and plans do "
        "not look shorter than they are.",
        "",
    ),
    GlossaryTerm(
        "confidence-interval",
        "Confidence interval",
        "",
        "The range a figure would probably fall in if the same work were done again with other children; "
        "shown at {s.confidence_level:percent} confidence. A wide range means the figure is uncertain.",
        "",
        ("CI", "confidence intervals"),
    ),
    GlossaryTerm(
        "difference-in-differences",
        "Difference-in-differences",
        "",
        "How much more the pilot team changed than the comparison teams: the pilot's change from before to "
        "during the pilot, less the comparison teams' change over the same time. A change every team saw is "
        "not credited to the pilot.",
        "002",
        ("difference in differences",),
    ),
    GlossaryTerm(
        "pilot",
        "Pilot",
        "",
        "A team trying a new way of working for a set time, compared with teams that did not. Cohorts under "
        "{s.pilot_min_cohort} plans are too small to judge.",
        "002",
        ("pilot team",),
    ),
    GlossaryTerm(
        "presentation-mode",
        "Presentation mode",
        "",
        "The view for a board or a shared screen: no lists of children, counts under {s.suppress_below} shown "
        "as '<{s.suppress_below}', and any figure that would reveal such a count hidden. The board pack is "
        "always in presentation mode.",
        "",
    ),
    GlossaryTerm(
        "board-pack",
        "Board pack",
        "",
        "Every page's charts and tables in one document to print or send, in presentation mode.",
        "",
    ),
)


@dataclass(frozen=True)
class GlossaryText:
    """A glossary entry as shown: its definition formatted from the standards and its source by title."""

    term: GlossaryTerm
    definition: str
    source: str


def glossary_terms(standards=None) -> list[GlossaryText]:
    """Every term in alphabetical order, with its definition for ``standards`` (the defaults when None)."""
    return [
        GlossaryText(t, render(t.definition, standards), cite(t.source) if t.source else "")
        for t in sorted(TERMS, key=lambda t: t.term.lower())
    ]


def term(key: str) -> GlossaryTerm:
    for t in TERMS:
        if t.key == key:
            return t
    raise KeyError(f"No glossary term {key!r}")


__all__ = ["GlossaryTerm", "GlossaryText", "TERMS", "glossary_terms", "term"]
