"""Fail when the package's modules import each other in a circle.

Every import of the package counts, at the top of a module or inside a
function: an import moved into a function hides a circle from Python at
start-up, not from this check (run by `make lint`):

    python scripts/import_cycles.py
"""

from __future__ import annotations

import ast
import sys
from graphlib import CycleError, TopologicalSorter
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
PACKAGE = "customer_segmentation"


def module_name(path: Path, source: Path) -> str:
    parts = list(path.relative_to(source).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imported(tree: ast.AST, modules: set[str], package: str) -> set[str]:
    """The package's modules a module imports, wherever the import stands
    (``from package.x import y`` names the module y when there is one)."""
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            for alias in node.names:
                inner = f"{node.module}.{alias.name}"
                found.add(inner if inner in modules else node.module)
    return {name for name in found if name in modules and name.startswith(package)}


def import_graph(source: Path, package: str = PACKAGE) -> dict[str, set[str]]:
    """Each module of the package under ``source`` and what it imports."""
    paths = {module_name(p, source): p for p in (source / package).rglob("*.py")}
    return {
        name: imported(ast.parse(path.read_text(encoding="utf-8")), set(paths), package)
        for name, path in paths.items()
    }


def circle(graph: dict[str, set[str]]) -> list[str]:
    """One import circle (its modules, the first again at the end), or []."""
    try:
        tuple(TopologicalSorter(graph).static_order())
    except CycleError as error:
        return list(error.args[1])
    return []


def main() -> int:
    found = circle(import_graph(REPO / "src"))
    if found:
        print("import circle: " + " -> ".join(found))
        return 1
    print("imports: no circle")
    return 0


if __name__ == "__main__":
    sys.exit(main())
