"""The one vocabulary: complete for every code the data layer produces, labels follow the standards,
no module keeps a label or colour map of its own, and transfers on time are counted once."""

from __future__ import annotations

import ast
from datetime import date
from pathlib import Path

import pandas as pd
import pytest

from data_layer import Filters, load_standards, plan_drift
from data_layer.metrics.jarp_scoring import PRIORITIES as SCORING_PRIORITIES
from data_layer.metrics.jarp_scoring import JarpRules, response_timeliness, score_referral
from data_layer.queries.caseloads import children_by_status
from data_layer.queries.drift import FLAG_NAMES, FLAGS, served_flags
from data_layer.queries.status import STATUSES as STATUS_CODES
from data_layer.schema import CODES
from data_layer.standards import JARP_EXCEPTIONS
from data_layer.vocabulary import (
    CIN_END_REASONS,
    CIN_ORIGINS,
    CP_END_REASONS,
    DRIFT_FLAGS,
    PALETTE,
    PRIORITIES,
    RAG_BANDS,
    RESPONSE_STATUSES,
    STATUSES,
    TRANSFER_POINTS,
    VOCABULARIES,
    flag_label,
    glossary,
)

ROOT = Path(__file__).resolve().parents[1]
AS_AT = date(2023, 3, 31)


# --------------------------------------------------------------------------- complete


def test_every_term_has_a_label_a_palette_colour_and_a_description():
    for v in VOCABULARIES.values():
        for t in v:
            assert v.label(t.code) and v.describe(t.code).endswith("."), (v.name, t.code)
            assert t.colour in PALETTE, (v.name, t.code)
            assert "{" not in v.label(t.code) + v.describe(t.code), (v.name, t.code)


def test_the_palette_is_plotlys_colour_blind_safe_set():
    from plotly.colors import hex_to_rgb, qualitative

    assert [f"rgb{hex_to_rgb(c)}".replace(",", ", ").replace(",  ", ", ") for c in PALETTE] == list(qualitative.Safe)


def test_the_data_layers_code_lists_are_the_vocabularys():
    assert STATUS_CODES == STATUSES.codes
    assert FLAG_NAMES == DRIFT_FLAGS.codes
    assert [(f.code, f.plan_type, f.standard) for f in DRIFT_FLAGS] == list(FLAGS)
    assert SCORING_PRIORITIES == PRIORITIES.codes
    assert set(CIN_ORIGINS.codes) == CODES[("cin_plans", "origin")]
    assert set(CIN_END_REASONS.codes) == CODES[("cin_plans", "end_reason")]
    assert set(CP_END_REASONS.codes) == CODES[("cp_plans", "end_reason")]
    assert set(TRANSFER_POINTS.codes) == CODES[("transfers", "transfer_point")]


def test_every_status_and_flag_the_queries_produce_is_in_the_vocabulary(small_demo):
    f = Filters(AS_AT)
    assert set(children_by_status(small_demo, f)["status"]) <= set(STATUSES.codes)
    assert set(served_flags(small_demo.tables)) <= set(DRIFT_FLAGS.codes)
    assert set(plan_drift(small_demo, f)["flag"]) <= set(DRIFT_FLAGS.codes)


def test_every_priority_and_response_status_the_scoring_produces_is_in_the_vocabulary():
    rules = JarpRules.from_standards(load_standards(None))
    codes = list(rules.points)
    seen = {score_referral([], rules=rules).priority, score_referral([], 0, JARP_EXCEPTIONS[0], rules).priority}
    seen |= {score_referral(codes[:k], rules=rules).priority for k in range(len(codes) + 1)}
    assert seen == set(PRIORITIES.codes)
    statuses = response_timeliness(
        ["P1", "P1", "P2", "P3", "below_threshold", "P2", "P1"],
        [date(2023, 3, 1)] * 6 + [date(2023, 2, 1)],
        [pd.Timestamp(2023, 3, 2), None, pd.Timestamp(2023, 3, 20), None, None, None, None],
        date(2023, 3, 3),
        rules,
    )["response_status"]
    assert set(statuses) == set(RESPONSE_STATUSES.codes)


def test_rag_bands_are_the_ratings_the_tiles_give():
    from dashboard.rag import load_thresholds
    from dashboard.theme import RAG

    assert set(RAG) == set(RAG_BANDS.codes)
    rated = {th.rate(v) for th in load_thresholds(load_standards(None)).values() for v in range(0, 101)}
    assert rated - {None} == set(RAG_BANDS.codes)


# --------------------------------------------------------------------------- labels follow the standards


def test_labels_that_state_a_standard_change_with_the_standards(tmp_path):
    path = tmp_path / "standards.toml"
    path.write_text(
        "[standards]\ncin_max_months = 9\ncin_sm_review_months = 6\ncp_max_months = 18\n"
        "step_down_max_days = 90\ncin_review_days = 28\njarp_p1_min_points = 12\n"
    )
    s, default = load_standards(path), load_standards(None)
    assert flag_label("cin_over_12_months", default) == "CIN open over 12 months"
    assert flag_label("cin_over_12_months", s) == "CIN open over 9 months"
    assert flag_label("cin_9_month_review", s) == "CIN open over 6 months (SM review)"
    assert flag_label("cp_over_2_years", default) == "CP open over 2 years"
    assert flag_label("cp_over_2_years", s) == "CP open over 18 months"
    assert flag_label("step_down_over_12_weeks", default) == "CP step-down CIN over 12 weeks"
    assert flag_label("step_down_over_12_weeks", s) == "CP step-down CIN over 90 days"
    assert flag_label("cin_review_overdue", s, with_standard=True) == "CIN review overdue (over 28 days)"
    assert "12 points" in PRIORITIES.describe("P1", s) and "11 points" in PRIORITIES.describe("P1", default)
    entries = {(e.vocabulary, e.code): e for e in glossary(s)}
    assert entries[("Drift flags", "cin_over_12_months")].label == "CIN open over 9 months"
    assert "28 days" in entries[("Drift flags", "cin_review_overdue")].description


def test_the_plans_figures_label_flags_with_the_standards_in_force(tmp_path):
    from dashboard.figures import plans as fig

    path = tmp_path / "standards.toml"
    path.write_text("[standards]\ncin_max_months = 9\n")
    s = load_standards(path)
    counts = pd.DataFrame({"team_id": ["T1"], "team_name": ["Team 1"], "flag": ["cin_over_12_months"], "n": [9]})
    assert fig.drift_title(counts, standards=s).startswith("CIN open over 9 months is the most common drift")
    assert fig.flag_label("cin_over_12_months", s) == "CIN open over 9 months"


def test_the_glossary_lists_every_term_once():
    entries = glossary()
    assert len(entries) == sum(len(v.terms) for v in VOCABULARIES.values())
    assert len({(e.vocabulary, e.code) for e in entries}) == len(entries)


# --------------------------------------------------------------------------- defined once


def _vocabulary_words() -> dict[str, tuple[set[str], set[str]]]:
    """vocabulary -> (codes, lower-cased labels and short forms)."""
    out = {}
    for v in VOCABULARIES.values():
        words = {v.label(t.code).lower() for t in v} | {v.short(t.code).lower() for t in v}
        out[v.name] = (set(v.codes), words)
    return out


COLOUR_NAMES = {"BLUE", "ROSE", "SAND", "GREEN", "INDIGO", "PURPLE", "TEAL", "OLIVE", "WINE", "BROWN", "GREY"}


def _label_maps(tree: ast.AST, vocab, *, orders: bool = True) -> list[str]:
    """Dict literals keyed mostly by one vocabulary's codes that map two or more of them to its labels
    or to palette colours, and (``orders``) tuples/lists spelling out a whole vocabulary's codes."""
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Dict):
            keys = [k.value for k in node.keys if isinstance(k, ast.Constant) and isinstance(k.value, str)]
            for name, (codes, words) in vocab.items():
                pairs = [
                    (k, v) for k, v in zip(node.keys, node.values, strict=False) if getattr(k, "value", None) in codes
                ]
                if len(pairs) < 2 or 2 * len(pairs) < len(node.keys):
                    continue
                labels = sum(
                    isinstance(v, ast.Constant) and isinstance(v.value, str) and v.value.lower() in words
                    for _, v in pairs
                )
                colours = sum(isinstance(v, ast.Name) and v.id in COLOUR_NAMES for _, v in pairs)
                if labels >= 2 or colours >= 2:
                    found.append(f"line {node.lineno}: a {name} map {sorted(keys)}")
        elif orders and isinstance(node, ast.Tuple | ast.List):
            values = [e.value for e in node.elts if isinstance(e, ast.Constant) and isinstance(e.value, str)]
            for name, (codes, _) in vocab.items():
                if len(codes) >= 3 and len(values) == len(node.elts) and set(values) == codes:
                    found.append(f"line {node.lineno}: the {name} codes spelt out")
    return found


def test_no_module_keeps_a_label_or_colour_map_of_its_own():
    vocab = _vocabulary_words()
    offenders = {}
    for path in sorted((*ROOT.glob("dashboard/**/*.py"), *ROOT.glob("data_layer/**/*.py"), *ROOT.glob("pages/*.py"))):
        rel = path.relative_to(ROOT).as_posix()
        if rel == "data_layer/vocabulary.py" or rel.startswith(("data_layer/demo/", "data_layer/imports/")):
            continue  # the vocabulary itself; generators and importers map source codes, not labels
        # the data layer produces the codes (a CASE, an np.select), so it may spell them out, never label them
        found = _label_maps(ast.parse(path.read_text()), vocab, orders=not rel.startswith("data_layer/"))
        if found:
            offenders[rel] = found
    assert offenders == {}


@pytest.mark.parametrize(
    "name", ["STATUS_LABELS", "STATUS_COLOURS", "STATUS_WORDS", "FLAG_INFO", "PRIORITY_LABELS", "PRIORITY_COLOURS",
             "PRIORITY_WORDS", "ORIGIN_LABELS", "ROUTE_LABELS", "ROUTE_COLOURS", "POINT_LABELS", "PLAN_LABELS",
             "PLAN_COLOURS", "CASE_STATUSES"],
)  # fmt: skip
def test_the_old_maps_are_gone(name):
    for path in (*ROOT.glob("dashboard/**/*.py"), *ROOT.glob("data_layer/**/*.py"), *ROOT.glob("pages/*.py")):
        assert f"{name} =" not in path.read_text() and f"{name}:" not in path.read_text(), path


def test_the_detector_finds_a_copied_map():
    tree = ast.parse(
        'WORDS = {"cla": "looked after", "cp": "CP"}\nCOLS = {"P1": ROSE, "P2": SAND}\n'
        'X = ("P1", "P2", "P3", "below_threshold")'
    )
    assert len(_label_maps(tree, _vocabulary_words())) == 3


# --------------------------------------------------------------------------- transfers on time, once


def _transfer(tid, working_days, pending=False, standard=3):
    return dict(
        transfer_id=tid,
        working_days=working_days,
        on_time=working_days <= standard,
        late=working_days > standard,
        pending=pending,
        notice_ok=None if pending else True,
        joint_visit_ok=None if pending else True,
    )


def test_the_transfers_page_and_the_overview_show_the_same_on_time_figure():
    """Hand-checked: 4 completed in 0, 3, 4 and 1 working days (3 within 3: 75%); 2 pending, waiting 2
    and 5 working days (1 already late)."""
    from dashboard.figures import transfers as tfig
    from dashboard.sections import transfers as page
    from dashboard.tiles import overview_tiles

    rows = pd.DataFrame(
        [_transfer("a", 0), _transfer("b", 3), _transfer("c", 4), _transfer("d", 1)]
        + [_transfer("e", 2, pending=True), _transfer("f", 5, pending=True)]
    )
    s = load_standards(None)

    class _DB:
        standards = s

    tiles = {
        t.key: t
        for t in overview_tiles(
            _DB(), Filters(AS_AT), fetch=lambda fn, f, *a: rows, keys=("transfers_on_time", "transfers_pending_late")
        )
    }
    totals = tfig.page_totals(rows, keyworker_many=0)
    on_page = {t.id: t for t in page.tiles(totals, s)}
    assert tiles["transfers_on_time"].value == 75.0
    # the same figure; the page rounds it to a whole percent, the Overview to one decimal
    assert (on_page["transfers-tile-on-time"].value, tiles["transfers_on_time"].display) == ("75%", "75.0%")
    assert tiles["transfers_pending_late"].value == 1 == totals.values["late_pending"]
    assert on_page["transfers-tile-pending"].detail.startswith("1 already past 3 working days")
