"""Fail when a module or a function is longer than pyproject.toml allows.

ruff checks complexity and statement counts but not lengths; this checks the
[tool.code-shape] limits (run by `make lint`):

    python scripts/code_shape.py
"""

from __future__ import annotations

import ast
import sys
import tomllib
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def too_long(path: Path, max_module: int, max_function: int) -> list[str]:
    """What in one file exceeds the limits, as `path:line: message` lines."""
    text = (REPO / path).read_text(encoding="utf-8")
    problems = []
    lines = len(text.splitlines())
    if lines > max_module:
        problems.append(f"{path}:1: module has {lines} lines (max {max_module})")
    for node in ast.walk(ast.parse(text)):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            length = node.end_lineno - node.lineno + 1
            if length > max_function:
                problems.append(
                    f"{path}:{node.lineno}: function {node.name} has {length} "
                    f"lines (max {max_function})"
                )
    return problems


def main() -> int:
    config = tomllib.loads((REPO / "pyproject.toml").read_text())["tool"]
    shape = config["code-shape"]
    problems = [
        problem
        for folder in shape["paths"]
        for path in sorted((REPO / folder).rglob("*.py"))
        for problem in too_long(
            path.relative_to(REPO),
            shape["max-module-lines"],
            shape["max-function-lines"],
        )
    ]
    print("\n".join(problems) or "code shape: every module and function in limits")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
