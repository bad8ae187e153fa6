"""Transfers page figure builders: tables, titles, standards drawn, presentation-mode disclosure."""

from datetime import date

import pandas as pd
import pytest

from dashboard.disclosure import Disclosure
from dashboard.figures import transfers as fig
from dashboard.figures.common import unwrapped
from tests.figure_json import assert_twin

W, D = date(2022, 4, 1), date(2023, 3, 31)
P = Disclosure(threshold=5, active=True)  # presentation mode


def _row(
    tid,
    wd,
    *,
    pending=False,
    frm="T1",
    to="T2",
    point="initial_cin_meeting",
    requested=date(2022, 6, 1),
    notice_ok=True,
    joint_ok=True,
    standard=3,
):
    return dict(
        transfer_id=tid,
        child_id=f"C{tid}",
        from_team=frm,
        from_team_name={"T1": "Assessment", "T2": "CIN", "T3": "Looked After"}.get(frm),
        to_team=to,
        to_team_name={"T1": "Assessment", "T2": "CIN", "T3": "Looked After"}.get(to),
        transfer_point=point,
        requested_date=requested,
        request_month=requested.replace(day=1),
        working_days=wd,
        days_waiting=(wd + 2 if pending else None),
        on_time=wd <= standard,
        late=wd > standard,
        pending=pending,
        status="pending" if pending else "completed",
        notice_ok=None if pending else notice_ok,
        joint_visit_ok=None if pending else joint_ok,
    )


ROWS = pd.DataFrame(
    [
        _row("a", 0),
        _row("b", 1),
        _row("c", 3, notice_ok=False),
        _row("d", 4, joint_ok=False),  # T1 -> T2
        _row("e", 12, requested=date(2022, 9, 5)),  # 10+ bucket
        _row("f", 2, pending=True, requested=date(2023, 3, 29)),  # pending, in time
        _row("g", 5, pending=True, requested=date(2023, 3, 24), frm="T2", to="T3", point="after_icpc"),  # late
        _row("h", 30, pending=True, requested=date(2022, 2, 1), frm="T2", to="T3", point=None),  # before window
        _row("i", 1, frm="T2", to="T3", point="at_panel", requested=date(2022, 9, 20), notice_ok=False, joint_ok=False),
    ]
)


def test_working_days_table_and_title():
    t = fig.working_days_table(ROWS)
    assert t["label"].tolist()[-1] == "10+" and len(t) == 11
    assert dict(zip(t["working_days"], t["completed"], strict=False))[10] == 1
    assert dict(zip(t["working_days"], t["pending"], strict=False)) == {
        0: 0,
        1: 0,
        2: 1,
        3: 0,
        4: 0,
        5: 1,
        6: 0,
        7: 0,
        8: 0,
        9: 0,
        10: 1,
    }
    assert int(t["transfers"].sum()) == len(ROWS)
    # Completed: a0 b1 c3 d4 e12 i1 -> 4 of 6 within 3 working days.
    assert fig.working_days_title(ROWS) == "4 of 6 completed transfers (67%) took 3 working days or fewer"
    # Presentation: 4 on time is hidden, so its percentage is too (issue 12: never "67% (<5 of 6)").
    assert fig.working_days_title(fig.page_totals(ROWS, P)) == (
        "<5 of 6 completed transfers took 3 working days or fewer"
    )


def test_working_days_figure_draws_standard():
    t = fig.working_days_table(ROWS)
    f = fig.working_days_figure(t, fig.working_days_title(ROWS))
    assert_twin(f)
    assert len(f.data) == 2
    vlines = [s for s in f.layout.shapes if s.x0 == s.x1]
    assert vlines and vlines[0].x0 == 3.5
    assert any("Standard: 3 working days (Reclaim Social Work)" in (a.text or "") for a in f.layout.annotations)
    assert "working days" in fig.working_days_summary(t, "x")


def test_on_time_by_receiving_team_counts_only_judged_transfers():
    t = fig.on_time_table(ROWS, "to_team")
    rows = {r.group: r for r in t.itertuples(index=False)}
    # CIN receives a,b,c,d,e (completed) and f (pending within standard: not judged yet).
    assert (rows["CIN"].transfers, rows["CIN"].decided, rows["CIN"].on_time, rows["CIN"].pending_in_time) == (
        6,
        5,
        3,
        1,
    )
    assert rows["CIN"].pct_on_time == pytest.approx(60.0)
    # Looked After receives g (pending late), h (pending late), i (completed on time): 1 of 3.
    assert (rows["Looked After"].decided, rows["Looked After"].on_time) == (3, 1)
    assert t["group"].tolist() == ["Looked After", "CIN"]  # worst first
    assert fig.on_time_title(t, "receiving team") == "Receiving teams with transfers over 3 working days: 2 out of 2"


def test_on_time_by_point_leaves_out_unrecognised_points():
    t = fig.on_time_table(ROWS, "transfer_point")
    assert set(t["group"]) == {"Initial CIN meeting", "After initial CP conference"}
    assert int(t["transfers"].sum()) == 7
    f = fig.on_time_figure(t, "t", axis_title="Transfer point")
    assert_twin(f)
    assert [s.x0 for s in f.layout.shapes] == [100]
    # After ICPC: g pending and late (0 of 1); initial CIN meeting: a, b, c on time of a-e (f not judged yet).
    assert list(f.data[0].x) == [0.0, 60.0]
    labels = f.data[1]
    assert list(labels.text) == ["0% (0 of 1)", "60% (3 of 5)"] and set(labels.x) == {102}  # right of the line
    with pytest.raises(ValueError):
        fig.on_time_table(ROWS, "worker")


def test_monthly_table_covers_the_window():
    t = fig.monthly_table(ROWS, W, D)
    assert t["month"].tolist() == fig.month_starts(W, D) and len(t) == 12
    assert int(t["completed"].sum()) == 6  # a, b, c, d, e, i
    by = dict(zip(t["month"], t["transfers"], strict=False))
    assert by[date(2022, 6, 1)] == 4 and by[date(2022, 9, 1)] == 2 and by[date(2023, 3, 1)] == 2
    assert int(t["transfers"].sum()) == 8  # h was requested before the window
    june = t[t["month"] == date(2022, 6, 1)].iloc[0]
    assert (june["decided"], june["on_time"], june["median_working_days"]) == (4, 3, 2.0)
    march = t[t["month"] == date(2023, 3, 1)].iloc[0]
    assert (march["decided"], march["on_time"]) == (1, 0)  # f still in time, g late
    finding = fig.monthly_finding(t)
    f = fig.monthly_figure(t, finding)
    assert_twin(f)
    assert unwrapped(f.layout.title.text) == fig.MONTHLY_TITLE and any(s.y0 == 100 for s in f.layout.shapes)


def test_flows_table_and_sankey():
    t = fig.flows_table(ROWS)
    first = t.iloc[0]
    assert (first["from_team"], first["to_team"], first["transfers"], first["completed"], first["pending"]) == (
        "Assessment",
        "CIN",
        6,
        5,
        1,
    )
    assert first["median_working_days"] == 3.0  # 0,1,3,4,12
    second = t.iloc[1]
    assert (second["from_team"], second["to_team"], second["median_working_days"]) == ("CIN", "Looked After", 1.0)
    f = fig.flows_figure(t, fig.flows_title(t))
    assert_twin(f)
    sankey = f.data[0]
    assert sankey.type == "sankey"
    assert list(sankey.node.label) == [
        "Assessment (sending 6)",
        "CIN (sending 3)",
        "CIN (receiving 6)",
        "Looked After (receiving 3)",
    ]
    assert sankey.arrangement == "snap" and sankey.node.x is None  # plotly lays nodes out without overlap
    assert list(sankey.link.value) == [6, 3]
    # Volume and median working days of each pair are in the link's hover text.
    assert [list(c[:2]) for c in sankey.link.customdata] == [
        ["6", "median 3 working days"],
        ["3", "median 1 working day"],
    ]
    # Presentation: the pair of 3 is not drawn at its size (nor at all), nor are its teams' totals shown.
    shown = fig.flows_shown(t, P)
    small = fig.flows_figure(shown, "t").data[0]
    assert list(small.link.value) == [6]
    assert list(small.node.label) == ["Assessment (sending 6)", "CIN (receiving 6)"]
    assert fig.flows_csv(shown)["transfers"].tolist() == ["6", "<5"]
    assert "completed" not in fig.flows_csv(shown) and fig.flows_csv(shown)["median_working_days"].tolist() == [
        3.0,
        "<5",
    ]
    assert fig.flows_title(t) == (
        "Transfers between teams: 0 out of 2 team pairs take a median of more than 3 working days"
    )
    assert fig.flows_title(shown) == (
        "Transfers between teams: 0 out of 1 team pair with enough completed transfers "
        "to show take a median of more than 3 working days"
    )
    assert any("Standard: 3 working days" in (a.text or "") for a in f.layout.annotations)


def test_pair_standards_table():
    t = fig.pair_standards_table(ROWS)
    rows = {r.pair: r for r in t.itertuples(index=False)}
    a = rows["Assessment → CIN"]
    assert (a.completed, a.notice_met, a.joint_met) == (5, 4, 4)
    b = rows["CIN → Looked After"]
    assert (b.completed, b.notice_met, b.joint_met, b.notice_pct) == (1, 0, 0, 0.0)
    assert t["pair"].tolist()[0] == "CIN → Looked After"
    assert fig.pair_standards_title(t) == (
        "67% of completed transfers had two weeks' notice and 67% a joint visit in the week before"
    )
    assert len(fig.pair_standards_figure(t, "t").data) == 2
    f = fig.pair_standards_figure(fig.pair_standards_shown(t, P), "t")
    assert_twin(f)
    # 1 completed transfer: percentage hidden in presentation mode, and no bar drawn; its label stands
    # at the axis in a bar of no length (a trace of its own, with no hover).
    notice, labels = f.data[0], f.data[1]
    row = list(notice.y).index("CIN → Looked After")
    assert notice.x[row] is None and labels.x[row] == 0 and labels.text[row] == "too few to show"
    assert labels.hoverinfo == "skip" and labels.showlegend is False


def test_pending_rows_late_first():
    p = fig.pending_rows(ROWS)
    assert p["child_id"].tolist() == ["Ch", "Cg", "Cf"]
    assert p["verdict"].tolist()[:2] == ["▲ Late (over 3 working days)"] * 2
    assert p["verdict"].tolist()[2] == "Within standard"
    assert p.loc[0, "transfer_point"] == "Not recorded"
    assert list(p.columns) == fig.PENDING_COLUMNS


def test_keyworker_distribution():
    dist = pd.DataFrame({"changes": [0, 1, 2, 3, 4, 7, 9], "children": [50, 20, 8, 3, 2, 1, 1]})
    t = fig.keyworker_table(dist)
    assert t["label"].tolist() == ["0", "1", "2", "3", "4", "5", "6+"]
    assert t["children"].tolist() == [50, 20, 8, 3, 2, 0, 2]
    title = fig.keyworker_title(t)
    assert title == "7 of 85 children (8%) had 3 or more key-worker changes in 12 months"
    f = fig.keyworker_figure(t, title)
    assert_twin(f)
    assert [s.x0 for s in f.layout.shapes] == [2.5]
    assert fig.keyworker_title(fig.keyworker_shown(t, P)).startswith("7 of 85 children (8%)")
    few = fig.keyworker_table(pd.DataFrame({"changes": [0, 3], "children": [10, 2]}))
    shown = fig.keyworker_shown(few, P)
    assert fig.keyworker_title(shown) == "<5 of 12 children had 3 or more key-worker changes in 12 months"
    # 12 - 10 would give the 2 back: the 10 is hidden too, and neither is drawn at its size.
    assert fig.keyworker_csv(shown)["children"].tolist()[:4] == ["*", "0", "0", "<5"]
    assert [y for tr in fig.keyworker_figure(shown, "t").data for y in tr.y if y] == []


def test_presentation_csv_hides_counts_and_percentages_of_hidden_counts():
    t = fig.on_time_table(ROWS, "to_team")
    p = fig.on_time_csv(fig.on_time_shown(t, P))
    rows = {r.group: r for r in p.itertuples(index=False)}
    assert rows["Looked After"].pct_on_time == "<5" and rows["Looked After"].decided == "<5"
    # Issue 12: "60% (<5 of 5)" no more: 3 on time of 5 is hidden, so is its percentage.
    assert rows["CIN"].decided == "5" and rows["CIN"].on_time == "<5" and rows["CIN"].pct_on_time == "<5"
    assert "transfers" not in p.columns  # judged + pending in time would give it back
    labels = fig.on_time_labels(fig.on_time_shown(t, P))
    assert labels == ["<5 of 5", fig.TOO_FEW] and not any("%" in x for x in labels)
    # Hidden percentages go last, by name (a place in the ranking would bound them).
    assert fig.on_time_shown(t, P).table["group"].tolist() == ["CIN", "Looked After"]


def test_tiles_complement_hides_a_shown_total():
    """45 of 46 pending already late says 1 is not: the late count is hidden too (issue 12, pending split)."""
    rows = pd.DataFrame(
        [_row(f"p{i}", 5, pending=True) for i in range(45)]
        + [_row("q", 1, pending=True)]
        + [_row(f"c{i}", 1) for i in range(20)]
    )
    totals = fig.page_totals(rows, P)
    assert totals.text("pending") == "46" and totals.text("late_pending") == "*"
    exact = fig.page_totals(rows)
    assert exact.text("late_pending") == "45" and exact.share("on_time", "done") == "100%"
    # 19 of 20 on time says 1 was late: "* of 20", and no percentage.
    rows = pd.DataFrame([_row(f"c{i}", 1) for i in range(19)] + [_row("late", 9)])
    totals = fig.page_totals(rows, P)
    assert totals.of("on_time", "done") == "* of 20" and totals.share("on_time", "done") == "<5"


def test_child_rows_and_exclusions():
    kids = pd.DataFrame(
        {
            "child_id": ["K1"],
            "changes": [3],
            "allocations": [4],
            "last_change": [date(2023, 2, 1)],
            "team_id": ["T2"],
            "team_name": [None],
        }
    )
    assert fig.keyworker_child_rows(kids).to_dict("records") == [
        dict(child_id="K1", changes=3, allocations=4, last_change="2023-02-01", team="T2", team_id="T2")
    ]
    ex = pd.DataFrame(
        {
            "reason": ["no request date", "missing or unrecognised transfer point"],
            "rows": [2, 7],
            "applies_to": ["all transfer figures", "on-time by transfer point only"],
        }
    )
    assert fig.exclusions_table(ex)["reason"].tolist()[0] == "No request date"
    assert fig.exclusions_text(ex).startswith("2 transfer rows")
    shown = fig.exclusions_shown(fig.exclusions_table(ex), P)
    assert fig.exclusions_text(shown).startswith("<5 transfer rows")
    assert fig.exclusions_csv(shown)["rows"].tolist() == ["<5", "7"]
    assert "No transfer" in fig.exclusions_text(ex.iloc[0:0])


def test_empty_inputs_give_empty_figures():
    empty = ROWS.iloc[0:0]
    assert fig.working_days_figure(fig.working_days_table(empty), "t").layout.xaxis.visible is False
    for table in (fig.on_time_table(empty, "to_team"), fig.flows_table(empty), fig.pair_standards_table(empty)):
        assert table.empty
    assert fig.on_time_figure(fig.on_time_table(empty, "to_team"), "t", axis_title="x").layout.xaxis.visible is False
    assert fig.flows_figure(fig.flows_table(empty), "t").layout.xaxis.visible is False
    assert fig.pair_standards_figure(fig.pair_standards_table(empty), "t").layout.xaxis.visible is False
    assert fig.monthly_figure(fig.monthly_table(empty, W, D), "f").layout.xaxis.visible is False
    kt = fig.keyworker_table(pd.DataFrame({"changes": [], "children": []}))
    assert fig.keyworker_figure(kt, fig.keyworker_title(kt)).layout.xaxis.visible is False
    assert fig.pending_rows(empty).empty


def test_a_national_number_of_teams_draws_the_worst_and_says_the_csv_has_all():
    """At most GROUP_CAP bars (worst first) and FLOW_CAP Sankey links (largest); here with caps of 1."""
    t = fig.on_time_table(ROWS, "to_team")  # Looked After (1 of 3 on time), then CIN (3 of 5)
    f = fig.on_time_figure(t, "t", axis_title="Receiving team", cap=1)
    assert_twin(f)
    assert list(f.data[0].y) == ["Looked After"] and list(f.data[1].text) == ["33% (1 of 3)"]
    assert list(f.layout.yaxis.categoryarray) == ["Looked After"]
    assert "The first 1 of 2, lowest share on time first, are drawn; the CSV has all." in f.layout.annotations[-1].text
    assert len(fig.on_time_csv(fig.on_time_shown(t))) == 2
    uncapped = fig.on_time_figure(t, "t", axis_title="Receiving team")
    assert list(uncapped.data[0].y) == ["Looked After", "CIN"]
    assert "CSV has all" not in uncapped.layout.annotations[-1].text

    flows = fig.flows_table(ROWS)  # Assessment -> CIN (6), CIN -> Looked After (3)
    sankey = fig.flows_figure(flows, "t", cap=1)
    assert_twin(sankey)
    assert list(sankey.data[0].link.value) == [6]
    assert list(sankey.data[0].node.label) == ["Assessment (sending 6)", "CIN (receiving 6)"]
    assert "The 1 team pairs with most transfers are drawn, of 2; the CSV has them all." in (
        sankey.layout.annotations[-1].text
    )
    assert "CSV has them all" not in fig.flows_figure(flows, "t").layout.annotations[-1].text
