"""Every page of the demo at a desktop (1440 px) and a phone (390 px) width: charts laid out readably.

On every page the navbar lists (and the data-quality page): no chart's title is overlapped by its
legend or its mode bar (their bounding boxes do not intersect), every chart's plot area is at least
:data:`MIN_PLOT_HEIGHT` tall, and at 390 px the page does not scroll sideways (wide grids scroll inside their card).
With ``CSC_SCREENSHOTS=<folder>`` each page is also saved as ``<page>-<width>.png`` (see
``python -m tests.browser.screenshots``).
"""

from __future__ import annotations

import os

import pytest

from data_layer import connect
from tests.apps import make_app
from tests.browser.layout import (
    AS_AT,
    chart_boxes,
    horizontal_overflow,
    navbar_pages,
    open_page,
    overlaps,
    save_full_page,
)

pytestmark = pytest.mark.browser

WIDTHS = (1440, 390)
MIN_PLOT_HEIGHT = 200


@pytest.fixture(scope="module")
def app():
    from data_layer.demo import ensure_demo

    return make_app(db=connect(f"sqlite:///{ensure_demo()}"))


@pytest.mark.parametrize("width", WIDTHS)
def test_every_page_lays_its_charts_out_readably(dash_duo, app, free_port, width):
    dash_duo.start_server(app, port=free_port)
    dash_duo.wait_for_page(f"{dash_duo.server_url}/?as_at={AS_AT}")
    pages = navbar_pages(dash_duo)
    assert {"overview", "caseloads", "plans", "cin-pilot", "transfers", "jarp"} <= set(pages)
    pages["data-quality"] = "/data-quality"  # linked from the pages' data-quality note, not the navbar
    problems: list[str] = []
    charts_seen = 0
    for name, path in pages.items():
        open_page(dash_duo, path, width)
        boxes = chart_boxes(dash_duo)
        charts_seen += len(boxes)
        for chart in boxes:
            where = f"{name} @{width}px {chart['id']}"
            title = chart["title"]
            if title is None:
                problems.append(f"{where}: no title drawn")
                continue
            for what in ("legend", "modebar"):
                if chart[what] is not None and overlaps(title, chart[what]):
                    problems.append(f"{where}: {what} {chart[what]} over the title {title}")
            if chart["plot"] is not None and chart["plot"]["height"] < MIN_PLOT_HEIGHT:
                problems.append(f"{where}: plot area {chart['plot']['height']:.0f} px tall")
        if width <= 400:
            overflow = horizontal_overflow(dash_duo)
            if overflow:
                problems.append(f"{name} @{width}px: page {overflow} px wider than the window")
        folder = os.environ.get("CSC_SCREENSHOTS")
        if folder:
            save_full_page(dash_duo, os.path.join(folder, f"{name}-{width}.png"), width)
    assert charts_seen > 20, charts_seen
    assert not problems, "\n".join(problems)
