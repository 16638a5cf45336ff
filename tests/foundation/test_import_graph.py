"""No module of the package imports itself back through others when it loads, or passes names on.

Import cycles were how the flat ingestion folder grew (the loader, refresh and upsert modules
imported each other in a circle): a cycle makes import order matter and hides which layer owns what.
The graph is read from the source with ``ast``: imports that run when a module loads (module and
class bodies, module-level ``if``/``try``), not those inside functions, which are deliberate late
imports (a worker loading the code location, a heavy library only one command needs).
"""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[2] / "pipeline_platform"


def _modules() -> dict[str, Path]:
    found = {}
    for path in PACKAGE.rglob("*.py"):
        parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
        found[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = path
    return found


def _load_time_imports(tree: ast.AST):
    """Import nodes reached without entering a function body or an ``if TYPE_CHECKING`` block."""
    for node in ast.iter_child_nodes(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
            continue
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            continue
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            yield node
        yield from _load_time_imports(node)


def _graph(modules: dict[str, Path]) -> dict[str, set[str]]:
    graph = {}
    for name, path in modules.items():
        package = name if path.name == "__init__.py" else name.rpartition(".")[0]
        targets = set()
        for node in _load_time_imports(ast.parse(path.read_text())):
            if isinstance(node, ast.Import):
                targets |= {alias.name for alias in node.names}
                continue
            base = node.module or ""
            if node.level:
                parts = package.split(".")
                base = ".".join(parts[: len(parts) - node.level + 1] + ([base] if base else []))
            # "from package import module" depends on the module; "from module import name" on the module
            targets |= {f"{base}.{a.name}" if f"{base}.{a.name}" in modules else base for a in node.names}
        graph[name] = {t for t in targets if t in modules and t != name}
    return graph


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    state, path, cycles = {}, [], []

    def visit(node: str) -> None:
        state[node] = "open"
        path.append(node)
        for nxt in sorted(graph[node]):
            if state.get(nxt) == "open":
                cycles.append(path[path.index(nxt):] + [nxt])
            elif nxt not in state:
                visit(nxt)
        path.pop()
        state[node] = "done"

    for node in sorted(graph):
        if node not in state:
            visit(node)
    return cycles


def test_the_package_has_no_import_cycle():
    modules = _modules()
    graph = _graph(modules)
    # the reader sees the package: every layer is there and the loader's modules import each other
    assert {"pipeline_platform.ingestion.load.upsert", "pipeline_platform.definitions"} <= set(graph)
    assert "pipeline_platform.ingestion.load.stage" in graph["pipeline_platform.ingestion.load.upsert"]
    cycles = _cycles(graph)
    assert not cycles, "import cycle(s): " + "; ".join(" -> ".join(c) for c in cycles)


def test_the_cycle_finder_sees_a_cycle():
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c", "a"]]


def test_no_module_passes_on_names_it_does_not_use():
    """A re-export shim (importing a name only so callers may import it from here) hides which
    module owns it; every name a module imports from the package is used in that module."""
    unused = []
    for name, path in _modules().items():
        tree = ast.parse(path.read_text())
        used = {n.id for n in ast.walk(tree) if isinstance(n, ast.Name)}
        for node in _load_time_imports(tree):
            if isinstance(node, ast.ImportFrom) and (node.level or (node.module or "").startswith("pipeline_platform")):
                unused += [f"{name}: {a.asname or a.name}" for a in node.names if (a.asname or a.name) not in used]
    assert not unused, f"imported from the package and never used (re-exported?): {unused}"
