"""What the Spark tier's tests share: the Spark environment and the
variables a Spark run on this machine needs."""

from __future__ import annotations

import os
import signal
import subprocess
import time
from pathlib import Path

from pipeline_runs import PipelineRun, snapshot

from customer_segmentation.publish import (
    published_tables,
    read_dbt_manifest,
    row_grain_models,
)
from customer_segmentation.publish_folder import PARTS, remove_leftovers, write_plan

REPO = Path(__file__).resolve().parents[1]
SPARK_BIN = REPO / ".venv-spark" / "bin"


def spark_env(folder: Path) -> dict[str, str]:
    return {
        **os.environ,
        "DBT_PROFILES_DIR": str(REPO),
        "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
        "SEGMENTS_SPARK_DIR": str(folder / "spark"),
        # Spark looks up the machine's name otherwise, which may not resolve
        "SPARK_LOCAL_IP": "127.0.0.1",
    }


def kill_an_engine_write(run: PipelineRun, cluster_env: dict[str, str]) -> dict:
    """Spark's executors writing ``run``'s row-grain marts into a work folder
    beside its published set, as a publish does, killed (the whole process
    group, driver JVM included) as soon as the first part file appears; then
    what the next run's clean-up does with that folder."""
    publish_dir = run.publish_dir
    before = snapshot(publish_dir)
    work = publish_dir.with_name(f".{publish_dir.name}.new-killed")
    work.mkdir()
    models = published_tables(read_dbt_manifest(run.target_dir))
    engine = set(row_grain_models(models))
    write_plan(
        work,
        [f"{m}.parquet{PARTS}" if m in engine else f"{m}.parquet" for m in models],
    )
    command = [
        str(SPARK_BIN / "python"),
        "-m",
        "customer_segmentation.spark_warehouse",
        *("--target", "spark", "--project-dir", str(REPO)),
        *("--target-path", str(run.target_dir), "--parts", str(work)),
    ]
    process = subprocess.Popen(
        command,
        env={**spark_env(run.target_dir), **cluster_env},
        cwd=REPO,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    deadline = time.monotonic() + 300
    while not any(work.rglob("part-*")) and process.poll() is None:
        if time.monotonic() > deadline:
            break
        time.sleep(0.1)
    os.killpg(process.pid, signal.SIGKILL)
    process.wait()
    written = sorted(str(p.relative_to(work)) for p in work.rglob("*") if p.is_file())
    lines = remove_leftovers(publish_dir)
    return {
        "written": written,
        "lines": lines,
        "work": str(work),
        "work_left": work.exists(),
        "published_unchanged": snapshot(publish_dir) == before,
    }
