"""Session fixtures: one real pipeline run per input, shared by the tests."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest
from customer_files import read_rows, write_csv
from pipeline_runs import (
    DEMO_FILE,
    REFERENCE_FILE,
    REPO,
    PipelineRun,
    require_success,
    run_pipeline,
)


@pytest.fixture(scope="session")
def demo_run(tmp_path_factory) -> PipelineRun:
    return require_success(run_pipeline(tmp_path_factory.mktemp("demo")))


@pytest.fixture(scope="session")
def transactions_run(tmp_path_factory) -> PipelineRun:
    """The transactions demo, as `SEGMENTS_TRANSACTIONS=demo make run` runs it."""
    return require_success(
        run_pipeline(tmp_path_factory.mktemp("transactions"), transactions="demo")
    )


@pytest.fixture(scope="session")
def reference_file() -> Path:
    if not REFERENCE_FILE.is_file():
        pytest.skip(
            f"reference data {REFERENCE_FILE} is absent; it lives beside the "
            "checkout in ../shared and is never copied into the repo"
        )
    return REFERENCE_FILE


@pytest.fixture(scope="session")
def reference_run(tmp_path_factory, reference_file) -> PipelineRun:
    return require_success(
        run_pipeline(tmp_path_factory.mktemp("reference"), reference_file)
    )


@pytest.fixture(scope="session")
def baseline_file(tmp_path_factory) -> Path:
    """The file that format and header variants are compared against.

    The reference data where it is present, else the demo seed's 200 clean
    customers, so these tests run everywhere.
    """
    if REFERENCE_FILE.is_file():
        return REFERENCE_FILE
    header, rows = read_rows(DEMO_FILE)
    clean = tmp_path_factory.mktemp("baseline_file") / "demo_clean.csv"
    return write_csv(clean, header, rows[:200])


@pytest.fixture(scope="session")
def baseline_run(request, tmp_path_factory, baseline_file) -> PipelineRun:
    if baseline_file == REFERENCE_FILE:
        return request.getfixturevalue("reference_run")
    return require_success(
        run_pipeline(tmp_path_factory.mktemp("baseline"), baseline_file)
    )


@pytest.fixture(scope="session")
def docs_target(demo_run, tmp_path_factory):
    """`dbt docs generate` on a copy of the demo run's target, warnings as errors."""
    target = tmp_path_factory.mktemp("docs") / "target"
    shutil.copytree(demo_run.target_dir, target)
    env = {
        **os.environ,
        "DBT_TARGET_PATH": str(target),
        "SEGMENTS_WAREHOUSE": str(target / "warehouse.duckdb"),
        "DBT_LOG_PATH": str(target / "logs"),
        "DBT_PROFILES_DIR": str(REPO),
    }
    dbt = str(REPO / ".venv" / "bin" / "dbt")
    result = subprocess.run(
        [dbt, "--warn-error", "docs", "generate", "--static"],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    return {
        "result": result,
        "target": target,
        "manifest": json.loads((target / "manifest.json").read_text()),
        "catalog": json.loads((target / "catalog.json").read_text()),
        "site": target / "static_index.html",
    }
