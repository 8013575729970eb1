"""The shape of the code, read from the code itself (``ast``, nothing imported): the ingest
core knows no source, no two packages import each other, and every source has the same parts.

A package is a folder under plugins/sdw (``sdw.ingest``, ``sdw.cbs``, …); a top-level module
(``sdw.seeds``, ``sdw.sources``) is a node of its own. Every import counts, also one inside a
function or under ``TYPE_CHECKING``: a cycle hidden in a function is still a cycle.
"""

from __future__ import annotations

import ast
from pathlib import Path

SDW = Path(__file__).resolve().parents[2] / "plugins" / "sdw"

CORE = "sdw.ingest"
# Written out, not read from sdw.sources: the registry is what this test checks against.
SOURCES = ("sdw.istandaarden", "sdw.cbs", "sdw.cases", "sdw.subsidies", "sdw.budgets")
PARTS = ("parse", "tables", "kinds", "rules")


def _node(module: str) -> str:
    """The package a module belongs to (sdw.cbs.parse -> sdw.cbs), or the top-level module."""
    parts = module.split(".")
    if len(parts) >= 2 and (SDW / parts[1]).is_dir():
        return ".".join(parts[:2])
    return ".".join(parts[:2]) if len(parts) >= 2 else module


def _module_name(path: Path) -> str:
    rel = path.relative_to(SDW.parent).with_suffix("")
    parts = list(rel.parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _imports(path: Path) -> set[str]:
    """Every sdw module this file imports, relative imports resolved."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    here = _module_name(path).split(".")
    if path.name != "__init__.py":
        here = here[:-1]
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                base = ".".join(here[: len(here) - node.level + 1] + ([base] if base else []))
            # `from sdw import sources` imports the module sdw.sources
            found |= {f"{base}.{a.name}" if base == "sdw" else base for a in node.names}
    return {m for m in found if m == "sdw" or m.startswith("sdw.")}


def package_graph() -> dict[str, set[str]]:
    graph: dict[str, set[str]] = {}
    for path in SDW.rglob("*.py"):
        source = _node(_module_name(path))
        targets = {_node(m) for m in _imports(path)} - {source, "sdw"}
        graph.setdefault(source, set()).update(targets)
    return graph


def _cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One cycle of the graph as a path, or None."""
    state: dict[str, int] = {}  # 1: on the stack, 2: done
    stack: list[str] = []

    def visit(n: str) -> list[str] | None:
        state[n] = 1
        stack.append(n)
        for m in sorted(graph.get(n, ())):
            if state.get(m) == 1:
                return [*stack[stack.index(m) :], m]
            if m not in state and (found := visit(m)):
                return found
        stack.pop()
        state[n] = 2
        return None

    for n in sorted(graph):
        if n not in state and (found := visit(n)):
            return found
    return None


def test_the_graph_is_read_from_the_code() -> None:
    graph = package_graph()
    # Known edges, so that a parser that finds nothing cannot pass the tests below.
    assert CORE in graph["sdw.cbs"]
    assert "sdw.pseudonym" in graph[CORE]
    assert "sdw.sources" in graph[CORE]


def test_the_core_imports_no_source() -> None:
    graph = package_graph()
    assert not graph[CORE] & set(SOURCES)
    # nor through the top-level modules it uses (the registry names sources, never imports)
    seen, todo = set(), [CORE]
    while todo:
        n = todo.pop()
        for m in graph.get(n, ()):
            if m not in seen:
                seen.add(m)
                todo.append(m)
    assert not seen & set(SOURCES), sorted(seen & set(SOURCES))


def test_no_two_packages_import_each_other() -> None:
    cycle = _cycle(package_graph())
    assert cycle is None, " -> ".join(cycle or [])


def test_a_cycle_is_found_when_there_is_one() -> None:
    assert _cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert _cycle({"a": {"b"}, "b": set()}) is None


def test_every_source_has_the_same_parts() -> None:
    for source in SOURCES:
        folder = SDW / source.split(".")[1]
        missing = [p for p in PARTS if not (folder / f"{p}.py").is_file()]
        assert not missing, f"{source} lacks {missing}"


def test_the_registry_lists_exactly_the_sources() -> None:
    tree = ast.parse((SDW / "sources.py").read_text(encoding="utf-8"))
    listed = next(
        ast.literal_eval(node.value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Assign)
        and any(isinstance(t, ast.Name) and t.id == "SOURCES" for t in node.targets)
    )
    assert sorted(listed) == sorted(SOURCES)


def test_no_module_named_for_nothing() -> None:
    vague = {"utils", "helpers", "misc", "common"}
    assert not [p for p in SDW.rglob("*.py") if p.stem in vague]
