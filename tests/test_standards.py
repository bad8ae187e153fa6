"""Practice standards: typed defaults with their sources, overridden by a TOML file, bad files refused by name."""

import dataclasses
import re
import sqlite3
from datetime import date
from pathlib import Path

import pytest

from data_layer import Filters, caseloads
from data_layer.standards import (
    DOCUMENTS,
    Standards,
    StandardsError,
    document_of,
    load_standards,
    source_of,
    standard_fields,
)
from tests.test_caseloads import ROWS, D

ROOT = Path(__file__).resolve().parents[1]

#: The documented defaults (docs/DEFINITIONS.md, "Standards and their TOML keys"), written out by hand.
DOCUMENTED = {
    "caseload_per_fte": 25,
    "care_leaver_min_age": 16,
    "care_leaver_max_age": 25,
    "cin_review_days": 42,
    "cin_tm_review_first_months": 3,
    "cin_tm_review_second_months": 6,
    "cin_sm_review_months": 9,
    "cin_max_months": 12,
    "step_down_max_days": 84,
    "cin_visit_days": 21,
    "cp_visit_days": 10,
    "cp_max_months": 24,
    "reporting_window_months": 12,
    "pilot_min_cohort": 10,
    "pilot_escalation_days": 30,
    "pilot_rereferral_months": 12,
    "confidence_level": 0.95,
    "transfer_working_days": 3,
    "transfer_notice_days": 14,
    "joint_visit_days": 7,
    "keyworker_changes_alert": 3,
    "jarp_p1_min_points": 11,
    "jarp_p2_min_points": 7,
    "jarp_p3_min_points": 1,
    "jarp_p1_response_days": 2,
    "jarp_p2_response_working_days": 5,
    "jarp_p3_response_working_days": 10,
    "jarp_p2_response_min_working_days": 2,
    "jarp_p3_response_min_working_days": 3,
    "jarp_panel_weekday": 1,
    "jarp_cutoff_weekday": 4,
    "jarp_cutoff_hour": 14,
    "jarp_review_weeks": 6,
    "jarp_review_notice_days": 7,
    "suppress_below": 5,
}


def _file(tmp_path, text: str) -> Path:
    f = tmp_path / "standards.toml"
    f.write_text(text)
    return f


def _refused(tmp_path, text: str) -> str:
    f = _file(tmp_path, text)
    with pytest.raises(StandardsError) as exc:
        load_standards(f)
    assert str(f) in str(exc.value), "the message names the file"
    return str(exc.value)


def test_defaults_equal_the_documented_values():
    s = load_standards(None)
    assert s == Standards()
    assert {f.name: getattr(s, f.name) for f in standard_fields()} == DOCUMENTED
    assert s.jarp_points["court_proceedings"] == 3 and len(s.jarp_points) == 20
    assert s.pilot().start == date(2022, 2, 7)
    assert s.source_file is None and s.overridden == frozenset()


def test_every_field_has_its_key_unit_and_source_document():
    for f in standard_fields():
        meta = f.metadata
        assert meta["key"] == f.name, "the TOML key is the attribute name readers use"
        assert meta["unit"] and meta["description"] and meta["cite"]
        # The source names its document by title (as docs/DEFINITIONS.md does), or says it has none.
        titled = [t for n, t in DOCUMENTS.items() if meta["source"].startswith(f"{t} ({n})")]
        assert titled or meta["source"].startswith(("Project definition", "National indicator")), meta["source"]
        assert isinstance(getattr(Standards(), f.name), type(f.default))
    assert source_of("transfer_working_days") == "Reclaim Social Work"  # charts cite the document by title
    assert source_of("jarp_p2_min_points") == "Reclaim Social Work, Appendix B"
    assert source_of("cp_max_months") == "national indicator"
    assert document_of("transfer_working_days") == 'Reclaim Social Work (003), Section 2, "Case Transfer"'
    assert document_of("cin_max_months").startswith("Child in Need Practice Guidance (001)")
    assert {s.name for s in Standards().describe()} == set(DOCUMENTED)


def test_a_misspelt_attribute_is_an_error():
    with pytest.raises(AttributeError):
        _ = Standards().caseload_per_ft  # type: ignore[attr-defined]
    with pytest.raises(dataclasses.FrozenInstanceError):
        Standards().caseload_per_fte = 22  # type: ignore[misc]


def test_toml_overrides(tmp_path):
    f = _file(
        tmp_path,
        "[standards]\ncaseload_per_fte = 20\ncin_visit_days = 15\nconfidence_level = 0.9\n\n"
        "[jarp.points]\nschool_exclusion = 2\n\n"
        '[[pilots]]\nname = "North pilot"\nteam_ids = ["T9"]\nstart = 2023-01-09\nmonths = 3\n',
    )
    s = load_standards(f)
    assert (s.caseload_per_fte, s.cin_visit_days, s.jarp_points["school_exclusion"]) == (20, 15, 2)
    assert s.confidence_level == 0.9 and s.cin_review_days == 42
    assert [p.name for p in s.pilots] == ["CIN team pilot", "North pilot"]
    assert s.pilot("North pilot").team_ids == ("T9",) and s.pilot("North pilot").months == 3
    assert s.overridden == {"caseload_per_fte", "cin_visit_days", "confidence_level", "jarp.points.school_exclusion"}
    assert s.source_file == str(f)


def test_values_keep_their_types(tmp_path):
    s = load_standards(_file(tmp_path, "[standards]\nconfidence_level = 0.5\ncaseload_per_fte = 22\n"))
    assert isinstance(s.confidence_level, float) and isinstance(s.caseload_per_fte, int)


def test_env_file_changes_targets(tmp_path, monkeypatch, make_db):
    f = tmp_path / "s.toml"
    f.write_text("[standards]\ncaseload_per_fte = 20\n")
    monkeypatch.setenv("CSC_STANDARDS_FILE", str(f))
    db = make_db(ROWS)
    w1 = caseloads(db, Filters(D)).set_index("worker_id").loc["W1"]
    assert w1.target == 20.0


def test_a_misspelt_standard_fails_with_its_name_and_the_closest_key(tmp_path):
    msg = _refused(tmp_path, "[standards]\ncaseload_per_ft = 22\n")
    assert "Unknown standard 'caseload_per_ft'" in msg and "did you mean 'caseload_per_fte'?" in msg


def test_an_unknown_standard_lists_the_known_keys(tmp_path):
    msg = _refused(tmp_path, "[standards]\nno_such = 1\n")
    assert "Unknown standard 'no_such'" in msg and "cin_review_days" in msg


@pytest.mark.parametrize(
    "text,key,expected",
    [
        ("caseload_per_fte = 'many'", "caseload_per_fte", "whole number"),
        ("caseload_per_fte = 22.5", "caseload_per_fte", "whole number"),
        ("caseload_per_fte = true", "caseload_per_fte", "whole number"),
        ("confidence_level = '95%'", "confidence_level", "decimal number"),
        ("confidence_level = false", "confidence_level", "decimal number"),
        ("cin_review_days = [42]", "cin_review_days", "whole number"),
    ],
)
def test_a_wrong_type_fails_naming_the_key_and_what_was_expected(tmp_path, text, key, expected):
    msg = _refused(tmp_path, f"[standards]\n{text}\n")
    assert f"[standards] {key} must be a {expected}" in msg and "got" in msg


@pytest.mark.parametrize(
    "text,key",
    [
        ("cin_review_days = 0", "cin_review_days"),
        ("suppress_below = -5", "suppress_below"),
        ("confidence_level = 1.0", "confidence_level"),
        ("confidence_level = 0", "confidence_level"),
        ("jarp_panel_weekday = 7", "jarp_panel_weekday"),
        ("jarp_cutoff_hour = 24", "jarp_cutoff_hour"),
        ("jarp_p2_min_points = 11", "jarp_p1_min_points"),  # P1 must stay above P2
        ("jarp_p3_min_points = 8", "jarp_p2_min_points"),
        ("jarp_p2_response_min_working_days = 6", "jarp_p2_response_min_working_days"),
        ("care_leaver_min_age = 26", "care_leaver_min_age"),
    ],
)
def test_an_out_of_range_value_fails_naming_the_key(tmp_path, text, key):
    assert f"[standards] {key}" in _refused(tmp_path, f"[standards]\n{text}\n")


def test_replace_checks_like_the_loader():
    assert dataclasses.replace(Standards(), caseload_per_fte=22).caseload_per_fte == 22
    with pytest.raises(StandardsError, match="jarp_p1_min_points"):
        dataclasses.replace(Standards(), jarp_p1_min_points=5)
    with pytest.raises(StandardsError, match="cp_visit_days"):
        dataclasses.replace(Standards(), cp_visit_days=7.5)


@pytest.mark.parametrize(
    "text,needle",
    [
        ("[standard]\ncaseload_per_fte = 22\n", "Unknown table 'standard'"),
        ("[standard]\ncaseload_per_fte = 22\n", "did you mean 'standards'?"),
        ("standards = 3\n", "[standards] in"),
        ("[jarp.point]\nschool_exclusion = 2\n", "Unknown [jarp] table 'point'"),
        ("[jarp.points]\nschool_exclusoin = 2\n", "did you mean 'school_exclusion'?"),
        ("[jarp.points]\nschool_exclusion = 1.5\n", "[jarp.points] school_exclusion"),
        ("[jarp.points]\nschool_exclusion = true\n", "[jarp.points] school_exclusion"),
        ("[ssd]\nschemas = 'x'\n", "did you mean 'schema'?"),
        ('[[pilots]]\nname = "N"\nstart = 2023-01-09\nteam_id = ["T9"]\n', "Unknown [[pilots]] key 'team_id'"),
        ('[[pilots]]\nname = "N"\nstart = 2023-01-09\nteam_id = ["T9"]\n', "did you mean 'team_ids'?"),
        ('[[pilots]]\nname = "N"\nstart = "soon"\n', "start of 'N'"),
        ('[[pilots]]\nname = "N"\nstart = 2023-01-09\nmonths = 0\n', "months of 'N'"),
        ('[[pilots]]\nname = "N"\nstart = 2023-01-09\nteam_ids = "T9"\n', "[[pilots]] team_ids"),
        ("[[pilots]]\nstart = 2023-01-09\n", "[[pilots]] name"),
        ("replace_default_pilots = 'yes'\n", "replace_default_pilots"),
        ("replace_default_pilots = true\n", "At least one pilot"),
        ("[standards\n", "Cannot read standards file"),
    ],
)
def test_bad_files_refused_naming_the_key(tmp_path, text, needle):
    assert needle in _refused(tmp_path, text)


def test_a_new_jarp_criterion_is_still_allowed(tmp_path):
    # Another panel's criteria: a code unlike any known one is added (tests/test_jarp_scoring.py scores it).
    s = load_standards(_file(tmp_path, "[jarp.points]\nhousing = 4\n"))
    assert s.jarp_points["housing"] == 4 and len(s.jarp_points) == 21


def test_the_cli_reports_a_bad_file_in_one_message(tmp_path, monkeypatch, capsys):
    from dashboard.cli import main

    monkeypatch.setenv("CSC_STANDARDS_FILE", str(_file(tmp_path, "[standards]\ncaseload_per_ft = 22\n")))
    empty = tmp_path / "empty.sqlite"
    sqlite3.connect(empty).close()
    assert main(["export", "--out", str(tmp_path / "pack.html"), "--database", f"sqlite:///{empty}"]) == 1
    err = capsys.readouterr().err
    assert "cannot use its standards file" in err and "did you mean 'caseload_per_fte'?" in err
    assert "Traceback" not in err


def _table_rows(text: str, heading: str) -> dict[str, tuple[str, str]]:
    """`key` -> (default, unit) from the first table under ``heading`` in a Markdown file."""
    section = text.split(heading, 1)[1]
    rows = {}
    for line in section.splitlines():
        m = re.match(r"\| `([a-z0-9_]+)` \| ([^|]+) \| ([^|]+) \|", line)
        if m:
            rows[m.group(1)] = (m.group(2).strip(), m.group(3).strip())
        elif rows and not line.startswith("|"):
            break
    return rows


def test_readme_lists_every_standard_with_its_default_and_unit():
    rows = _table_rows((ROOT / "README.md").read_text(), "## Practice standards")
    assert rows == {s.name: (f"{s.value:g}", s.unit) for s in Standards().describe()}


def test_definitions_list_every_standard_with_its_default():
    rows = _table_rows((ROOT / "docs" / "DEFINITIONS.md").read_text(), "## Standards and their TOML keys")
    assert {k: v[0] for k, v in rows.items()} == {s.name: f"{s.value:g}" for s in Standards().describe()}


def test_the_type_checker_catches_a_misspelt_standard(tmp_path):
    api = pytest.importorskip("mypy.api")
    snippet = tmp_path / "reader.py"
    snippet.write_text(
        "from data_layer.standards import Standards\n"
        "per_fte: int = Standards().caseload_per_fte\n"
        "Standards().caseload_per_ft\n"
    )
    out, _, status = api.run(["--follow-imports=silent", "--no-incremental", str(snippet)])
    assert status == 1
    assert '"Standards" has no attribute "caseload_per_ft"; maybe "caseload_per_fte"?' in out
    assert out.count("error:") == 1, out
