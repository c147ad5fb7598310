"""Run the real pipeline (`segments run`, as `make run` does) in a temporary folder."""

from __future__ import annotations

import csv
import os
import random
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import duckdb

REPO = Path(__file__).resolve().parents[1]
DEMO_FILE = REPO / "seeds" / "demo_customers.csv"
REFERENCE_FILE = REPO.parent / "shared" / "data" / "mall_customers.csv"
PUBLISHED_MODELS = (
    "customer_segments",
    "cluster_summary",
    "gender_dist",
    "age_groups",
    "elbow_curve",
    "segment_overview",
    "rejected_customers",
)


@dataclass
class PipelineRun:
    returncode: int
    stdout: str
    stderr: str
    publish_dir: Path
    target_dir: Path

    @property
    def serving(self) -> Path:
        return self.publish_dir / "segments.duckdb"

    def query(self, sql: str) -> list[tuple]:
        with duckdb.connect(str(self.serving), read_only=True) as con:
            return con.sql(sql).fetchall()


def run_pipeline(
    workdir: Path,
    input_file: Path | None = None,
    dbt_vars: str | None = None,
    publish_dir: Path | None = None,
) -> PipelineRun:
    """Run `segments run` as `make run` does, with every output under workdir."""
    workdir.mkdir(parents=True, exist_ok=True)
    publish_dir = publish_dir or workdir / "publish"
    env = {
        **os.environ,
        "DBT_TARGET_PATH": str(workdir / "target"),
        "DBT_LOG_PATH": str(workdir / "logs"),
        "DBT_PROFILES_DIR": str(REPO),
        "SEGMENTS_PUBLISH_DIR": str(publish_dir),
    }
    env.pop("SEGMENTS_INPUT", None)
    env.pop("SEGMENTS_VARS", None)
    if input_file is not None:
        env["SEGMENTS_INPUT"] = str(input_file)
    if dbt_vars is not None:
        env["SEGMENTS_VARS"] = dbt_vars
    segments = Path(sys.executable).parent / "segments"
    result = subprocess.run(
        [str(segments), "run"],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    return PipelineRun(
        result.returncode,
        result.stdout,
        result.stderr,
        publish_dir,
        workdir / "target",
    )


def shuffled_copy(source: Path, destination: Path, seed: int) -> Path:
    """The same CSV with its data rows in another order."""
    with source.open(newline="", encoding="utf-8") as handle:
        header, *rows = list(csv.reader(handle))
    random.Random(seed).shuffle(rows)
    with destination.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(header)
        writer.writerows(rows)
    return destination


def require_success(run: PipelineRun) -> PipelineRun:
    assert run.returncode == 0, f"segments run failed:\n{run.stdout}\n{run.stderr}"
    return run
