"""Practice standards: defaults with sources, overridden by a TOML file, bad files refused."""

from datetime import date

import pytest

from data_layer import Filters, caseloads
from data_layer.standards import StandardsError, load_standards
from tests.test_caseloads import ROWS, D


def test_defaults_cite_their_source():
    s = load_standards(None)
    assert s.caseload_per_fte == 25 and s.cin_review_days == 42 and s.transfer_working_days == 3
    assert all(std.source for std in s.describe())
    assert s.jarp_points["court_proceedings"] == 3 and len(s.jarp_points) == 20
    assert s.pilot().start == date(2022, 2, 7)


def test_toml_overrides(tmp_path):
    f = tmp_path / "standards.toml"
    f.write_text(
        "[standards]\ncaseload_per_fte = 20\ncin_visit_days = 15\n\n[jarp.points]\nschool_exclusion = 2\n\n"
        '[[pilots]]\nname = "North pilot"\nteam_ids = ["T9"]\nstart = 2023-01-09\nmonths = 3\n'
    )
    s = load_standards(f)
    assert (s.caseload_per_fte, s.cin_visit_days, s.jarp_points["school_exclusion"]) == (20, 15, 2)
    assert [p.name for p in s.pilots] == ["CIN team pilot", "North pilot"]
    assert s.pilot("North pilot").team_ids == ("T9",) and s.pilot("North pilot").months == 3
    assert "caseload_per_fte" in s.overridden


def test_env_file_changes_targets(tmp_path, monkeypatch, make_db):
    f = tmp_path / "s.toml"
    f.write_text("[standards]\ncaseload_per_fte = 20\n")
    monkeypatch.setenv("CSC_STANDARDS_FILE", str(f))
    db = make_db(ROWS)
    w1 = caseloads(db, Filters(D)).set_index("worker_id").loc["W1"]
    assert w1.target == 20.0


@pytest.mark.parametrize(
    "text,msg",
    [
        ("[standards]\nno_such = 1\n", "Unknown standard"),
        ("[standards]\ncaseload_per_fte = 'many'\n", "must be a whole number"),
        ("[standards\n", "Cannot read"),
    ],
)
def test_bad_files_refused(tmp_path, text, msg):
    f = tmp_path / "bad.toml"
    f.write_text(text)
    with pytest.raises(StandardsError, match=msg):
        load_standards(f)
