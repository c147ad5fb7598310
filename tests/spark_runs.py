"""Runs for the Spark tier: the same dbt project on a local Spark (spark_local).

Each run registers its inputs in a fresh Spark warehouse under a temporary
folder (customer_segmentation.spark_warehouse), builds the whole project
with `.venv-spark/bin/dbt build --target spark_local`, and exports the
published marts as Parquet, which the tests compare with the DuckDB run of
the same input. `make test` installs `.venv-spark` first (make spark-setup).
"""

from __future__ import annotations

import json
import os
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from customer_segmentation.run_plan import with_feature_default

REPO = Path(__file__).resolve().parents[1]
SPARK_BIN = REPO / ".venv-spark" / "bin"


@dataclass
class SparkRun:
    folder: Path

    @property
    def published(self) -> Path:
        return self.folder / "published"

    def table(self, name: str) -> pa.Table:
        return pq.read_table(self.published / f"{name}.parquet")


def spark_env(folder: Path) -> dict[str, str]:
    return {
        **os.environ,
        "DBT_PROFILES_DIR": str(REPO),
        "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
        "SEGMENTS_SPARK_DIR": str(folder / "spark"),
        # Spark looks up the machine's name otherwise, which may not resolve
        "SPARK_LOCAL_IP": "127.0.0.1",
    }


def run_step(command: list[str], folder: Path, log: str) -> None:
    result = subprocess.run(
        command,
        cwd=REPO,
        env=spark_env(folder),
        capture_output=True,
        text=True,
        check=False,
    )
    (folder / f"{log}.log").write_text(result.stdout + result.stderr)
    assert result.returncode == 0, (
        f"{' '.join(command[:4])} failed; the end of its output:\n"
        + (result.stdout + result.stderr)[-4000:]
    )


def spark_build(folder: Path, inputs: list[str]) -> SparkRun:
    """Register ``inputs`` (spark_warehouse's options), build every model and
    data test on spark_local with the vars `segments run` would give, export
    the published marts."""
    if not (SPARK_BIN / "dbt").is_file():
        pytest.fail(f"{SPARK_BIN.parent} is missing: run `make spark-setup`")
    folder.mkdir(parents=True, exist_ok=True)
    module = [str(SPARK_BIN / "python"), "-m", "customer_segmentation.spark_warehouse"]
    run_step([*module, *inputs], folder, "register")
    run_step(
        [
            str(SPARK_BIN / "dbt"),
            "build",
            "--target",
            "spark_local",
            # unit tests give DuckDB fixtures; the macros' dialects are
            # tested on both engines in test_portable_macros.py
            "--exclude-resource-type",
            "unit_test",
            "--target-path",
            str(folder / "target"),
            "--log-path",
            str(folder / "logs"),
            "--vars",
            json.dumps(with_feature_default({}, "--transactions" in inputs)),
        ],
        folder,
        "build",
    )
    run_step(
        [
            *module,
            "--target-path",
            str(folder / "target"),
            "--export",
            str(folder / "published"),
        ],
        folder,
        "export",
    )
    return SparkRun(folder)
