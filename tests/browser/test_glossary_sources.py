"""Plain words in headless Chromium: the glossary from every page, a lede's term link, the sources page
with a standards file in force, and a folded "How this is worked out" note.

The app is built with a standards file overriding the caseload standard, so the sources page must show
the authority's value beside the document's.
"""

from __future__ import annotations

from datetime import date
from urllib.parse import parse_qs, urlparse

import pytest
from selenium.common.exceptions import ElementClickInterceptedException
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

from data_layer import connect, load_standards
from tests.apps import make_app
from tests.browser.helpers import save_page_screenshot, severe_logs

pytestmark = pytest.mark.browser

AS_AT = date(2023, 3, 31)
QUERY = f"as_at={AS_AT}"
FILE = "authority-standards.toml"
PAGES = ("/", "/caseloads", "/plans", "/cin-pilot", "/transfers", "/jarp", "/sources", "/glossary")


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    from data_layer.demo import ensure_demo

    toml = tmp_path_factory.mktemp("words") / FILE
    toml.write_text("[standards]\ncaseload_per_fte = 22\n")
    return make_app(db=connect(f"sqlite:///{ensure_demo()}", standards=load_standards(toml)))


def _wait(dash_duo, check, timeout=30):
    return WebDriverWait(dash_duo.driver, timeout).until(lambda _: check())


def _nav_link(dash_duo, name):
    return dash_duo.driver.find_element(By.XPATH, f"//nav//a[normalize-space()='{name}']")


def _clicked(element) -> bool:
    try:
        element.click()
    except ElementClickInterceptedException:
        return False
    return True


def _keeps_query(href: str | None) -> bool:
    return bool(href) and parse_qs(urlparse(href).query).get("as_at") == [str(AS_AT)]


def test_the_glossary_is_reachable_from_every_page(dash_duo, app, free_port):
    dash_duo.start_server(app, port=free_port)
    for path in PAGES:
        dash_duo.wait_for_page(f"{dash_duo.server_url}{path}?{QUERY}")
        dash_duo.wait_for_element("#shell-main .page-header h1", timeout=30)
        # The navbar's Glossary link and the footer's both keep the filters once the shell has set them.
        _wait(dash_duo, lambda: _keeps_query(_nav_link(dash_duo, "Glossary").get_attribute("href")))
        footer = dash_duo.driver.find_element(By.XPATH, "//footer//a[normalize-space()='Glossary']")
        _wait(dash_duo, lambda footer=footer: _keeps_query(footer.get_attribute("href")))
        assert urlparse(_nav_link(dash_duo, "Glossary").get_attribute("href")).path == "/glossary"
    dash_duo.wait_for_page(f"{dash_duo.server_url}/jarp?{QUERY}")
    _wait(dash_duo, lambda: _keeps_query(_nav_link(dash_duo, "Glossary").get_attribute("href")))
    _nav_link(dash_duo, "Glossary").click()
    dash_duo.wait_for_element("#glossary-terms #glossary-jarp", timeout=20)
    assert _keeps_query(dash_duo.driver.current_url)  # the filters travel with the reader
    assert not severe_logs(dash_duo)


def test_a_term_in_a_lede_opens_its_glossary_entry(dash_duo, app, free_port):
    dash_duo.start_server(app, port=free_port)
    dash_duo.wait_for_page(f"{dash_duo.server_url}/plans?{QUERY}")
    link = dash_duo.wait_for_element(".page-lede abbr.glossary-term a", timeout=30)
    assert link.text == "CIN" and link.find_element(By.XPATH, "..").get_attribute("title") == "Child in need"
    _wait(dash_duo, lambda: _keeps_query(link.get_attribute("href")))
    assert urlparse(link.get_attribute("href")).fragment == "glossary-cin"
    link.click()
    entry = dash_duo.wait_for_element("#glossary-cin.glossary-target", timeout=20)
    assert "Child in need" in entry.text and "Child in Need Practice Guidance" in entry.text
    assert urlparse(dash_duo.driver.current_url).fragment == "glossary-cin"
    # Scrolled to: the entry is inside the window, not below the fold.
    top = dash_duo.driver.execute_script("return arguments[0].getBoundingClientRect().top", entry)
    assert 0 <= top < dash_duo.driver.execute_script("return window.innerHeight")
    save_page_screenshot(dash_duo, "glossary.png")


def test_the_sources_page_shows_the_standards_file_beside_the_documents_value(dash_duo, app, free_port):
    dash_duo.start_server(app, port=free_port)
    dash_duo.wait_for_page(f"{dash_duo.server_url}/sources?{QUERY}")
    dash_duo.wait_for_contains_text("#sources-override", FILE, timeout=30)
    row = dash_duo.find_element("#sources-row-caseload_per_fte").text
    assert "22 children per FTE" in row and FILE in row and "the document: 25 children per FTE" in row
    assert FILE not in dash_duo.find_element("#sources-row-cin_review_days").text
    titles = [h.text for h in dash_duo.driver.find_elements(By.CSS_SELECTOR, "#sources-documents h2")]
    assert titles[:5] == [
        "Cluster group presentation",
        "Child in Need Practice Guidance",
        "CIN Team Pathway",
        "Reclaim Social Work",
        "Protocol for Case Management, Workflow and Transfers",
    ]
    save_page_screenshot(dash_duo, "sources.png")


def test_a_method_note_is_folded_and_opens_on_click(dash_duo, app, free_port):
    dash_duo.start_server(app, port=free_port)
    dash_duo.wait_for_page(f"{dash_duo.server_url}/transfers?{QUERY}")
    details = dash_duo.wait_for_element("#transfers-method-details", timeout=60)
    text = dash_duo.find_element("#transfers-method")
    assert details.get_attribute("open") is None and not text.is_displayed()
    summary = details.find_element(By.TAG_NAME, "summary")
    dash_duo.driver.execute_script("arguments[0].scrollIntoView({block: 'center'})", summary)
    _wait(dash_duo, lambda: _clicked(summary))  # once nothing (a spinner) lies over it
    _wait(dash_duo, lambda: details.get_attribute("open") is not None and text.is_displayed())
    assert "bank holidays" in text.text
    assert not severe_logs(dash_duo)
