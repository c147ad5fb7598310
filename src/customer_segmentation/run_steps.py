"""`segments run` as named steps, run under the folders' locks: claim the
folders, inspect the inputs, prepare the warehouse, build with dbt (or stop
with one line), publish, report."""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
from collections.abc import Callable
from pathlib import Path

import pyarrow as pa
import yaml

from customer_segmentation.dashboard import build_dashboard, planned_files
from customer_segmentation.inputs.files import (
    TRANSACTION_FILE,
    load_aliases,
    register_formats,
)
from customer_segmentation.inputs.reading import decide_formats
from customer_segmentation.inputs.tables import (
    InputTable,
    inspect_source,
    register_source,
)
from customer_segmentation.lifetime_value.report import lifetime_value_lines
from customer_segmentation.messages import plural, say
from customer_segmentation.publishing.locking import lock_timeout, run_locks
from customer_segmentation.publishing.publish import (
    SERVING_DATABASE,
    publish,
    published_tables,
    read_dbt_manifest,
)
from customer_segmentation.publishing.publish_folder import (
    DASHBOARD_FILE,
    FolderState,
    check_publish_folder,
    move_aside,
    remove_leftovers,
)
from customer_segmentation.publishing.target_folder import check_target, owned_target
from customer_segmentation.publishing.warehouse import check_warehouse
from customer_segmentation.running.child import run_child
from customer_segmentation.running.plan import (
    RUN_TARGET,
    Folders,
    Found,
    RunPlan,
    UsageError,
    plan_run,
    spark_bin,
)
from customer_segmentation.running.report import (
    accounting_line,
    describe_input,
    drift_warning,
    empty_score_warning,
    explain_failure,
    model_line,
    segment_table,
    transactions_line,
    unknown_gender_warning,
)
from customer_segmentation.segment_model.fit_error import FitTracebacks
from customer_segmentation.segment_model.settings import (
    MIN_CUSTOMERS,
)
from customer_segmentation.segment_model.store import (
    RunMode,
    choose_mode,
    highest_ids,
    load_last_publish,
    read_last_publish,
    register_run,
    remembered_ids,
)
from customer_segmentation.spark import run as spark_run


def target_env(plan: RunPlan) -> dict[str, str]:
    """The target dbt builds on (DBT_TARGET) and, for Spark, where Spark
    keeps its tables."""
    if plan.target == RUN_TARGET:
        return {"DBT_TARGET": RUN_TARGET}
    return {"DBT_TARGET": plan.target, **plan.spark_env()}


def dbt_command(
    project_dir: Path, *arguments: str, dbt: str | None = None
) -> list[str]:
    """The project's dbt, from this environment unless named, with the
    project's folders."""
    dbt = dbt or shutil.which("dbt", path=str(Path(sys.executable).parent)) or "dbt"
    return [
        dbt,
        *arguments,
        "--project-dir",
        str(project_dir),
        "--profiles-dir",
        str(project_dir),
    ]


def build(
    project_dir: Path,
    dbt_vars: dict[str, object],
    env: dict[str, str],
    locks: tuple[int, ...],
    on_line: Callable[[str], None] | None = None,
    dbt: str | None = None,
) -> bool:
    """Run `dbt build` (seeds, models, data tests); True if all passed.

    dbt's unit tests test the SQL, not the data, so they run in the test
    suite (`make test`), not on every run, as dbt's guide recommends.

    In a child process: dbt's programmatic runner measured no faster here
    (the import of dbt itself dominates), and in this process dbt-duckdb
    keeps the warehouse open until its private connection cache is closed.
    """
    command = dbt_command(
        project_dir, "build", "--exclude-resource-type", "unit_test", dbt=dbt
    )
    return run_dbt(command, dbt_vars, env, locks, on_line)


def run_model(
    project_dir: Path,
    dbt_vars: dict[str, object],
    env: dict[str, str],
    locks: tuple[int, ...],
    model: str,
) -> bool:
    """`dbt run` of one model alone (its parents already built); True if built."""
    command = dbt_command(project_dir, "run", "--quiet", "--select", model)
    return run_dbt(command, dbt_vars, env, locks)


def run_dbt(
    command: list[str],
    dbt_vars: dict[str, object],
    env: dict[str, str],
    locks: tuple[int, ...],
    on_line: Callable[[str], None] | None = None,
) -> bool:
    """A dbt command with the run's vars, environment and locks; True if it passed."""
    command = command + (["--vars", json.dumps(dbt_vars)] if dbt_vars else [])
    return run_child(command, {**os.environ, **env}, locks, on_line) == 0


def project_var(project_dir: Path, name: str) -> object:
    """A var's default as dbt_project.yml sets it."""
    project = yaml.safe_load(
        (project_dir / "dbt_project.yml").read_text(encoding="utf-8")
    )
    return project["vars"][name]


def run(args: argparse.Namespace) -> None:
    plan = plan_run(args)
    timeout = lock_timeout(os.environ.get("SEGMENTS_LOCK_TIMEOUT"))
    # Refused here, before any lock, file or dbt work; checked again below,
    # under the lock, in case another run changed the folder meanwhile.
    check_publish_folder(plan.publish_dir, refit=plan.refit)
    check_target(plan.folders.target)
    with (
        run_locks(plan.folders.locks(), timeout, say=say) as locks,
        owned_target(plan.folders.target),
    ):
        state = claim_folders(plan.project_dir, plan.folders, refit=plan.refit)
        run_locked(plan, state, locks)


def claim_folders(project_dir: Path, folders: Folders, refit: bool) -> FolderState:
    """Under the locks, before any write: the folders are still the product's.

    A refit moves aside what the publish folder's manifest does not vouch
    for; every other command refuses it.
    """
    check_warehouse(folders.warehouse, project_dir)
    if folders.publish_dir is None:
        return FolderState(None, [], [])
    state = check_publish_folder(folders.publish_dir, refit=refit)
    if state.unowned:
        kept = move_aside(folders.publish_dir, state.unowned)
        say(
            f"Moved {plural(len(state.unowned), 'file')} this product did not "
            f"publish, or that changed since it did, to {kept} (refit)"
        )
    for line in remove_leftovers(folders.publish_dir):
        say(line)
    return state


def run_locked(plan: RunPlan, state: FolderState, locks: tuple[int, ...]) -> None:
    """Everything that reads or writes the folders: run only under their
    locks (``locks``: the lock files' descriptors, which dbt inherits)."""
    found = inspect_inputs(plan)
    if plan.target == RUN_TARGET:
        mode = prepare_warehouse(plan, found, state)
        # The saved history, read as Arrow tables and loaded into the
        # warehouse, is gone; hand its memory back before dbt starts (about
        # 400 MB for ten million customers, which Arrow's allocator would
        # otherwise keep).
        pa.default_memory_pool().release_unused()
    else:
        mode, in_engine = spark_run.prepare_spark(
            plan,
            lambda: remembered_ids(plan.publish_dir, state.facts, state.missing),
            locks,
        )
        found = (found[0] or in_engine[0], found[1] or in_engine[1])
    announce(plan, found, mode)
    build_or_stop(plan, locks)
    if plan.target != RUN_TARGET:
        spark_run.export_marts(plan, locks)
    published = publish_run(plan, locks)
    plan.clock.save(os.environ.get("SEGMENTS_TIMINGS"))
    report(plan, published / SERVING_DATABASE)


def inspect_inputs(plan: RunPlan) -> Found:
    """Headers matched and rows counted, for the customer and transactions
    inputs; a Spark target's tables are the engine's to inspect."""
    aliases = load_aliases(plan.project_dir / "seeds" / "column_aliases.csv")
    found = found_transactions = None
    in_engine = plan.target != RUN_TARGET
    with plan.clock.stage("inspect", unit="files") as stage:
        if plan.input_path and not (
            in_engine and isinstance(plan.input_path, InputTable)
        ):
            with plan.clock.stage("inspect_input", shown=False):
                found = inspect_source(
                    plan.input_path, aliases, plan.customer_kind, plan.attach
                )
            stage.advance()
        if plan.transactions and not (
            in_engine and isinstance(plan.transactions, InputTable)
        ):
            with plan.clock.stage("inspect_transactions", shown=False):
                found_transactions = inspect_source(
                    plan.transactions, aliases, TRANSACTION_FILE, plan.attach
                )
            stage.advance()
    return found, found_transactions


def prepare_warehouse(plan: RunPlan, found: Found, state: FolderState) -> RunMode:
    """Fit or score; the last publish, the inputs and their formats loaded
    into the warehouse for dbt."""
    customers, transactions = found
    formats, whole_number_ids = decide_formats(
        (
            (plan.customer_kind, plan.input_path, customers),
            (TRANSACTION_FILE, plan.transactions, transactions),
        ),
        plan.dbt_vars,
    )
    remembered, kept = read_last_publish(plan.publish_dir, refit=plan.refit)
    if kept:
        say(f"The unreadable history files were copied to {kept}")
    mode = choose_mode(remembered, plan.settings, refit=plan.refit)
    floor = remembered_ids(plan.publish_dir, state.facts, state.missing)
    warehouse = plan.folders.warehouse
    with plan.clock.stage("load_last_publish"):
        load_last_publish(warehouse, remembered)
        # Transactions alone: no customer file, and not the demo customers.
        register_source(
            warehouse,
            plan.input_path,
            customers,
            plan.customer_kind,
            plan.attach,
            empty=bool(plan.transactions),
        )
        register_source(
            warehouse, plan.transactions, transactions, TRANSACTION_FILE, plan.attach
        )
        register_formats(warehouse, formats, whole_number_ids)
        register_run(warehouse, mode, floor)
    return mode


def announce(plan: RunPlan, found: Found, mode: RunMode) -> None:
    customers, transactions = found
    if plan.input_path or not plan.transactions:
        print("\n".join(describe_input(plan.input_path, customers)))
    if plan.transactions:
        print(
            "\n".join(describe_input(plan.transactions, transactions, "Transactions"))
        )
    print(f"Mode: {mode.mode}, because {mode.reason}")


def build_or_stop(plan: RunPlan, locks: tuple[int, ...]) -> None:
    """dbt build; a failure stops the run with one line saying why."""
    with plan.clock.stage("dbt_build", unit="dbt nodes") as stage:
        output = FitTracebacks(stage.dbt_line)
        built = build(
            plan.project_dir,
            plan.dbt_vars,
            {**plan.folders.dbt_env(), **target_env(plan)},
            locks,
            on_line=output,
            dbt=None
            if plan.target == RUN_TARGET
            else str(spark_bin(plan.project_dir) / "dbt"),
        )
        output.flush()
    if built:
        return
    if plan.target != RUN_TARGET:
        # the reasons are read from the DuckDB warehouse, which a Spark build
        # does not fill: dbt's own log names the failing node
        raise UsageError(
            f"dbt build on {plan.target} failed (see the log above). Nothing "
            f"was published: {plan.publish_dir} is unchanged."
        )
    reason = explain_failure(
        plan.folders.target,
        plan.folders.warehouse,
        plan.inputs(),
        max_reject_share=float(
            plan.dbt_vars["max_reject_share"]
            if "max_reject_share" in plan.dbt_vars
            else project_var(plan.project_dir, "max_reject_share")
        ),
        clusters_needed=max(MIN_CUSTOMERS, plan.settings.k_override or 0),
        build_model=lambda model: run_model(
            plan.project_dir, plan.dbt_vars, plan.folders.dbt_env(), locks, model
        ),
    )
    raise UsageError(
        f"{reason}. Nothing was published: {plan.publish_dir} is unchanged."
    )


def publish_run(plan: RunPlan, locks: tuple[int, ...]) -> Path:
    """The published tables and the dashboard, swapped in together."""

    # Imported here: Altair and vl-convert take a second to import, which
    # a refused or failed run should not wait for.

    warehouse = plan.folders.warehouse
    models = published_tables(read_dbt_manifest(plan.folders.target))
    engine = (
        None
        if plan.target == RUN_TARGET
        else spark_run.engine_writer(plan, models, locks)
    )

    def add_dashboard(folder: Path) -> None:
        with plan.clock.stage("dashboard", unit="charts") as stage:
            build_dashboard(folder, folder / SERVING_DATABASE, on_chart=stage.advance)

    with plan.clock.stage("publish", unit="tables") as stage:
        return publish(
            warehouse,
            plan.publish_dir,
            models,
            add_extras=add_dashboard,
            facts=highest_ids(warehouse).as_facts(),
            say=say,
            on_table=lambda: stage.advance(total=len(models)),
            extra_files=planned_files(),
            engine=engine,
        )


def report(plan: RunPlan, serving: Path) -> None:
    """What the run did: row accounting, the segments, the model, warnings."""
    print()
    if plan.input_path or not plan.transactions:
        print(accounting_line(serving))
    bought = transactions_line(serving, has_customer_file=plan.input_path is not None)
    if bought:
        print(bought)
    for line in lifetime_value_lines(serving):
        print(line)
    print()
    print(segment_table(serving))
    print()
    print(model_line(serving))
    warnings = [
        drift_warning(plan.folders.target),
        empty_score_warning(plan.folders.target, serving),
    ]
    if plan.input_path:
        warnings.append(unknown_gender_warning(serving, plan.folders.warehouse))
    for warning in warnings:
        if warning:
            print(warning)
    print()
    print(f"Published to {serving.parent}/")
    if plan.target == RUN_TARGET:
        print(f"  Parquet, one file per table, and {SERVING_DATABASE} for Power BI")
    else:
        print("  Parquet, one file per table (a folder of parts, written by Spark,")
        print(f"  where a table has a row per customer), and {SERVING_DATABASE}")
    print(f"  {DASHBOARD_FILE}: open it in any browser, no Power BI needed")
    print("Docs: `make docs` builds and serves dbt docs on http://localhost:8080")


def generate_docs(project_dir: Path, folders: Folders, locks: tuple[int, ...]) -> None:
    """`dbt docs generate` into the target folder (its catalog reads the warehouse)."""
    command = dbt_command(project_dir, "docs", "generate")
    if run_child(command, {**os.environ, **folders.dbt_env()}, locks) != 0:
        raise UsageError("dbt docs generate failed (see the log above)")
