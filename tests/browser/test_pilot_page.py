"""The /cin-pilot page in headless Chromium on the demo authority with a second configured pilot."""

from __future__ import annotations

import os

import pytest
from selenium.common.exceptions import StaleElementReferenceException
from selenium.webdriver.support.ui import WebDriverWait

from data_layer import connect, load_standards
from data_layer.demo import ensure_demo
from tests.apps import make_app

AS_AT = "2023-03-31"
CARDS = ("#cin-pilot-did-card", "#cin-pilot-trend-card", "#cin-pilot-routes-card", "#cin-pilot-workload-chart-card")
SECOND = "Assessment team pilot"
SCORECARD = "#cin-pilot-scorecard tbody tr"
VERDICTS = f"{SCORECARD} td:last-child"
WORDS = {"Better", "Worse", "No clear difference", "Too small to judge", "Not measurable yet", "Context, not judged"}
#: Words of the method text that must not be on the face of the page before "How this is worked out" opens.
METHOD_WORDS = ("seed", "statsmodels", "scipy", "Kaplan-Meier", "bootstrap")


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    toml = tmp_path_factory.mktemp("pilot") / "standards.toml"
    toml.write_text(
        f'[[pilots]]\nname = "{SECOND}"\nteam_ids = ["T01"]\nstart = 2022-06-01\nmonths = 4\n'
        'comparison_service = "CIN/CP"\n'
    )
    return make_app(db=connect(f"sqlite:///{ensure_demo()}", standards=load_standards(toml)))


def _open(dash_duo, app, free_port, query):
    dash_duo.start_server(app, port=free_port)
    dash_duo.wait_for_page(f"{dash_duo.server_url}/cin-pilot?{query}")
    for card in CARDS:
        dash_duo.wait_for_element(f"{card} .js-plotly-plot", timeout=40)


def _until(driver, check, timeout=30):
    """Wait for ``check()`` (stale elements while a callback re-renders count as "not yet")."""
    WebDriverWait(driver, timeout, ignored_exceptions=(StaleElementReferenceException,)).until(lambda _: check())


def _no_errors(dash_duo):
    assert not [e for e in dash_duo.get_logs() or [] if e["level"] == "SEVERE"]
    assert not dash_duo.driver.find_elements("css selector", ".page-error")


def _click(dash_duo, element):
    """Click through JavaScript after centring the element: the sticky navbar can never intercept it."""
    dash_duo.driver.execute_script("arguments[0].scrollIntoView({block: 'center'}); arguments[0].click();", element)


def _plots_settled(dash_duo) -> bool:
    """Every chart has been drawn at its container's current width (after a window resize)."""
    return dash_duo.driver.execute_script(
        "const plots = Array.from(document.querySelectorAll('.js-plotly-plot'));"
        "return plots.length > 0 && plots.every(p => { const svg = p.querySelector('.main-svg');"
        " return svg && Math.abs(Number(svg.getAttribute('width')) - p.clientWidth) < 2; });"
    )


def _cells(dash_duo, selector):
    return dash_duo.driver.execute_script(
        f"return Array.from(document.querySelectorAll('{selector}')).map(e => e.textContent)"
    )


def _visible_text(dash_duo) -> str:
    """What a reader sees: the page's rendered text (the content of a closed <details> is not rendered)."""
    return dash_duo.driver.execute_script("return document.body.innerText")


def test_director_table_charts_and_selector(dash_duo, app, free_port):
    _open(dash_duo, app, free_port, f"as_at={AS_AT}")
    heads = _cells(dash_duo, "#cin-pilot-scorecard thead th")
    assert heads == [
        "Measure",
        "Pilot team: before → during",
        "Comparison teams: before → during",
        "Difference",
        "Verdict",
    ]
    rows = _cells(dash_duo, f"{SCORECARD} td:first-child")
    assert len(rows) == 7 and rows[0] == "Median CIN plan duration"
    verdicts = _cells(dash_duo, VERDICTS)
    assert len(verdicts) == 7 and set(verdicts) <= WORDS and verdicts[-1] == "Context, not judged"
    # the demo's re-referrals: 2 and 1 plans during the pilot, too small to judge, and no difference printed
    rerefer = _cells(dash_duo, f"{SCORECARD}:nth-child(5) td")
    assert rerefer[0].startswith("Re-referred") and rerefer[3:] == ["–", "Too small to judge"]
    # the headline counts outcomes only: the workers' caseload (which fell in the pilot team) is context
    title = dash_duo.find_element("#cin-pilot-scorecard-card h2").text
    assert title == "No clear pilot effect on any of the 5 outcomes that can be judged"
    # the statistics are folded: no seed, library name or "n = " on the face of the page
    face = _visible_text(dash_duo)
    for word in (*METHOD_WORDS, "n = "):
        assert word not in face, word
    details = dash_duo.find_element("#cin-pilot-methods-details")
    assert details.get_attribute("open") is None and not dash_duo.find_element("#cin-pilot-methods").is_displayed()
    _click(dash_duo, dash_duo.find_element("#cin-pilot-methods-details summary"))
    _until(dash_duo.driver, lambda: dash_duo.find_element("#cin-pilot-methods").is_displayed())
    methods = dash_duo.find_element("#cin-pilot-methods").text
    assert "What these figures can show" in methods and "cannot show" in methods and "Wilson" in methods
    assert "seed 20220207" in methods and "statsmodels" in methods
    stats = dash_duo.find_element("#cin-pilot-statistics-table-wrapper")
    assert stats.get_attribute("open") is None
    _click(dash_duo, dash_duo.find_element("#cin-pilot-statistics-table-wrapper summary"))
    _until(dash_duo.driver, lambda: dash_duo.find_element("#cin-pilot-statistics-table").is_displayed())
    assert "n = " in " ".join(_cells(dash_duo, "#cin-pilot-statistics-table td"))
    for card in CARDS:
        assert dash_duo.find_element(f"{card} [role=img]").get_attribute("aria-label")
        assert dash_duo.find_element(f"{card} .csv-button").text == "Download CSV"
    assert dash_duo.find_element("#cin-pilot-selector").is_displayed()
    assert "CIN team pilot" in dash_duo.find_element("#cin-pilot-design h2").text
    assert "Pilot start" in dash_duo.find_element("#cin-pilot-trend-card").get_attribute("innerHTML")
    if os.environ.get("CSC_SCREENSHOTS"):
        for el in ("#cin-pilot-methods-details", "#cin-pilot-statistics-table-wrapper"):  # as a reader lands
            dash_duo.driver.execute_script(f"document.querySelector('{el}').open = false")
        height = dash_duo.driver.execute_script("return document.documentElement.scrollHeight")
        dash_duo.driver.set_window_size(1440, height + 150)
        _until(dash_duo.driver, lambda: _plots_settled(dash_duo))
        dash_duo.driver.save_screenshot(os.path.join(os.environ["CSC_SCREENSHOTS"], "cin-pilot.png"))
    _no_errors(dash_duo)


def test_second_pilot_from_standards_file(dash_duo, app, free_port):
    _open(dash_duo, app, free_port, f"as_at={AS_AT}")
    _click(dash_duo, dash_duo.find_element("#cin-pilot-select"))
    dash_duo.wait_for_element(".dash-dropdown-options .dash-dropdown-option", timeout=10)
    options = dash_duo.driver.find_elements("css selector", ".dash-dropdown-options .dash-dropdown-option")
    assert [o.text for o in options] == ["CIN team pilot", SECOND]
    _click(dash_duo, next(o for o in options if o.text == SECOND))
    _until(dash_duo.driver, lambda: SECOND in dash_duo.find_element("#cin-pilot-design h2").text)
    assert "Demo" in dash_duo.find_element("#cin-pilot-design").text
    _no_errors(dash_duo)


def test_bookmarked_pilot_and_presentation_mode(dash_duo, app, free_port):
    _open(dash_duo, app, free_port, f"as_at=2022-05-31&presentation=1&pilot={SECOND.replace(' ', '+')}")
    _until(dash_duo.driver, lambda: SECOND in dash_duo.find_element("#cin-pilot-design h2").text)
    # the second pilot's cohorts have not started on 31 May 2022: nothing is judged
    verdicts = _cells(dash_duo, VERDICTS)
    assert verdicts[:-1] and set(verdicts[:-1]) == {"Too small to judge"} and verdicts[-1] == "Context, not judged"
    assert set(_cells(dash_duo, f"{SCORECARD} td:nth-child(4)")) == {"–"}
    cells = " ".join(_cells(dash_duo, "#cin-pilot-scorecard td, #cin-pilot-statistics-table td"))
    for small in ("n = 1;", "n = 2;", "n = 3;", "n = 4;", "(1)", "(2)", "(3)", "(4)"):
        assert small not in cells
    _no_errors(dash_duo)


def test_presentation_mode_routes_bars_run_to_100(dash_duo, app, free_port):
    """Issue 12: in presentation mode the closure-route bars ended at 58% and 87%, segments misplaced.
    Each drawn bar, as the browser has it, adds up to 100% (hidden routes as one "not shown" segment)."""
    _open(dash_duo, app, free_port, f"as_at={AS_AT}&presentation=1")
    totals = dash_duo.driver.execute_script(
        "const el = document.querySelector('#cin-pilot-routes-graph .js-plotly-plot');"
        "const t = {}; for (const tr of el.data) { if (tr.type !== 'bar') continue;"
        " tr.y.forEach((y, i) => { t[y] = (t[y] || 0) + (tr.x[i] || 0); }); } return t;"
    )
    assert totals and all(abs(v - 100) < 1e-6 for v in totals.values()), totals
    note = dash_duo.find_element("#cin-pilot-routes-card .chart-note").text
    for cohort in ("Pilot team, before", "Pilot team, during", "Comparison teams, before", "Comparison teams, during"):
        assert cohort in totals or "No bar for" in note
    cells = " ".join(_cells(dash_duo, f"{SCORECARD} td"))
    assert "(1)" not in cells and "(2)" not in cells and "(3)" not in cells and "(4)" not in cells
    _no_errors(dash_duo)
