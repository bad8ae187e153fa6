"""Presentation mode, every part of every page, on a small authority: nothing small can be recovered.

The small demo (``small_demo``: workers of 0-12 children, teams of a few children per status,
transfer pairs of 1-2) is rendered in presentation mode for its latest date, an earlier date and
one team; ``tests.disclosure_walk.leaks`` reads every title, finding, note, tile, CSV cell, hover
text and bar of the result. The same walk in normal mode must find small counts (or the test
could not fail).
"""

from __future__ import annotations

import itertools
from datetime import timedelta

import pytest

from dashboard.sections import PAGE_MODULES, compute_or_missing, page
from dashboard.sections.base import View
from data_layer import Filters, date_range, team_options
from tests.disclosure_walk import leaks


def _views(db, presentation: bool):
    _, latest = date_range(db)
    teams = team_options(db)["team_id"].tolist()
    threshold = db.standards.suppress_below
    for as_at, team in ((latest, ()), (latest - timedelta(days=120), ()), (latest, (teams[1],))):
        yield View.make(Filters(as_at=as_at, teams=team), presentation=presentation, threshold=threshold)


def _control_sets(spec, db):
    choices = spec.choices(db)
    keys = list(choices)
    if not keys:
        return [{}]
    return [dict(zip(keys, combo, strict=False)) for combo in itertools.product(*(choices[k][1] for k in keys))][:12]


@pytest.mark.parametrize("shape", ["native", "ssd"])
@pytest.mark.parametrize("page_key", PAGE_MODULES)
def test_presentation_mode_leaks_nothing(request, shape, page_key):
    """Every part of every page, on the small authority in both shapes (the SSD serves part of it)."""
    db = request.getfixturevalue("small_demo" if shape == "native" else "small_ssd")
    spec = page(page_key)
    found = []
    for view in _views(db, presentation=True):
        for controls in _control_sets(spec, db):
            v = view.with_controls(**spec.validate_controls(controls, db))
            for name, _part in spec.parts:
                for leak in leaks(compute_or_missing(spec, name, db, v), v.disclosure):
                    found.append(f"{name} {dict(v.controls)} {v.filters.as_at} {v.filters.teams}: {leak}")
    assert not found, "\n".join(found[:40])


def test_the_walk_finds_small_counts_in_normal_mode(small_demo):
    """Normal mode shows exact small counts: the walk must see them, or it could not see a leak."""
    spec = page("caseloads")
    view = next(_views(small_demo, presentation=False))
    found = leaks(spec.part("body")(small_demo, view), view.disclosure.__class__(threshold=5, active=True))
    assert any(f.startswith("small-cell") for f in found)
