"""The databricks target: dbt-databricks (its own environment, make
databricks-setup) reads the project and its profile. No workspace is
reachable here, so nothing is built (docs/spark.md says what was verified)."""

import json
import subprocess

from spark_runs import REPO

DATABRICKS_BIN = REPO / ".venv-databricks" / "bin"


def test_dbt_databricks_parses_every_model_of_the_project(tmp_path):
    assert (DATABRICKS_BIN / "dbt").is_file(), "run make databricks-setup"
    result = subprocess.run(
        [
            str(DATABRICKS_BIN / "dbt"),
            "parse",
            "--project-dir",
            str(REPO),
            "--profiles-dir",
            str(REPO),
            "--target",
            "databricks",
            "--target-path",
            str(tmp_path / "target"),
            "--log-path",
            str(tmp_path / "logs"),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, (result.stdout + result.stderr)[-3000:]
    manifest = json.loads((tmp_path / "target" / "manifest.json").read_text())
    assert manifest["metadata"]["adapter_type"] == "databricks"
    models = {
        node["name"]
        for node in manifest["nodes"].values()
        if node["resource_type"] == "model"
    }
    on_disk = {
        path.stem
        for folder in ("models", "python_models")
        for path in (REPO / folder).rglob("*")
        if path.suffix in {".sql", ".py"}
    }
    assert models == on_disk
    # Delta on Databricks, where the contracts' constraints are enforced
    formats = {
        node["config"].get("file_format")
        for node in manifest["nodes"].values()
        if node["resource_type"] == "model"
    }
    assert formats == {"delta"}
