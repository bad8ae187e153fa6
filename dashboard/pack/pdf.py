"""The pack as an A4 landscape PDF, printed by headless Chromium, with a contents page that has page numbers.

Chromium cannot compute ``target-counter()`` (a link's page number), so the pack is printed twice:
the first print carries invisible markers (``PKM<kind><n>Q``, transparent 1 px text: see
``build.render``); :mod:`pypdf` reads which page each heading's marker landed on; the second
print fills those numbers into the contents (same layout: the numbers sit in a fixed-width column,
so nothing moves). The footer's "Page n of N" is CSS (``@page`` margin boxes, Chromium 131+).
"""

from __future__ import annotations

import logging
import os
import shutil
import subprocess
import tempfile
from collections.abc import Callable
from pathlib import Path

log = logging.getLogger(__name__)

CHROMIUM_CANDIDATES = ("chromium", "chromium-browser", "google-chrome", "/usr/bin/chromium")
PDF_TIMEOUT_SECONDS = 300


class ExportError(RuntimeError):
    """The pack could not be made; the message says why and is fit to show."""


def find_chromium() -> str | None:
    for name in CHROMIUM_CANDIDATES:
        found = shutil.which(name)
        if found:
            return found
    return None


def require_chromium() -> str:
    """The Chromium to print with, or :class:`ExportError` saying how to get one."""
    chromium = find_chromium()
    if not chromium:
        raise ExportError(
            "A PDF needs Chromium (the 'chromium' command or /usr/bin/chromium) to print the pack; "
            "none was found. Install it (Debian: apt-get install chromium) or write HTML with "
            "--out pack.html and print that from a browser."
        )
    return chromium


def html_to_pdf(html_path: Path, pdf_path: Path, chromium: str | None = None) -> None:
    """Print ``html_path`` to ``pdf_path`` with headless Chromium (raises :class:`ExportError`)."""
    chromium = chromium or require_chromium()
    args = [
        chromium,
        "--headless=new",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-extensions",
        "--no-pdf-header-footer",
        "--run-all-compositor-stages-before-draw",
        "--virtual-time-budget=20000",
        "--window-size=1123,794",
        f"--print-to-pdf={pdf_path}",
    ]
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        args.append("--no-sandbox")  # Chromium refuses to start as root with its sandbox
    with tempfile.TemporaryDirectory(prefix="csc-pack-chromium-") as profile:
        args += [f"--user-data-dir={profile}", html_path.resolve().as_uri()]
        try:
            run = subprocess.run(args, capture_output=True, timeout=PDF_TIMEOUT_SECONDS, check=False)
        except subprocess.TimeoutExpired as exc:
            raise ExportError(f"Chromium did not finish printing the PDF within {PDF_TIMEOUT_SECONDS} s.") from exc
    if run.returncode != 0 or not pdf_path.exists() or pdf_path.stat().st_size == 0:
        raise ExportError(f"Chromium could not print the PDF (exit code {run.returncode}).")


def page_texts(pdf_path: Path) -> list[str]:
    """The text of each page of a PDF (markers included), in page order."""
    from pypdf import PdfReader

    return [page.extract_text() or "" for page in PdfReader(str(pdf_path)).pages]


def print_pack(render: Callable[[dict[int, int], bool], str], out: Path, *, passes: int = 3) -> dict[int, int]:
    """Print the pack to ``out``; ``render(pages, draft)`` gives the HTML with contents entry n on
    ``pages[n]`` (``draft``: the first print, which only places the headings, may leave the plots out).

    Prints until the page numbers it read are the ones printed (twice, unless filling in the
    numbers moved a heading), at most ``passes`` times. Returns contents entry -> page.
    """
    from .build import marks_by_page

    chromium = require_chromium()
    numbers: dict[int, int] = {}
    with tempfile.TemporaryDirectory(prefix="csc-pack-") as tmp:
        html_path = Path(tmp) / "board-pack.html"

        def print_once(draft: bool) -> None:
            html_path.write_text(render(numbers, draft), encoding="utf-8")
            html_to_pdf(html_path, out, chromium)

        for attempt in range(max(2, passes)):
            draft = attempt == 0
            print_once(draft)
            try:
                found = {n: page for (kind, n), page in marks_by_page(page_texts(out)).items() if kind == "s"}
            except ImportError:
                log.warning("board pack: pypdf is not installed, so the contents have no page numbers")
                if draft:
                    print_once(False)
                return numbers
            if not draft and found == numbers:
                return numbers
            numbers = found
            log.info("board pack: print %d placed %d headings", attempt + 1, len(found))
        log.warning("board pack: the contents' page numbers did not settle after %d prints", max(2, passes))
    return numbers


__all__ = [
    "html_to_pdf",
    "find_chromium",
    "require_chromium",
    "print_pack",
    "page_texts",
    "ExportError",
    "CHROMIUM_CANDIDATES",
]
