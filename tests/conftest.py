"""Session fixtures: one real pipeline run per input, shared by the tests.

pytest-xdist runs a session fixture once in every worker; these run once per
session: the first worker to need one builds it under a lock, in a folder
both workers share, and the other reads what it left.
"""

from __future__ import annotations

import dataclasses
import fcntl
import json
import os
import shutil
import subprocess
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from customer_files import read_rows, write_csv
from pipeline_runs import (
    CDNOW_FILE,
    DEMO_FILE,
    REFERENCE_FILE,
    REPO,
    PipelineRun,
    require_success,
    run_pipeline,
    snapshot,
)
from spark_cluster import hive_metastore, standalone_cluster
from spark_runs import kill_an_engine_write, user_tables, write_user_orders


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """The tiers: every test under tests/integration runs real dbt (slow);
    a test that takes the browser fixture needs chromium (browser). `make
    unit` runs the rest; scale tests mark themselves."""
    for item in items:
        if "integration" in item.path.parts:
            item.add_marker(pytest.mark.slow)
        if "spark" in item.path.parts:
            item.add_marker(pytest.mark.slow)
            item.add_marker(pytest.mark.spark)
        if "browser" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.browser)


def once_per_session(
    request: pytest.FixtureRequest,
    tmp_path_factory: pytest.TempPathFactory,
    name: str,
    make: Callable[[Path], dict],
) -> dict:
    """``make(folder)`` once for the whole session, whatever the worker; its
    result (JSON) is what every worker gets."""
    if not hasattr(request.config, "workerinput"):  # no xdist
        return json.loads(json.dumps(make(tmp_path_factory.mktemp(name)), default=str))
    shared = tmp_path_factory.getbasetemp().parent / "session-fixtures"
    shared.mkdir(exist_ok=True)
    saved = shared / f"{name}.json"
    with (shared / f"{name}.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not saved.is_file():
            folder = shared / name
            shutil.rmtree(folder, ignore_errors=True)  # a worker that died midway
            saved.write_text(json.dumps(make(folder), default=str))
        return json.loads(saved.read_text())


def shared_run(
    request: pytest.FixtureRequest,
    tmp_path_factory: pytest.TempPathFactory,
    name: str,
    run: Callable[[Path], PipelineRun],
) -> PipelineRun:
    """A successful pipeline run, once per session."""
    fields = once_per_session(
        request,
        tmp_path_factory,
        name,
        lambda folder: dataclasses.asdict(require_success(run(folder))),
    )
    return pipeline_run(fields)


def pipeline_run(fields: dict) -> PipelineRun:
    """A PipelineRun from what once_per_session kept of it (JSON)."""
    return PipelineRun(
        fields["returncode"],
        fields["stdout"],
        fields["stderr"],
        Path(fields["publish_dir"]),
        Path(fields["target_dir"]),
    )


@pytest.fixture(scope="session")
def demo_run(request, tmp_path_factory) -> PipelineRun:
    return shared_run(request, tmp_path_factory, "demo", run_pipeline)


@pytest.fixture(scope="session")
def transactions_run(request, tmp_path_factory) -> PipelineRun:
    """The transactions demo, as `SEGMENTS_TRANSACTIONS=demo make run` runs it."""
    return shared_run(
        request,
        tmp_path_factory,
        "transactions",
        lambda folder: run_pipeline(folder, transactions="demo"),
    )


@pytest.fixture(scope="session")
def cdnow_transactions(tmp_path_factory) -> Path:
    """The CDNow sample as a transactions CSV with a header (the file has
    none: whitespace-separated master id, customer id, date, CDs, dollars)."""
    if not CDNOW_FILE.is_file():
        pytest.skip(
            f"CDNow sample {CDNOW_FILE} is absent; it lives beside the checkout "
            "in ../shared and is never copied into the repo"
        )
    rows = [
        line.split() for line in CDNOW_FILE.read_text(encoding="ascii").splitlines()
    ]
    path = tmp_path_factory.mktemp("cdnow") / "cdnow_transactions.csv"
    write_csv(
        path,
        ["customer_id", "purchase_date", "quantity", "amount"],
        [[customer, day, cds, dollars] for _, customer, day, cds, dollars in rows],
    )
    return path


@pytest.fixture(scope="session")
def cdnow_run(request, tmp_path_factory, cdnow_transactions) -> PipelineRun:
    """The papers' set-up: calibration to 1997-09-30, holdout to 1998-06-30."""
    return shared_run(
        request,
        tmp_path_factory,
        "cdnow",
        lambda folder: run_pipeline(
            folder,
            transactions=cdnow_transactions,
            dbt_vars="{clv_calibration_end: '1997-09-30'}",
        ),
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
def reference_run(request, tmp_path_factory, reference_file) -> PipelineRun:
    return shared_run(
        request,
        tmp_path_factory,
        "reference",
        lambda folder: run_pipeline(folder, reference_file),
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
    return shared_run(
        request,
        tmp_path_factory,
        "baseline",
        lambda folder: run_pipeline(folder, baseline_file),
    )


def generate_docs(demo_run: PipelineRun, folder: Path) -> dict:
    target = folder / "target"
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
        "returncode": result.returncode,
        "stdout": result.stdout,
        "stderr": result.stderr,
        "target": str(target),
    }


@pytest.fixture(scope="session")
def docs_target(request, demo_run, tmp_path_factory):
    """`dbt docs generate` on a copy of the demo run's target, warnings as errors."""
    docs = once_per_session(
        request,
        tmp_path_factory,
        "docs",
        lambda folder: generate_docs(demo_run, folder),
    )
    target = Path(docs["target"])
    return {
        "result": subprocess.CompletedProcess(
            [], docs["returncode"], docs["stdout"], docs["stderr"]
        ),
        "target": target,
        "manifest": json.loads((target / "manifest.json").read_text()),
        "catalog": json.loads((target / "catalog.json").read_text()),
        "site": target / "static_index.html",
    }


def runs_on_a_cluster(folder: Path, reference_file: Path) -> dict:
    """On a standalone master with two workers (tests/spark_cluster.py) and
    a Hive metastore service holding a user's tables, as `DBT_TARGET=spark
    make run` runs them: the Mall Customers file; the transactions demo as
    the user's metastore table ``shop.orders``; and the runs refused in one
    line (no such table, no amount column, the user's own schema as the
    run's)."""
    with (
        standalone_cluster(folder / "cluster") as cluster,
        hive_metastore(folder / "metastore") as metastore,
    ):
        env = {
            "SEGMENTS_SPARK_MASTER": cluster.master_url,
            "SPARK_LOCAL_IP": "127.0.0.1",
        }
        shop = folder / "shop"
        files = write_user_orders(shop)
        made = user_tables("create", metastore.uri, shop)
        in_metastore = {**env, "SEGMENTS_SPARK_METASTORE": metastore.uri}

        def table_run(name: str, table: str, **more: str) -> PipelineRun:
            return run_pipeline(
                folder / name,
                target="spark",
                extra_env={
                    **in_metastore,
                    "SEGMENTS_TRANSACTION_TABLE": table,
                    **more,
                },
            )

        runs = {
            "reference": run_pipeline(
                folder / "reference", reference_file, target="spark", extra_env=env
            ),
            "transactions": table_run("transactions", "shop.orders"),
        }
        # refused before any Spark job of theirs: the metastore decides, so a
        # driver of its own each (no executors to wait for), side by side
        refused = {
            "no_such_table": ("shop.returns", {}),
            "no_amount": ("shop.orders_without_amount", {}),
            "user_schema": ("shop.orders", {"SEGMENTS_SPARK_SCHEMA": "shop"}),
        }
        with ThreadPoolExecutor(len(refused)) as pool:
            started = {
                name: pool.submit(
                    table_run, name, table, SEGMENTS_SPARK_MASTER="local[1]", **more
                )
                for name, (table, more) in refused.items()
            }
            runs |= {name: run.result() for name, run in started.items()}
        user_side = {
            "made": made,
            "after": user_tables("describe", metastore.uri, shop),
            "files_unchanged": snapshot(shop) == files,
        }
        killed = kill_an_engine_write(require_success(runs["reference"]), env)
        # a worker keeps a folder per application it ran executors for
        applications = {
            work.name: sorted(app.name for app in work.glob("app-*"))
            for work in sorted((folder / "cluster").glob("work?"))
        }
    return {
        **{name: dataclasses.asdict(run) for name, run in runs.items()},
        "applications": applications,
        "killed_engine_write": killed,
        "user_side": user_side,
    }


@pytest.fixture(scope="session")
def cluster_runs(request, tmp_path_factory, reference_file) -> dict:
    return once_per_session(
        request,
        tmp_path_factory,
        "spark-cluster",
        lambda folder: runs_on_a_cluster(folder, reference_file),
    )


@pytest.fixture(scope="session")
def spark_reference_run(cluster_runs) -> PipelineRun:
    """The Mall Customers file on the two-worker cluster."""
    return require_success(pipeline_run(cluster_runs["reference"]))


@pytest.fixture(scope="session")
def spark_transactions_run(cluster_runs) -> PipelineRun:
    """The transactions demo on the two-worker cluster."""
    return require_success(pipeline_run(cluster_runs["transactions"]))
