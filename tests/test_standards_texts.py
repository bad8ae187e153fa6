"""Every text that states a standard states the one in force: an authority's standards file changes the words.

Each page's sections are built on the small demo authority twice, with the default standards and
with a file overriding several of them, and the texts (page ledes, section titles and ledes, chart
titles, findings, summaries, notes, standards and annotations, tile labels, details, standards and
rules, table titles and column headers, the board pack's methods) are compared: the new values are
stated, and the old ones no longer are where a text stated them.
"""

from __future__ import annotations

import dataclasses
import re

import pytest

from dashboard.sections import all_sections, pages
from dashboard.sections.base import Chart, Table, View
from data_layer import Filters
from data_layer.queries.reference import latest_date
from data_layer.standards import load_standards

OVERRIDES = (
    "[standards]\n"
    "caseload_per_fte = 22\n"
    "transfer_working_days = 5\n"
    "cin_review_days = 28\n"
    "cp_visit_days = 7\n"
    "cin_max_months = 9\n"
    "cin_sm_review_months = 6\n"
    "cin_tm_review_second_months = 5\n"
    "suppress_below = 10\n"
    "reporting_window_months = 6\n"
    "transfer_notice_days = 10\n"
    "joint_visit_days = 5\n"
    "jarp_review_weeks = 8\n"
    "confidence_level = 0.9\n"
)

ATTRS = ("title", "lede", "finding", "summary", "note", "standard", "empty", "label", "detail", "rule", "text")


def _texts(db, presentation: bool) -> list[str]:
    d = latest_date(db)
    out: list[str] = []
    for spec in pages():
        out.append(spec.intro(db.standards))
        view = View.make(Filters(d), presentation=presentation, threshold=db.standards.suppress_below)
        for section in all_sections(spec, db, view):
            out += [section.title or "", section.lede or "", section.problem or ""]
            for item in section.items:
                out += [str(getattr(item, a, None) or "") for a in ATTRS]
                if isinstance(item, Chart) and item.figure is not None:
                    layout = item.figure.layout
                    out.append(layout.title.text or "")
                    out += [a.text or "" for a in layout.annotations or ()]
                if isinstance(item, Table):
                    out += [str(c.get("headerName", "")) for c in item.columns]
    return [t for t in out if t]


@pytest.fixture(scope="module")
def texts(small_demo, tmp_path_factory):
    """(default texts, overridden texts, overridden texts in presentation mode, the pack's methods)."""
    from dashboard.pack.build import gather

    path = tmp_path_factory.mktemp("standards") / "standards.toml"
    path.write_text(OVERRIDES)
    other = dataclasses.replace(small_demo, standards=load_standards(path))
    methods = gather(other, Filters(latest_date(other))).methods
    pack = [methods["disclosure"]] + [f"{r['label']} {r['standard']} {r['rule']}" for r in methods["ratings"]]
    return "\n".join(_texts(small_demo, False)), "\n".join(_texts(other, False)), "\n".join(_texts(other, True)), pack


#: (stated with the defaults, stated with the overrides) phrases of a standard.
CHANGED = [
    ("25 children per FTE", "22 children per FTE"),
    ("within 3 working days", "within 5 working days"),
    ("reviewed every 42 days", "reviewed every 28 days"),
    ("started) over 42 days ago", "started) over 28 days ago"),  # the plans page's method note
    ("visited in the last 10 days", "visited in the last 7 days"),
    ("not expected beyond 12 months", "not expected beyond 9 months"),
    ("CIN plans open over 12 months", "CIN plans open over 9 months"),
    ("Open CIN plans past 12 months", "Open CIN plans past 9 months"),
    ("the 3 and 6 month Team Manager reviews, the 9 month Service Manager review", "the 3 and 5 month Team"),
    ("completed in the 12 months", "completed in the 6 months"),
    ("key-worker changes in 12 months", "key-worker changes in 6 months"),
    ("Transfers on time (12 months)", "Transfers on time (6 months)"),
    ("two weeks' notice", "10 days' notice"),
    ("a joint visit in the week before", "a joint visit in the 5 days before"),
    ("Progress reviews every 6 weeks", "Progress reviews every 8 weeks"),
    ("6 weeks after the panel decision", "8 weeks after the panel decision"),
    ("value (95% interval)", "value (90% interval)"),
    ("closed within 12 months", "closed within 9 months"),
]


@pytest.mark.parametrize("old,new", CHANGED, ids=[new for _, new in CHANGED])
def test_a_text_stating_a_standard_states_the_one_in_force(texts, old, new):
    default, other, _, _ = texts
    assert old in default, "the phrase is stated with the default standards"
    assert new in other
    assert old not in other


def test_no_text_keeps_an_overridden_number(texts):
    _, other, shown, _ = texts
    for old in ("25 per FTE", "25 x FTE", "3 working days", "42 days", "within 6 weeks", "10 days (000)"):
        assert old not in other and old not in shown, old


def test_presentation_mode_states_the_suppression_threshold_in_force(texts):
    _, _, shown, pack = texts
    assert "<10" in shown and "under 10" in shown
    assert not re.search(r"<5\b|under 5\b|1 to 4\b", shown)
    assert "<10" in pack[0] or "10" in pack[0]
    assert not re.search(r"<5\b|under 5\b", pack[0])


def test_the_pack_methods_state_the_standards_in_force(texts):
    *_, pack = texts
    methods = "\n".join(pack)
    assert "22 children per FTE" in methods and "within 5 working days" in methods
    assert "reviewed every 28 days" in methods and "beyond 9 months" in methods
    assert "25 children" not in methods and "3 working days" not in methods
