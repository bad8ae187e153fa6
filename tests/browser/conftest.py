"""Browser tests in Debian's headless Chromium via dash[testing].

Chromium runs as root here, so it needs --no-sandbox; background networking is off because
this machine has no outside network. Each test server gets a free port so suites can run in
parallel.
"""

from __future__ import annotations

import socket

import pytest

pytestmark = pytest.mark.browser


def pytest_setup_options():
    from selenium.webdriver.chrome.options import Options

    options = Options()
    for arg in (
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
        "--window-size=1400,1000",
    ):
        options.add_argument(arg)
    options.binary_location = "/usr/bin/chromium"
    return options


@pytest.fixture
def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]
