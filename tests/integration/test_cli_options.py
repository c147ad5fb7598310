"""`segments run` takes every setting as an option; the environment (as
`make run` passes it) is the fallback."""

from __future__ import annotations

import subprocess
from importlib import metadata

from pipeline_runs import (
    DEMO_FILE,
    REPO,
    PipelineRun,
    pipeline_env,
    require_success,
)

SEGMENTS = str(REPO / ".venv" / "bin" / "segments")


def test_options_win_over_the_environment(tmp_path):
    # the environment names other places; the options must be the ones used
    env = pipeline_env(tmp_path / "env", None, "{k: 3}", tmp_path / "env_publish")
    env["SEGMENTS_INPUT"] = str(tmp_path / "missing.csv")
    publish_dir = tmp_path / "chosen"
    target = tmp_path / "target"
    result = subprocess.run(
        [
            SEGMENTS, "run",
            "--input", str(DEMO_FILE),
            "--publish-dir", str(publish_dir),
            "--vars", "{k: 4}",
            "--target-path", str(target),
            "--warehouse", str(target / "w.duckdb"),
            "--lock-timeout", "5",
        ],
        cwd=REPO, env=env, capture_output=True, text=True, check=False,
    )  # fmt: skip

    run = require_success(
        PipelineRun(
            result.returncode, result.stdout, result.stderr, publish_dir, target
        )
    )
    assert run.query("select count(*) from segment_model") == [(4,)]
    assert f"Input: {DEMO_FILE}" in run.stdout
    assert (target / "w.duckdb").is_file()
    assert not (tmp_path / "env_publish").exists()
    assert not (tmp_path / "env" / "target").exists()


def test_the_version_is_the_package_version():
    result = subprocess.run(
        [SEGMENTS, "--version"], capture_output=True, text=True, check=True
    )
    installed = metadata.version("customer-segmentation")
    assert result.stdout.strip() == f"segments {installed}"
