"""scripts/import_cycles.py, run by `make lint`: no import circle in the
package, function-level imports included (issue 38)."""

import importlib.util
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
SCRIPT = REPO / "scripts" / "import_cycles.py"
spec = importlib.util.spec_from_file_location("import_cycles", SCRIPT)
import_cycles = importlib.util.module_from_spec(spec)
spec.loader.exec_module(import_cycles)


def test_the_package_imports_in_no_circle():
    graph = import_cycles.import_graph(REPO / "src")
    assert "customer_segmentation.run_steps" in graph
    assert import_cycles.circle(graph) == []


def test_a_circle_through_an_import_inside_a_function_is_caught(tmp_path):
    # run_steps imported spark_run inside a function, and spark_run imported
    # say from run_steps: Python starts, the circle is there all the same
    package = tmp_path / "customer_segmentation"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "run_steps.py").write_text(
        "def run():\n    from customer_segmentation import spark_run\n"
    )
    (package / "spark_run.py").write_text(
        "from customer_segmentation.run_steps import run\n"
    )

    found = import_cycles.circle(import_cycles.import_graph(tmp_path))

    assert set(found) == {
        "customer_segmentation.run_steps",
        "customer_segmentation.spark_run",
    }
