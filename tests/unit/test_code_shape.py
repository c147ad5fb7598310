"""scripts/code_shape.py, run by `make lint`, catches what ruff cannot: length."""

import importlib.util
from pathlib import Path

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "code_shape.py"
spec = importlib.util.spec_from_file_location("code_shape", SCRIPT)
code_shape = importlib.util.module_from_spec(spec)
spec.loader.exec_module(code_shape)


def test_a_long_module_and_a_long_function_are_reported(tmp_path):
    body = "\n".join(f"    x{i} = {i}" for i in range(80))
    path = tmp_path / "long.py"
    path.write_text(f"def long():\n{body}\n" + "\n" * 400)

    problems = code_shape.too_long(path, max_module=450, max_function=70)

    assert problems == [
        f"{path}:1: module has 481 lines (max 450)",
        f"{path}:1: function long has 81 lines (max 70)",
    ]
