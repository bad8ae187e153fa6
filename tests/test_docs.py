"""The README and docs/ link only to files a clone has (issue 13: no design file or seed outside the repository)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
DOCS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
LINK = re.compile(r"\[[^\]]*\]\(([^)\s]+)\)")


def _relative_links(path: Path) -> list[str]:
    text = re.sub(r"```.*?```", "", path.read_text(encoding="utf-8"), flags=re.S)  # code blocks are not links
    return [t for t in LINK.findall(text) if not re.match(r"[a-z]+:", t) and not t.startswith("#")]


@pytest.mark.parametrize("doc", DOCS, ids=lambda p: p.name)
def test_every_relative_link_points_at_a_file_in_the_repository(doc):
    missing = [t for t in _relative_links(doc) if not (doc.parent / t.split("#")[0]).exists()]
    assert not missing, f"{doc.name} links to files a clone does not have: {missing}"


def test_the_readme_names_no_document_outside_the_repository():
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "DESIGN.md" not in text and "../shared" not in text and "shared/seeds" not in text


def test_the_licence_file_matches_the_declared_licence():
    declared = re.search(r'^license = "([^"]+)"', (ROOT / "pyproject.toml").read_text(), re.M).group(1)
    assert declared == "MIT" and (ROOT / "LICENSE").read_text().startswith("MIT License")


def test_the_link_reader_finds_the_readmes_links():
    links = _relative_links(ROOT / "README.md")
    assert "docs/ARCHITECTURE.md" in links and "LICENSE" in links
