"""Screenshots of every page the navbar lists, at 1440 and 390 px: ``docs/screenshots/<page>-<width>.png``.

    python -m tests.browser.screenshots --out docs/screenshots

Runs the layout test (``tests/browser/test_chart_layout.py``) with ``CSC_SCREENSHOTS`` set, so the
images are taken exactly where the layout is checked: on the demo database at its latest month,
each page once its callbacks have answered and its charts are drawn (conditions, never sleeps).
The images are written even when a layout check fails; the exit status is the test's.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default="docs/screenshots", help="folder for the PNGs (created if missing)")
    args = parser.parse_args(argv)
    out = Path(args.out).resolve()
    out.mkdir(parents=True, exist_ok=True)
    os.environ["CSC_SCREENSHOTS"] = str(out)
    return int(pytest.main(["-q", "-p", "no:cacheprovider", str(HERE / "test_chart_layout.py")]))


if __name__ == "__main__":
    sys.exit(main())
