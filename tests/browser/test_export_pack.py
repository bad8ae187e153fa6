"""The board pack in headless Chromium: the exported file opens offline with every chart drawn, and
the shell's "Board pack" button downloads the same pack. The PDF (``--out *.pdf``) is tested in
``tests/test_pack_pdf.py``.
"""

from __future__ import annotations

import json
import re
import time
from datetime import date
from pathlib import Path

import pytest

from dashboard.cli import main
from data_layer import Filters, connect
from tests.apps import make_app
from tests.browser.helpers import wait_for_file

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def demo_url() -> str:
    from data_layer.demo import ensure_demo

    return f"sqlite:///{ensure_demo()}"


@pytest.fixture(scope="module")
def pack_file(tmp_path_factory, demo_url) -> Path:
    out = tmp_path_factory.mktemp("pack") / "pack.html"
    assert main(["export", "--as-at", "2023-03-31", "--out", str(out), "--database", demo_url]) == 0
    return out


@pytest.fixture(scope="module")
def app(demo_url):
    return make_app(db=connect(demo_url))


def _normalised(text: str) -> tuple[str, list[str]]:
    """The pack's HTML without its scripts and production time, and each figure's JSON with sorted keys
    (a cached figure may list its layout's keys in another order)."""
    decoder = json.JSONDecoder()
    figures = []
    for m in re.finditer(r"Plotly\.newPlot\(\s*\"[^\"]+\",\s*", text):
        data, end = decoder.raw_decode(text, m.end())
        layout, _ = decoder.raw_decode(text, re.match(r",\s*", text[end:]).end() + end)
        figures.append(json.dumps({"data": data, "layout": layout}, sort_keys=True))
    html = re.sub(r"<script[^>]*>.*?</script>", "", text, flags=re.S)
    return re.sub(r"<dt>Produced</dt><dd>[^<]*</dd>", "", html), figures


def _charts_in(text: str) -> int:
    """Charts with a plot (an empty chart prints why instead of drawing one)."""
    return text.count('class="pack-figure pack-plot"')


def test_pack_opens_offline_with_every_chart_drawn(dash_duo, pack_file):
    charts = _charts_in(pack_file.read_text(encoding="utf-8"))
    assert charts >= 20
    dash_duo.driver.get(pack_file.resolve().as_uri())
    end = time.monotonic() + 60
    drawn = 0
    while time.monotonic() < end:
        drawn = dash_duo.driver.execute_script(
            "return document.querySelectorAll('.js-plotly-plot svg.main-svg').length ? "
            "Array.from(document.querySelectorAll('.js-plotly-plot')).filter(g => g.querySelector('svg')).length : 0;"
        )
        if drawn == charts:
            break
        time.sleep(0.5)
    plots = dash_duo.driver.execute_script("return document.querySelectorAll('.js-plotly-plot').length;")
    assert plots == charts and drawn == charts
    # Each chart drew its traces (not only an empty frame).
    empty = dash_duo.driver.execute_script(
        "return Array.from(document.querySelectorAll('.js-plotly-plot'))"
        ".filter(g => !(g._fullData && g._fullData.length && g.querySelector('.trace, .sankey, image')))"
        ".map(g => g.id);"
    )
    assert not empty
    assert not [e for e in dash_duo.get_logs() if e["level"] == "SEVERE"]
    assert dash_duo.driver.find_element("id", "pack-synthetic").is_displayed()


def test_board_pack_button_downloads_the_pack_for_the_current_filters(dash_duo, app, free_port):
    dash_duo.start_server(app, port=free_port)
    dash_duo.wait_for_page(f"{dash_duo.server_url}/caseloads?as_at=2023-03-31&team=T01")
    dash_duo.wait_for_element("#caseloads-body .chart-card", timeout=60)
    button = dash_duo.find_element("#shell-pack-button")
    dash_duo.driver.execute_script("arguments[0].scrollIntoView({block: 'center'});", button)
    button.click()
    pack = wait_for_file(Path(dash_duo.download_path), "board-pack-2023-03-31*.html", timeout=120)
    text = pack.read_text(encoding="utf-8")
    assert "Demo Assessment (Assessment)" in text and "31 March 2023" in text
    # The same pack as the exporter's for these filters (a small team: some charts are empty).
    with app.server.app_context():
        from dashboard.filters import load_filter_options
        from dashboard.pack import export

        db = app.server.extensions["csc_insight"].db
        same = export.build_pack(db, Filters(as_at=date(2023, 3, 31), teams=("T01",)), None, load_filter_options(db))
    assert _normalised(text) == _normalised(same)
    assert _charts_in(text) >= 10
    assert not dash_duo.find_elements("#shell-pack-error")
    assert not [e for e in dash_duo.get_logs() if e["level"] == "SEVERE"]
