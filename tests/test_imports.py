"""``csc-dashboard import`` on small returns written from the specifications (tests/import_samples.py).

Every expectation below is worked out by hand from those files (their comments say which record
is there for what)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from data_layer import connect, coverage
from data_layer.checks import check_database
from data_layer.imports import RECON_COLUMNS, ImportFailed, import_reconciliation, import_returns
from tests import import_samples as samples

EXTRACT = date(2024, 3, 25)  # the latest date in the Annex A lists that is not after TODAY


@pytest.fixture(scope="module")
def inputs(tmp_path_factory):
    return samples.write_all(tmp_path_factory.mktemp("returns"))


@pytest.fixture(scope="module")
def imported(inputs, tmp_path_factory):
    out = tmp_path_factory.mktemp("db") / "returns.duckdb"
    result = import_returns(out, today=samples.TODAY, **inputs)
    return out, result


def _table(out: Path, name: str) -> pd.DataFrame:
    con = duckdb.connect(str(out), read_only=True)
    try:
        return con.execute(f"SELECT * FROM {name}").df()
    finally:
        con.close()


def _rows(out, name, key):
    df = _table(out, name).astype(object)
    df = df.where(df.notna(), None)
    for c in df.columns:
        df[c] = df[c].map(lambda v: v.date() if isinstance(v, pd.Timestamp) else v)
    return {r[key]: r for r in df.to_dict("records")}


def _recon(result, file, record):
    df = result.reconciliation
    g = df[(df["file"] == file) & (df["record"] == record)]
    return {(o, r): int(n) for o, r, n in zip(g["outcome"], g["reason"].fillna(""), g["records"], strict=True)}


def test_the_tables_hold_what_the_returns_say(imported):
    out, result = imported
    assert result.tables == dict(
        teams=3,
        workers=4,
        children=7,
        referrals=5,
        assessments=2,
        allocations=5,
        cin_plans=2,
        cp_plans=1,
        cla_episodes=5,
        plan_reviews=3,
        visits=2,
    )
    kids = _rows(out, "children", "child_id")
    assert set(kids) == {"A1", "A2", "A3", "A4", "L1", "L2", "X1"}  # X2 and the children with no id rejected
    assert (kids["A1"]["sex"], kids["A1"]["birth_date"], kids["A1"]["disability"]) == ("M", date(2015, 3, 1), False)
    assert (kids["A2"]["sex"], kids["A2"]["disability"]) == ("F", True)  # CIN census Sex 2, HAND
    assert kids["A4"]["sex"] == "U"  # GenderCurrent 9
    assert (kids["L1"]["uasc"], kids["L2"]["uasc"]) == (False, True)  # 903 uasc table
    assert (kids["X1"]["sex"], kids["X1"]["birth_date"]) == ("M", date(2016, 5, 1))  # Annex A "a) Male"

    refs = _rows(out, "referrals", "referral_id")
    assert set(refs) == {"A1/2022-10-06", "A2/2022-05-01", "A4/2024-01-05", "A4/2024-05-01", "X1/2024-02-01"}
    assert refs["A1/2022-10-06"]["closure_date"] == date(2023, 9, 30)  # 2024 census closes the 2023 referral
    assert refs["A1/2022-10-06"]["outcome"] == "assessment"
    assert refs["A4/2024-01-05"]["outcome"] == "nfa" and refs["X1/2024-02-01"]["outcome"] == "nfa"

    plans = _rows(out, "cin_plans", "plan_id")
    assert plans["A1/2022-11-10"]["end_date"] == date(2023, 9, 30)
    assert plans["A3/2023-01-10"]["end_date"] == date(2022, 12, 1)  # loaded, flagged, as written
    cp = _rows(out, "cp_plans", "plan_id")["A2/2022-06-01"]
    assert (cp["team_id"], cp["category"], cp["end_date"]) == ("cp-team-1", "neglect", None)  # team: Annex A
    assert set(_rows(out, "plan_reviews", "review_id")) == {
        "A2/2022-06-01/2022-08-20",
        "A2/2022-06-01/2023-01-15",
        "A2/2022-06-01/2024-01-10",
    }

    eps = _rows(out, "cla_episodes", "episode_id")
    assert set(eps) == {"L1/2022-04-01", "L1/2023-06-15", "L1/2024-07-01", "L2/2024-01-01", "L2/2024-02-10"}
    assert (eps["L1/2022-04-01"]["legal_status"], eps["L1/2022-04-01"]["end_reason"]) == ("co", "other")
    assert (eps["L2/2024-01-01"]["legal_status"], eps["L2/2024-01-01"]["end_reason"]) == ("s20", "returned_home")
    assert eps["L2/2024-02-10"]["end_date"] is None  # DEC 13/13/2024: blank, flagged

    allocs = _rows(out, "allocations", "allocation_id")
    jo = next(a for a in allocs.values() if a["child_id"] == "A2")
    assert (jo["team_id"], jo["start_date"], jo["end_date"], jo["role"]) == ("cp-team-1", EXTRACT, None, "key_worker")
    assert allocs["L1/SW1001/2022-04-01"]["end_date"] == date(2023, 6, 15)
    assert allocs["L1/SW1002/lac-team"]["start_date"] == EXTRACT
    assert len(allocs) == 5

    workers = _rows(out, "workers", "worker_id")
    assert set(workers) == {jo["worker_id"], "SW1001", "SW1002", "SW1003"}
    w2 = workers["SW1002"]  # census FTE and role; team from the Annex A allocation holding the SWE number
    assert (w2["fte"], w2["role"], w2["qualified"], w2["team_id"], w2["start_date"]) == (
        0.8,
        "SW",
        True,
        "lac-team",
        date(2021, 1, 4),
    )
    assert workers["SW1003"]["role"] == "AP"
    assert workers[jo["worker_id"]]["worker_name"] == "Jo Bloggs" and pd.isna(workers[jo["worker_id"]]["fte"])
    assert set(_rows(out, "visits", "visit_id")) == {"A2/cp/2024-03-20", "L1/cla/2024-03-25"}
    assert set(_rows(out, "teams", "team_id")) == {"assessment-team", "cp-team-1", "lac-team"}


def test_tables_no_return_fills_are_left_out(imported):
    out, _ = imported
    con = duckdb.connect(str(out), read_only=True)
    names = {r[0] for r in con.execute("SELECT table_name FROM information_schema.tables").fetchall()}
    cols = {
        r[0]
        for r in con.execute(
            "SELECT column_name FROM information_schema.columns WHERE table_name = 'cin_plans'"
        ).fetchall()
    }
    con.close()
    assert not names & {"transfers", "jarp_referrals", "jarp_referral_criteria"}
    assert not any(n.startswith("_stage") for n in names)
    assert "origin" not in cols and "end_reason" not in cols  # no return records a CIN plan's origin


def test_reconciliation_counts_every_record(imported):
    _, result = imported
    assert _recon(result, "cin_2023.xml", "Child") == {
        ("read", ""): 4,
        ("loaded", ""): 2,
        ("rejected", "no LAchildID"): 1,
        ("merged", _merged()): 1,
    }
    assert _recon(result, "cin_2023.xml", "CINdetails") == {
        ("read", ""): 4,
        ("loaded", ""): 1,
        ("merged", _merged()): 1,
        ("rejected", "CINreferralDate missing or not a date"): 1,
        ("rejected", "its child has no LAchildID"): 1,
    }
    assert _recon(result, "cin_2023.xml", "CINPlanDates") == {
        ("read", ""): 2,
        ("flagged", "CINPlanEndDate before CINPlanStartDate"): 1,
        ("merged", _merged()): 1,
    }
    assert _recon(result, "cin_2024.xml", "CINdetails") == {
        ("read", ""): 3,
        ("loaded", ""): 2,
        ("flagged", "CINreferralDate after the census reference date"): 1,
    }
    assert _recon(result, "903_2024/episodes.csv", "episodes") == {
        ("read", ""): 6,
        ("loaded", ""): 2,
        ("flagged", "DEC before DECOM"): 1,
        ("flagged", "DEC is not a date (loaded as blank)"): 1,
        ("flagged", "a date in the future"): 1,
        ("rejected", "DECOM missing or not a date"): 1,
    }
    assert _recon(result, "903_2024/sw_episodes.csv", "sw_episodes") == {
        ("read", ""): 4,
        ("loaded", ""): 3,
        ("rejected", "no SW_ID"): 1,
    }
    assert _recon(result, "903_2024/reviews.csv", "row") == {
        ("read", ""): 2,
        ("rejected", "not in the data contract (reviews): not imported"): 2,
    }
    assert _recon(result, "csww_2023.xml", "CSWWWorker") == {
        ("read", ""): 4,
        ("loaded", ""): 2,
        ("flagged", "FTE outside 0-1"): 1,
        ("rejected", "no SWENo"): 1,
    }
    assert _recon(result, "annex_a.xlsx [List 7]", "List 7 child protection") == {
        ("read", ""): 2,
        ("merged", _merged()): 1,
        ("rejected", "Child Protection Plan Start Date missing or not a date"): 1,
    }
    assert _recon(result, "annex_a.xlsx [List 3]", "List 3 referrals") == {
        ("read", ""): 2,
        ("loaded", ""): 1,
        ("rejected", "no Child Unique ID"): 1,
    }
    df = result.reconciliation
    refused = df[df["outcome"] == "refused_column"]
    assert dict(zip(refused["file"], refused["reason"], strict=True)) == {
        "903_2024/header.csv": "column Forename looks like a name: never imported",
        "annex_a.xlsx [List 8]": "column Child's Surname looks like a name: never imported",
    }
    # read = loaded + flagged + merged + rejected for every file and record
    counted = df[df["record"].notna()]
    for _, g in counted.groupby(["file", "record"]):
        assert g.loc[g["outcome"] == "read", "records"].sum() == g.loc[g["outcome"] != "read", "records"].sum()
    assert "allocations as at 2024-03-25" in result.report()


def _merged():
    from data_layer.imports.build import _MERGED

    return _MERGED


def test_no_name_and_no_upn_enter_the_database(imported):
    out, _ = imported
    con = duckdb.connect(str(out), read_only=True)
    text = []
    for (t,) in con.execute("SELECT table_name FROM information_schema.tables").fetchall():
        text += [str(v) for row in con.execute(f"SELECT * FROM {t}").fetchall() for v in row]
    con.close()
    blob = " ".join(text)
    assert "Secret" not in blob and "Hidden" not in blob and "A123456789012" not in blob and "Doe" not in blob


def test_the_reader_and_check_db(imported, tmp_path):
    out, result = imported
    db = connect(f"duckdb:///{out}")
    try:
        recon = import_reconciliation(db)
        assert list(recon.columns) == RECON_COLUMNS and len(recon) == len(result.reconciliation)
        cov = coverage(db).set_index(["page", "part"])
        assert cov.loc[("plans", "body"), "status"] == "available"
        assert cov.loc[("caseloads", "body"), "status"] == "available"
        assert cov.loc[("jarp", "body"), "status"] == "missing"
    finally:
        db.dispose()
    report = check_database(f"duckdb:///{out}")
    assert report.exit_code == 0 and not report.failed_checks, report.format()
    # a database the import did not build: an empty frame with the same columns
    from data_layer.demo import generate

    other = connect(f"sqlite:///{generate(tmp_path / 'demo.sqlite', children=50, seed=1)}")
    assert list(import_reconciliation(other).columns) == RECON_COLUMNS and import_reconciliation(other).empty
    other.dispose()


def test_reimporting_the_same_files_gives_the_same_database(inputs, imported, tmp_path):
    out, _ = imported
    again = tmp_path / "again.duckdb"
    import_returns(again, today=samples.TODAY, **inputs)
    con = duckdb.connect(str(out), read_only=True)
    names = sorted(r[0] for r in con.execute("SELECT table_name FROM information_schema.tables").fetchall())
    con.close()
    for name in names:
        pd.testing.assert_frame_equal(_table(out, name), _table(again, name), check_dtype=True)


@pytest.mark.parametrize("body", [samples.BILLION_LAUGHS, samples.EXTERNAL_ENTITY], ids=["billion-laughs", "xxe"])
def test_malicious_xml_is_refused_and_nothing_is_written(tmp_path, body):
    bad = tmp_path / "cin.xml"
    bad.write_text(body)
    out = tmp_path / "out.duckdb"
    out.write_bytes(b"an earlier database")
    with pytest.raises(ImportFailed, match="cin.xml: refused"):
        import_returns(out, cin_census=[bad], today=samples.TODAY)
    assert out.read_bytes() == b"an earlier database"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["cin.xml", "out.duckdb"]


def test_a_missing_required_column_names_the_file_and_column(tmp_path):
    folder = samples.write_903(tmp_path / "903")
    (folder / "episodes.csv").write_text("CHILD,DEC\nL1,01/01/2024\n")
    out = tmp_path / "out.duckdb"
    with pytest.raises(ImportFailed, match=r"episodes\.csv: missing required column DECOM"):
        import_returns(out, ssda903=[folder], cin_census=samples.write_cin(tmp_path / "cin"), today=samples.TODAY)
    assert not out.exists()
    assert [p.name for p in tmp_path.iterdir() if p.suffix == ".duckdb" or "importing" in p.name] == []


def test_wrong_format_and_unreadable_files(tmp_path):
    xml = tmp_path / "not.xml"
    xml.write_text("CHILD,DECOM\n")
    with pytest.raises(ImportFailed, match="not.xml: not well-formed XML"):
        import_returns(tmp_path / "o.duckdb", cin_census=[xml])
    book = tmp_path / "annex.xlsx"
    book.write_bytes(b"not a zip")
    with pytest.raises(ImportFailed, match="annex.xlsx: not a readable .xlsx workbook"):
        import_returns(tmp_path / "o.duckdb", annex_a=[book])
    with pytest.raises(ImportFailed, match="no such file"):
        import_returns(tmp_path / "o.duckdb", ssda903=[tmp_path / "nowhere"])
    assert not (tmp_path / "o.duckdb").exists()


def test_annex_a_as_one_csv_per_list(tmp_path):
    folder = tmp_path / "annex"
    folder.mkdir()
    header, rows = samples.ANNEX_A["List 8"]
    import csv

    with open(folder / "List_8_looked_after.csv", "w", newline="", encoding="utf-8-sig") as fh:
        w = csv.writer(fh)
        w.writerow([h.upper() for h in header])  # case-insensitive headers
        for r in rows:
            w.writerow([v.strftime("%d/%m/%Y") if hasattr(v, "strftime") else v for v in r])
    result = import_returns(tmp_path / "o.duckdb", annex_a=[folder], today=samples.TODAY)
    eps = _rows(tmp_path / "o.duckdb", "cla_episodes", "episode_id")
    assert eps["L1/2023-06-15"]["legal_status"] == "co"
    assert _rows(tmp_path / "o.duckdb", "allocations", "allocation_id")["L1/SW1002/lac-team"]["start_date"] == EXTRACT
    assert result.tables["cla_episodes"] == 1


def test_the_cli(tmp_path, capsys):
    from dashboard.cli import main

    inputs = samples.write_all(tmp_path / "in")
    out = tmp_path / "cli.duckdb"
    args = [
        "import",
        "--cin-census",
        *map(str, inputs["cin_census"]),
        "--ssda903",
        str(inputs["ssda903"][0]),
        "--annex-a",
        str(inputs["annex_a"][0]),
        "--workforce",
        str(inputs["workforce"][0]),
        "--extract-date",
        "2024-03-31",
        "--out",
        str(out),
    ]
    assert main(args) == 0
    printed = capsys.readouterr().out
    # the CLI judges "in the future" against the real today, after 2024-07-01: one flag fewer
    assert "episodes: read 6; loaded 3; flagged 2; merged 0; rejected 1" in printed
    assert "allocations as at 2024-03-31 (--extract-date)" in printed
    assert main(["import", "--cin-census", str(tmp_path / "missing.xml"), "--out", str(tmp_path / "x.duckdb")]) == 1
    assert "nothing written" in capsys.readouterr().err and not (tmp_path / "x.duckdb").exists()
