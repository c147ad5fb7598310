"""`segments run` on a Spark target (DBT_TARGET=spark_local or spark).

The same steps as on DuckDB, with the engine's work in .venv-spark: the
runner inspects the inputs and decides fit or score and the id floor as
always; a child process registers the inputs, the saved history and that
decision in the target's metastore (spark.warehouse); `dbt build --target`
builds everything on Spark; a second child copies the published marts into
the DuckDB warehouse, from which the run publishes the Parquet files, the
serving database and the dashboard exactly as a DuckDB run does.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from pathlib import Path

import pyarrow.parquet as pq

from customer_segmentation.inputs.files import TRANSACTION_FILE, FileColumns
from customer_segmentation.inputs.tables import InputTable
from customer_segmentation.messages import say
from customer_segmentation.publishing.publish import (
    EngineWriter,
    TableDocs,
    row_grain_models,
)
from customer_segmentation.running.child import run_child
from customer_segmentation.running.plan import Found, RunPlan, UsageError, spark_bin
from customer_segmentation.segment_model.store import (
    ID_COLUMNS,
    IdFloor,
    RunMode,
    choose_mode,
    read_last_publish,
)

MODULE = "customer_segmentation.spark.warehouse"


def spark_command(plan: RunPlan, *arguments: str) -> list[str]:
    """spark.warehouse in .venv-spark, against the run's target."""
    python = spark_bin(plan.project_dir) / "python"
    return [
        str(python),
        "-m",
        MODULE,
        "--target",
        plan.target,
        "--project-dir",
        str(plan.project_dir),
        "--target-path",
        str(plan.folders.target),
        *arguments,
    ]


def input_arguments(plan: RunPlan) -> list[str]:
    """The inputs, files or tables of the target's metastore."""
    arguments = []
    for source, file_option, table_option in (
        (plan.input_path, "--input", "--customer-table"),
        (plan.transactions, "--transactions", "--transaction-table"),
    ):
        if isinstance(source, InputTable):
            arguments += [table_option, source.name]
        elif source:
            arguments += [file_option, str(source)]
    return arguments


def engine_inspected(report: Path, plan: RunPlan) -> Found:
    """What the Spark child found the inputs to be (it alone can read a
    metastore table), or its one-line refusal."""
    try:
        found = json.loads(report.read_text())
    except (OSError, ValueError):
        return None, None
    if "error" in found:
        raise UsageError(found["error"])
    columns = {
        view: FileColumns(f["mapping"], tuple(f["extra"]), f["data_rows"])
        for view, f in found.items()
    }
    return columns.get(plan.customer_kind.view), columns.get(TRANSACTION_FILE.view)


def run_step(
    plan: RunPlan, command: list[str], locks: tuple[int, ...], what: str
) -> None:
    env = {**os.environ, **plan.folders.dbt_env(), **plan.spark_env()}
    if run_child(command, env, locks) != 0:
        raise UsageError(
            f"{what} on {plan.target} failed (see the log above). Nothing was "
            f"published: {plan.publish_dir} is unchanged."
        )


def prepare_spark(
    plan: RunPlan, floor_of: Callable[[], IdFloor], locks: tuple[int, ...]
) -> tuple[RunMode, Found]:
    """Fit or score (as on DuckDB), then the inputs, the saved history and
    that decision registered in the Spark metastore; what the inputs are."""
    remembered, kept = read_last_publish(plan.publish_dir, refit=plan.refit)
    if kept:
        say(f"The unreadable history files were copied to {kept}")
    mode = choose_mode(remembered, plan.settings, refit=plan.refit)
    floor = floor_of()
    # handed over as read (and checked) here, so the child reads no folder
    history = plan.folders.target / "spark" / "last_publish"
    history.mkdir(parents=True, exist_ok=True)
    for name, table in remembered.items():
        pq.write_table(table, history / f"{name}.parquet")
    report = plan.folders.target / "spark" / "inputs.json"
    report.unlink(missing_ok=True)
    arguments = [
        *input_arguments(plan),
        "--report",
        str(report),
        "--history",
        str(history),
        "--mode",
        mode.mode,
        "--mode-reason",
        mode.reason,
        "--floor",
        ",".join(str(getattr(floor, name)) for name in ID_COLUMNS),
        "--vars",
        json.dumps(plan.dbt_vars),
        *(["--refit"] if plan.refit else []),
    ]
    with plan.clock.stage("load_last_publish"):
        try:
            run_step(
                plan, spark_command(plan, *arguments), locks, "Registering the inputs"
            )
        finally:
            # the child's one-line refusal replaces "failed (see the log)"
            found = engine_inspected(report, plan)
    return mode, found


def export_marts(plan: RunPlan, locks: tuple[int, ...]) -> None:
    """The small published marts (per segment, band, run, model) from Spark
    into the DuckDB warehouse; the row-grain ones stay for the executors."""
    with plan.clock.stage("Copying the tables out of Spark"):
        run_step(
            plan,
            spark_command(plan, "--export-duckdb", str(plan.folders.warehouse)),
            locks,
            "Copying the marts out of Spark",
        )


def engine_writer(
    plan: RunPlan, models: dict[str, TableDocs], locks: tuple[int, ...]
) -> EngineWriter:
    """The row-grain marts written by Spark's executors into the publish's
    work folder, so no row per customer passes through the driver or here."""

    def write(folder: Path) -> None:
        with plan.clock.stage("Writing the customer tables on Spark"):
            run_step(
                plan,
                spark_command(plan, "--parts", str(folder)),
                locks,
                "Writing the customer tables",
            )

    return EngineWriter(row_grain_models(models), write)
