"""Session fixtures: one real pipeline run per input, shared by the tests."""

from __future__ import annotations

from pathlib import Path

import pytest
from pipeline_runs import REFERENCE_FILE, PipelineRun, require_success, run_pipeline


@pytest.fixture(scope="session")
def demo_run(tmp_path_factory) -> PipelineRun:
    return require_success(run_pipeline(tmp_path_factory.mktemp("demo")))


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
