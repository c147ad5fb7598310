"""scripts/import_cycles.py, run by `make lint`: imports point one way, no
circle between modules or subpackages, none inside a function, each
subpackage importing only what its docstring names (issue 38)."""

import ast
import importlib.util
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
SCRIPT = REPO / "scripts" / "import_cycles.py"
spec = importlib.util.spec_from_file_location("import_cycles", SCRIPT)
import_cycles = importlib.util.module_from_spec(spec)
spec.loader.exec_module(import_cycles)


def write_package(root: Path, files: dict[str, str]) -> Path:
    for name, text in {"__init__.py": "", **files}.items():
        path = root / "customer_segmentation" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return root


def test_the_package_passes_every_check():
    graph = import_cycles.import_graph(REPO / "src")
    assert "customer_segmentation.run_steps" in graph
    assert import_cycles.problems(REPO / "src") == []


def test_every_subpackage_says_what_it_may_import():
    declared = import_cycles.declared(REPO / "src")
    assert {"engines", "inputs", "publishing", "spark"} <= set(declared)
    assert declared["engines"] == set()
    assert declared["inputs"] == {"engines", "messages"}


def test_a_circle_through_an_import_inside_a_function_is_caught(tmp_path):
    # run_steps imported spark_run inside a function, and spark_run imported
    # say from run_steps: Python starts, the circle is there all the same
    write_package(
        tmp_path,
        {
            "run_steps.py": (
                "def run():\n    from customer_segmentation import spark_run\n"
            ),
            "spark_run.py": "from customer_segmentation.run_steps import run\n",
        },
    )

    found = import_cycles.circle(import_cycles.import_graph(tmp_path))

    assert set(found) == {
        "customer_segmentation.run_steps",
        "customer_segmentation.spark_run",
    }
    assert import_cycles.imports_in_functions(tmp_path) == [
        "customer_segmentation/run_steps.py:2"
    ]


def test_a_circle_between_subpackages_is_caught(tmp_path):
    # no module circle: a.one -> b.two, b.three -> a.four
    write_package(
        tmp_path,
        {
            "a/__init__.py": '"""A.\n\nMay import: b.\n"""\n',
            "a/one.py": "from customer_segmentation.b import two\n",
            "a/four.py": "",
            "b/__init__.py": '"""B.\n\nMay import: a.\n"""\n',
            "b/two.py": "",
            "b/three.py": "from customer_segmentation.a import four\n",
        },
    )

    assert import_cycles.circle(import_cycles.import_graph(tmp_path)) == []
    assert any(
        p.startswith("subpackage circle") for p in import_cycles.problems(tmp_path)
    )


def test_an_import_the_docstring_does_not_name_is_caught(tmp_path):
    write_package(
        tmp_path,
        {
            "engines/__init__.py": '"""E.\n\nMay import: nothing else.\n"""\n',
            "engines/rows.py": "from customer_segmentation.messages import say\n",
            "messages.py": "",
            "inputs/__init__.py": '"""No line here."""\n',
            "inputs/files.py": "from customer_segmentation.engines import rows\n",
        },
    )

    assert import_cycles.undeclared(tmp_path) == [
        "engines imports messages, not named by its docstring",
        "inputs: no May import: line in its docstring",
        "inputs imports engines, not named by its docstring",
    ]


def test_only_the_cli_and_three_modules_stand_beside_the_subpackages():
    package = REPO / "src" / "customer_segmentation"
    top = {path.name for path in package.glob("*.py")} - {"__init__.py", "cli.py"}
    assert (package / "cli.py").exists()
    assert len(top) <= 3, sorted(top)
    for init in package.glob("*/__init__.py"):
        doc = ast.get_docstring(ast.parse(init.read_text(encoding="utf-8"))) or ""
        owns = doc.split("May import:")[0].split()
        assert len(owns) >= 10, f"{init.parent.name}: say what it owns"
