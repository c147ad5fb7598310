"""Fail when the package's imports do not point one way (run by `make lint`).

- No circle between modules. Every import of the package counts, at the top
  of a module or inside a function: an import moved into a function hides a
  circle from Python at start-up, not from this check.
- None of the package's own modules imported inside a function: imports are
  at the top, where a reader sees what a module leans on.
- No circle between subpackages (a top-level module counts as one), and each
  subpackage imports only the parts its docstring's "May import:" line names.

    python scripts/import_cycles.py
"""

from __future__ import annotations

import ast
import re
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


def part(module: str) -> str:
    """The subpackage (or top-level module) a module belongs to."""
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else parts[0]


def part_graph(graph: dict[str, set[str]]) -> dict[str, set[str]]:
    """What each subpackage or top-level module imports from the others."""
    parts: dict[str, set[str]] = {}
    for module, imports in graph.items():
        found = parts.setdefault(part(module), set())
        found |= {part(name) for name in imports} - {part(module)}
    return parts


def declared(source: Path, package: str = PACKAGE) -> dict[str, set[str] | None]:
    """Each subpackage's "May import:" line, as the parts it names (None
    where its docstring has no such line)."""
    lines: dict[str, set[str] | None] = {}
    for init in sorted((source / package).glob("*/__init__.py")):
        doc = ast.get_docstring(ast.parse(init.read_text(encoding="utf-8"))) or ""
        line = re.search(r"^May import: (.*?)\.?$", doc, re.MULTILINE)
        if line is None:
            lines[init.parent.name] = None
        elif line.group(1).startswith("nothing"):
            lines[init.parent.name] = set()
        else:
            lines[init.parent.name] = set(re.split(r",\s*", line.group(1)))
    return lines


def undeclared(source: Path, package: str = PACKAGE) -> list[str]:
    """Where a subpackage imports a part its docstring does not name, or has
    no "May import:" line."""
    imports = part_graph(import_graph(source, package))
    problems = []
    for name, allowed in declared(source, package).items():
        if allowed is None:
            problems.append(f"{name}: no May import: line in its docstring")
        for other in sorted(imports.get(name, set()) - (allowed or set()) - {package}):
            problems.append(f"{name} imports {other}, not named by its docstring")
    return problems


def imports_in_functions(source: Path, package: str = PACKAGE) -> list[str]:
    """The package's own modules imported inside a function, as path:line."""
    found = []
    for path in sorted((source / package).rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for function in ast.walk(tree):
            if not isinstance(function, ast.FunctionDef | ast.AsyncFunctionDef):
                continue
            for node in ast.walk(function):
                if isinstance(node, ast.ImportFrom):
                    names = [node.module or ""]
                elif isinstance(node, ast.Import):
                    names = [alias.name for alias in node.names]
                else:
                    continue
                if any(name.split(".")[0] == package for name in names):
                    found.append(f"{path.relative_to(source)}:{node.lineno}")
    return found


def problems(source: Path) -> list[str]:
    graph = import_graph(source)
    found = [f"import circle: {' -> '.join(circle(graph))}"] if circle(graph) else []
    between = circle(part_graph(graph))
    if between:
        found.append("subpackage circle: " + " -> ".join(between))
    found += [f"import inside a function: {at}" for at in imports_in_functions(source)]
    return found + undeclared(source)


def main() -> int:
    found = problems(REPO / "src")
    print("\n".join(found) or "imports: no circle, all at the top, one way")
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
