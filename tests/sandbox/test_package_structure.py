"""The sandbox package's shape: no import cycle, and the size rules of the files split for it."""

from __future__ import annotations

import ast
from pathlib import Path

import grimp

import posdesk.sandbox

SANDBOX = Path(posdesk.sandbox.__file__).parent
MAX_MODULE_LINES = 600
MAX_FUNCTION_LINES = 80
# The modules the resolver/seed split produced; the rest of the package keeps its own sizes.
SIZED = [*SANDBOX.glob("graphql_api/*.py"), *SANDBOX.glob("seed/*.py"), SANDBOX / "db.py"]


def _cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One import cycle of ``graph`` (as a path that returns to its start), or ``None``."""
    state: dict[str, int] = {}  # 1: on the current path, 2: done
    path: list[str] = []

    def visit(module: str) -> list[str] | None:
        state[module] = 1
        path.append(module)
        for imported in sorted(graph.get(module, ())):
            if state.get(imported) == 1:
                return [*path[path.index(imported) :], imported]
            if imported not in state and (found := visit(imported)) is not None:
                return found
        path.pop()
        state[module] = 2
        return None

    for module in sorted(graph):
        if module not in state and (found := visit(module)) is not None:
            return found
    return None


def test_cycle_finder_sees_a_cycle() -> None:
    """The check below would notice one (db → seed → db was the package's only cycle)."""
    assert _cycle({"db": {"seed"}, "seed": {"tables", "db"}, "tables": set()}) == [
        "db",
        "seed",
        "db",
    ]
    assert _cycle({"db": {"seed", "tables"}, "seed": {"tables"}, "tables": set()}) is None


def test_sandbox_has_no_import_cycle() -> None:
    """Imports inside ``posdesk.sandbox`` form a DAG, lazy imports in functions included."""
    graph = grimp.build_graph("posdesk", exclude_type_checking_imports=False, cache_dir=None)
    modules = {m for m in graph.modules if m.startswith("posdesk.sandbox")}
    imports = {
        m: {i for i in graph.find_modules_directly_imported_by(m) if i in modules} for m in modules
    }
    assert {"posdesk.sandbox.seed.seeder", "posdesk.sandbox.graphql_api.schema"} <= modules
    assert imports["posdesk.sandbox.db"] >= {"posdesk.sandbox.seed"}  # db seeds through a call
    assert _cycle(imports) is None


def test_split_modules_keep_the_size_rules() -> None:
    """No split module over ~600 lines; no function over ~80 lines unless its docstring says
    why ("Long because ...")."""
    assert len(SIZED) > 15
    too_long = []
    for path in SIZED:
        text = path.read_text(encoding="utf-8")
        if text.count("\n") > MAX_MODULE_LINES:
            too_long.append(f"{path.name}: {text.count(chr(10))} lines")
        for node in ast.walk(ast.parse(text)):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                length = (node.end_lineno or node.lineno) - node.lineno + 1
                reason = "long because" in (ast.get_docstring(node) or "").lower()
                if length > MAX_FUNCTION_LINES and not reason:
                    too_long.append(f"{path.name}:{node.name}: {length} lines")
    assert too_long == []
