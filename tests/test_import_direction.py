"""Imports run one way: pages -> dashboard -> data_layer, and the board pack never reaches up to the app.

The graph is read from the source with ``ast``, so every import counts, including those inside
functions: a lazy import circle is still a circle (it only moves the failure to run time). A
package's ``__init__`` importing its own submodules (re-exports) is normal and left out of the
cycle check; cycles among the submodules themselves are not.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("dashboard", "data_layer")
#: What the output-building modules (sections, figures, the pack...) may never import: the app around them.
APP_SIDE = ("app", "server", "shell", "views", "render", "cli", "pages")
PURE_SIDE = ("sections", "figures", "disclosure", "tiles", "rag", "pack")


def _modules() -> dict[str, Path]:
    """Every module of the first-party packages: dotted name -> file."""
    found = {}
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            parts = list(path.relative_to(ROOT).with_suffix("").parts)
            if parts[-1] == "__init__":
                parts = parts[:-1]
            found[".".join(parts)] = path
    return found


MODULES = _modules()


def _is_package(name: str) -> bool:
    return name in MODULES and MODULES[name].name == "__init__.py"


def _resolve(name: str, node: ast.ImportFrom) -> str:
    """The absolute module an ``ImportFrom`` names (``from ..x import y`` inside ``name``)."""
    if not node.level:
        return node.module or ""
    base = name.split(".") if _is_package(name) else name.split(".")[:-1]
    base = base[: len(base) - (node.level - 1)]
    return ".".join(base + ([node.module] if node.module else []))


def _target(dotted: str) -> str | None:
    """The first-party module an import loads: the longest existing prefix of ``dotted``."""
    parts = dotted.split(".")
    for n in range(len(parts), 0, -1):
        candidate = ".".join(parts[:n])
        if candidate in MODULES:
            return candidate
    return None


def imports_of(name: str) -> set[str]:
    """Every module ``name`` imports anywhere in its file (first-party ones as modules, others by top name)."""
    tree = ast.parse(MODULES[name].read_text(encoding="utf-8"), filename=str(MODULES[name]))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                found.add(_target(alias.name) or alias.name)
        elif isinstance(node, ast.ImportFrom):
            module = _resolve(name, node)
            for alias in node.names:
                # ``from pkg import sub`` loads the submodule when there is one, else ``pkg`` itself.
                found.add(_target(f"{module}.{alias.name}") or _target(module) or module)
    found.discard(name)
    return found


GRAPH = {name: imports_of(name) for name in MODULES}


def _is_reexport(source: str, target: str) -> bool:
    """A package ``__init__`` importing a module inside it."""
    return _is_package(source) and target.startswith(source + ".")


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One import cycle (its modules in order, the first repeated at the end), or None."""
    edges = {m: sorted(t for t in ts if t in graph and not _is_reexport(m, t)) for m, ts in graph.items()}
    state: dict[str, int] = {}  # 1: on the current path, 2: done
    path: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        path.append(node)
        for nxt in edges[node]:
            if state.get(nxt) == 1:
                return path[path.index(nxt) :] + [nxt]
            if nxt not in state and (cycle := visit(nxt)):
                return cycle
        path.pop()
        state[node] = 2
        return None

    for start in sorted(edges):
        if start not in state and (cycle := visit(start)):
            return cycle
    return None


def _within(module: str, prefix: str) -> bool:
    return module == prefix or module.startswith(prefix + ".")


def test_the_parser_sees_lazy_and_relative_imports():
    assert "dashboard.pack.build" in GRAPH["dashboard.pack.export"]  # from .build import ...
    assert "dashboard.pack.export" in GRAPH["dashboard.pack.button"]  # from . import export
    assert "dashboard.components" in GRAPH["dashboard.render"]
    # ``from dashboard.cache import cached_render`` sits inside ``guarded``
    assert "dashboard.cache" in GRAPH["dashboard.components"]


def test_a_cycle_is_found_and_named():
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}
    assert find_cycle(graph) == ["a", "b", "c", "a"]
    assert find_cycle({"a": {"b"}, "b": set()}) is None


def all_cycles(graph: dict[str, set[str]], limit: int = 30) -> list[list[str]]:
    """Cycles until none is left, breaking each found at its first edge (enough to name every circle)."""
    graph = {m: set(ts) for m, ts in graph.items()}
    found = []
    while len(found) < limit and (cycle := find_cycle(graph)):
        found.append(cycle)
        graph[cycle[0]].discard(cycle[1])
    return found


def _cycles_within(package: str) -> str:
    graph = {m: {t for t in ts if _within(t, package)} for m, ts in GRAPH.items() if _within(m, package)}
    return "\n".join(" -> ".join(c) for c in all_cycles(graph))


def test_the_dashboard_imports_in_no_circle():
    cycles = _cycles_within("dashboard")
    assert not cycles, f"import cycles:\n{cycles}"


def test_the_data_layer_imports_in_no_circle():
    cycles = _cycles_within("data_layer")
    assert not cycles, f"import cycles:\n{cycles}"


def test_the_whole_graph_has_no_circle_across_packages():
    """A circle through both packages would need data_layer -> dashboard, which is checked below; this
    guards the cycle finder's use on the whole graph."""
    crossing = [c for c in all_cycles(GRAPH) if {m.split(".")[0] for m in c} != {c[0].split(".")[0]}]
    assert not crossing, crossing


@pytest.mark.parametrize("forbidden", ["dashboard", "dash", "plotly", "flask"])
def test_the_data_layer_knows_nothing_of_the_app(forbidden):
    offenders = {
        m: sorted(t for t in ts if _within(t, forbidden))
        for m, ts in GRAPH.items()
        if _within(m, "data_layer") and any(_within(t, forbidden) for t in ts)
    }
    assert not offenders, f"data_layer imports {forbidden}: {offenders}"


def test_only_pages_import_pages():
    offenders = {
        m: sorted(t for t in ts if _within(t, "dashboard.pages"))
        for m, ts in GRAPH.items()
        if not _within(m, "dashboard.pages") and any(_within(t, "dashboard.pages") for t in ts)
    }
    assert not offenders, f"imports of dashboard.pages outside it: {offenders}"


def test_pages_are_a_package_inside_the_dashboard():
    assert _is_package("dashboard.pages") and not (ROOT / "pages").exists()
    assert any(_within(m, "dashboard.pages") and m != "dashboard.pages" for m in MODULES)


@pytest.mark.parametrize("pure", PURE_SIDE)
def test_outputs_never_import_the_app_around_them(pure):
    forbidden = [f"dashboard.{name}" for name in APP_SIDE]
    offenders = {
        m: sorted(t for t in ts if any(_within(t, f) for f in forbidden))
        for m, ts in GRAPH.items()
        if _within(m, f"dashboard.{pure}") and any(_within(t, f) for f in forbidden for t in ts)
    }
    assert not offenders, f"dashboard.{pure} imports the app side: {offenders}"
