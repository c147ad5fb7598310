"""Run the real pipeline (`segments run`, as `make run` does) in a temporary folder."""

from __future__ import annotations

import csv
import os
import random
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import duckdb

from customer_segmentation.publishing.publish import published_models, read_dbt_manifest

REPO = Path(__file__).resolve().parents[1]
DEMO_FILE = REPO / "seeds" / "demo_customers.csv"
DEMO_TRANSACTIONS = REPO / "demo" / "transactions.csv"
REFERENCE_FILE = REPO.parent / "shared" / "data" / "mall_customers.csv"
CDNOW_FILE = REPO.parent / "shared" / "data" / "CDNOW_sample.txt"
# The tables the product promises by name (the rest are whatever dbt's
# manifest marks published: publish.published_models).
PRODUCT_MARTS = (
    "customer_segments",
    "cluster_summary",
    "gender_dist",
    "age_groups",
    "elbow_curve",
    "segment_overview",
)
# Published tables that carry run ids and times by design; every other
# published table depends on the input alone.
RUN_HISTORY_TABLES = frozenset(
    {
        "segment_model",
        "segment_model_history",
        "segment_model_features",
        "segment_migration",
        "segment_runs",
    }
)


@dataclass
class PipelineRun:
    returncode: int
    stdout: str
    stderr: str
    publish_dir: Path
    target_dir: Path

    @property
    def published_tables(self) -> tuple[str, ...]:
        """What this run's dbt manifest marks published."""
        return published_models(read_dbt_manifest(self.target_dir))

    @property
    def serving(self) -> Path:
        return self.publish_dir / "segments.duckdb"

    def query(self, sql: str) -> list[tuple]:
        with duckdb.connect(str(self.serving), read_only=True) as con:
            return con.sql(sql).fetchall()


def pipeline_env(
    workdir: Path,
    input_file: Path | None,
    dbt_vars: str | None,
    publish_dir: Path,
    transactions: Path | str | None = None,
    target: str | None = None,
) -> dict[str, str]:
    """The environment `make run` would give, every output under workdir
    (``target``: DBT_TARGET, the engine)."""
    env = {
        **os.environ,
        "DBT_TARGET_PATH": str(workdir / "target"),
        "SEGMENTS_WAREHOUSE": str(workdir / "target" / "warehouse.duckdb"),
        "DBT_LOG_PATH": str(workdir / "logs"),
        "DBT_PROFILES_DIR": str(REPO),
        "SEGMENTS_PUBLISH_DIR": str(publish_dir),
    }
    env.pop("SEGMENTS_INPUT", None)
    env.pop("SEGMENTS_VARS", None)
    env.pop("SEGMENTS_TRANSACTIONS", None)
    env.pop("DBT_TARGET", None)
    if target is not None:
        env["DBT_TARGET"] = target
    if transactions is not None:
        env["SEGMENTS_TRANSACTIONS"] = str(transactions)
    if input_file is not None:
        env["SEGMENTS_INPUT"] = str(input_file)
    if dbt_vars is not None:
        env["SEGMENTS_VARS"] = dbt_vars
    return env


SEGMENTS = [str(Path(sys.executable).parent / "segments"), "run"]
REFIT = [*SEGMENTS, "--refit"]


def start_pipeline(
    workdir: Path,
    input_file: Path | None = None,
    dbt_vars: str | None = None,
    publish_dir: Path | None = None,
    separate_stderr: bool = False,
) -> subprocess.Popen:
    """Start `segments run` in its own process group, stdout piped (with
    stderr, unless ``separate_stderr``)."""
    workdir.mkdir(parents=True, exist_ok=True)
    env = pipeline_env(
        workdir, input_file, dbt_vars, publish_dir or workdir / "publish"
    )
    return subprocess.Popen(
        SEGMENTS,
        cwd=REPO,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE if separate_stderr else subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )


def run_pipeline(
    workdir: Path,
    input_file: Path | None = None,
    dbt_vars: str | None = None,
    publish_dir: Path | None = None,
    refit: bool = False,
    transactions: Path | str | None = None,
    target: str | None = None,
    extra_env: dict[str, str] | None = None,
) -> PipelineRun:
    """Run `segments run` as `make run` does (`make refit` with refit) and wait."""
    workdir.mkdir(parents=True, exist_ok=True)
    publish_dir = publish_dir or workdir / "publish"
    result = subprocess.run(
        REFIT if refit else SEGMENTS,
        cwd=REPO,
        env={
            **pipeline_env(
                workdir, input_file, dbt_vars, publish_dir, transactions, target
            ),
            **(extra_env or {}),
        },
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


def snapshot(folder: Path) -> dict[str, bytes]:
    """Every file below a folder, by relative path, with its bytes."""
    return {
        str(path.relative_to(folder)): path.read_bytes()
        for path in sorted(folder.rglob("*"))
        if path.is_file()
    }


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


def run_with_env(env: dict[str, str], workdir: Path) -> PipelineRun:
    """`segments run` with an environment a test built (see pipeline_env)."""
    result = subprocess.run(
        SEGMENTS, cwd=REPO, env=env, capture_output=True, text=True, check=False
    )
    return PipelineRun(
        result.returncode,
        result.stdout,
        result.stderr,
        Path(env["SEGMENTS_PUBLISH_DIR"]),
        workdir / "target",
    )


def copy_of_publish(run: PipelineRun, tmp_path: Path) -> Path:
    """A publish folder of its own, copied from a session run's."""
    folder = tmp_path / "publish"
    shutil.copytree(run.publish_dir, folder)
    return folder


def assert_refused(run: PipelineRun, message: str) -> None:
    """Exit 1 with one line on stderr holding ``message``, and no traceback."""
    assert run.returncode == 1, run.stdout + run.stderr
    lines = run.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("segments: error: "), run.stderr
    assert message in lines[0]
    assert "Traceback" not in run.stdout + run.stderr


def require_success(run: PipelineRun) -> PipelineRun:
    assert run.returncode == 0, f"segments run failed:\n{run.stdout}\n{run.stderr}"
    return run


ROW_NUMBERING = re.compile(r"row_number\(\)\s+over\s*\(\s*\)", re.IGNORECASE)


def numbering_models(target_dir: Path) -> set[str]:
    """The models of the last run whose SQL, as dbt ran it, numbers rows in
    file order (a window over every row, which DuckDB runs on one thread)."""
    return {
        path.stem
        for path in (target_dir / "run").rglob("*.sql")
        if ROW_NUMBERING.search(path.read_text(encoding="utf-8"))
    }
