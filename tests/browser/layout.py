"""Reading a page's layout in the browser: the navbar's pages, chart boxes, overflow, full-page images.

Shared by the layout test (``test_chart_layout.py``) and the screenshot script (``screenshots.py``).
Every wait is for a condition (the page's callbacks done, every chart drawn, the height settled).
"""

from __future__ import annotations

from datetime import date

from selenium.webdriver.support.ui import WebDriverWait

#: The demo's latest complete month: the date every screenshot and layout check is taken at.
AS_AT = date(2023, 3, 31)

_PAGES = """
return Array.from(document.querySelectorAll('#shell-navbar .nav-link'))
  .map(a => new URL(a.getAttribute('href'), location.href).pathname)
  .filter(p => p.startsWith('/'));
"""

#: The page is drawn: no callback pending, nothing loading, the body filled, every graph drawn.
_READY = """
const store = window.store && window.store.getState();
if (!store || (store.pendingCallbacks || []).length) return false;
if (document.querySelector('[data-dash-is-loading="true"]')) return false;
const content = document.getElementById('_pages_content');
if (!content || !content.innerText.trim()) return false;
if (content.querySelector('.dash-spinner, ._dash-loading-callback')) return false;
return Array.from(content.querySelectorAll('.dash-graph')).every(g => g.querySelector('.main-svg'));
"""

_BOXES = """
const box = el => {
  if (!el) return null;
  const r = el.getBoundingClientRect();
  return r.width > 0 && r.height > 0 ? {left: r.left, top: r.top, right: r.right, bottom: r.bottom,
                                        width: r.width, height: r.height} : null;
};
const union = els => {
  const boxes = els.map(box).filter(b => b);
  if (!boxes.length) return null;
  const top = Math.min(...boxes.map(b => b.top)), bottom = Math.max(...boxes.map(b => b.bottom));
  return {top: top, bottom: bottom, height: bottom - top};
};
return Array.from(document.querySelectorAll('#_pages_content .js-plotly-plot')).map(p => ({
  id: (p.closest('.chart-card') || p.parentElement).id,
  title: box(p.querySelector('.gtitle')),
  legend: box(p.querySelector('.legend')),
  modebar: box(p.querySelector('.modebar')),
  plot: union(Array.from(p.querySelectorAll('.draglayer .nsewdrag'))),
}));
"""

_STABLE = (
    "const done = arguments[arguments.length - 1]; const h = document.documentElement.scrollHeight;"
    "requestAnimationFrame(() => requestAnimationFrame(() => done(h === document.documentElement.scrollHeight)))"
)


def page_name(path: str) -> str:
    """``/`` -> ``overview``, ``/cin-pilot`` -> ``cin-pilot``: the screenshot's file name."""
    return path.strip("/") or "overview"


def navbar_pages(dash_duo) -> dict[str, str]:
    """Every page the navbar lists, name -> path, in navbar order."""
    dash_duo.wait_for_element("#shell-navbar .nav-link", timeout=60)
    paths = dash_duo.driver.execute_script(_PAGES)
    return {page_name(p): p for p in dict.fromkeys(paths)}


def wait_until_drawn(dash_duo, timeout: float = 90) -> None:
    """Wait until the page's callbacks have answered and every chart is drawn."""
    WebDriverWait(dash_duo.driver, timeout, poll_frequency=0.2).until(lambda d: d.execute_script(_READY))


def wait_until_settled(dash_duo, timeout: float = 20) -> None:
    """Wait until the page height is unchanged across two animation frames (charts resized)."""
    WebDriverWait(dash_duo.driver, timeout, poll_frequency=0.1).until(lambda d: d.execute_async_script(_STABLE))


def open_page(dash_duo, path: str, width: int, height: int = 1000) -> None:
    """Open ``path`` at the demo's date in a window ``width`` px wide, drawn and settled."""
    dash_duo.driver.set_window_size(width, height)
    dash_duo.driver.get(f"{dash_duo.server_url}{path}?as_at={AS_AT}")
    wait_until_drawn(dash_duo)
    wait_until_settled(dash_duo)


def chart_boxes(dash_duo) -> list[dict]:
    """Each chart's id and the screen boxes of its title, legend, mode bar and plot area (None if not drawn)."""
    return dash_duo.driver.execute_script(_BOXES)


def overlaps(a: dict, b: dict) -> bool:
    """Whether two screen rectangles share any area (touching edges do not count)."""
    return a["left"] < b["right"] and b["left"] < a["right"] and a["top"] < b["bottom"] and b["top"] < a["bottom"]


def horizontal_overflow(dash_duo) -> int:
    """How many px the page is wider than the window (0 when it does not scroll sideways)."""
    return dash_duo.driver.execute_script(
        "return Math.max(0, document.documentElement.scrollWidth - window.innerWidth)"
    )


def save_full_page(dash_duo, path: str, width: int) -> None:
    """The whole page, ``width`` px wide, as a PNG at ``path`` (the window grown to the page's height)."""
    driver = dash_duo.driver
    driver.set_window_size(width, driver.execute_script("return document.documentElement.scrollHeight") + 150)
    wait_until_settled(dash_duo)
    driver.save_screenshot(path)
