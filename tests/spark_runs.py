"""What the Spark tier's tests share: the Spark environment and the
variables a Spark run on this machine needs."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import time
from pathlib import Path

import duckdb
from pipeline_runs import PipelineRun, snapshot

from customer_segmentation.engines.sql_text import sql_literal
from customer_segmentation.publishing.publish import (
    published_tables,
    read_dbt_manifest,
    row_grain_models,
)
from customer_segmentation.publishing.publish_folder import (
    PARTS,
    remove_leftovers,
    write_plan,
)

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
        "customer_segmentation.spark.warehouse",
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


def write_user_orders(folder: Path) -> dict[str, bytes]:
    """The transactions demo as a user's Parquet tables would hold it: the
    same rows, the columns named as their warehouse names them, the
    quantity typed (every demo value is a whole number) and the rest text as
    in the file, which also keeps the file's unreadable values for the
    rejects. And the same without an amount. Returns the files' bytes."""
    demo = REPO / "demo" / "transactions.csv"
    select = {
        "orders": (
            '"Order ID" as invoice_no, "Customer ID" as customer_id, '
            '"Purchase Date" as order_date, cast(Quantity as integer) as qty, '
            "Amount as line_total"
        ),
        "orders_without_amount": (
            '"Order ID" as invoice_no, "Customer ID" as customer_id, '
            '"Purchase Date" as order_date, cast(Quantity as integer) as qty'
        ),
    }
    with duckdb.connect() as con:
        for name, columns in select.items():
            (folder / name).mkdir(parents=True)
            con.execute(
                f"copy (select {columns} from read_csv(?, all_varchar = true)) "
                f"to {sql_literal(str(folder / name / 'part-0.parquet'))} "
                "(format parquet)",
                [str(demo)],
            )
    return snapshot(folder)


def user_tables(command: str, uri: str, folder: Path) -> dict:
    """tests/spark_user_tables.py: the user's tables made or described."""
    result = subprocess.run(
        [
            str(SPARK_BIN / "python"),
            str(REPO / "tests" / "spark_user_tables.py"),
            *(command, uri, str(folder)),
        ],
        env=spark_env(folder),
        cwd=folder,
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(result.stdout.strip().splitlines()[-1])
