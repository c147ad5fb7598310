"""`segments run`: check the settings, build with dbt, publish, report.

`segments run --refit` fits a new model even when the saved one applies.

Environment (all optional; a path variable set but empty is an error):
  SEGMENTS_INPUT        customer file, .csv or .parquet (default: the demo seed)
  SEGMENTS_TRANSACTIONS transactions file, .csv or .parquet, or `demo` (default: none)
  SEGMENTS_PUBLISH_DIR  where the published files go (default: publish/)
  SEGMENTS_VARS         dbt vars as YAML or JSON, e.g. '{k: 4}'
  SEGMENTS_WAREHOUSE    dbt's working DuckDB file (default: <target>/warehouse.duckdb)
  DBT_TARGET_PATH       dbt's target folder (default: target/)
  SEGMENTS_LOCK_TIMEOUT seconds to wait for another run on the same folders (1800)
  SEGMENTS_TIMINGS      write each stage's wall time (seconds) to this JSON file

Any failure ends with one line on stderr; the full detail of an unexpected
one, or of a library error behind an expected one, is appended to
<target>/segments.log.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import yaml

from customer_segmentation.ingest import (
    CUSTOMER_FILE,
    CUSTOMER_FILE_BESIDE_TRANSACTIONS,
    TRANSACTION_FILE,
    FileColumns,
    InputError,
    inspect_file,
    load_aliases,
    register_input,
)
from customer_segmentation.locking import LockBusy, lock_timeout, run_locks
from customer_segmentation.messages import one_line, write_detail
from customer_segmentation.model_store import (
    HistoryError,
    choose_mode,
    load_last_publish,
    read_last_publish,
    register_run,
)
from customer_segmentation.publish import (
    DASHBOARD_FILE,
    SERVING_DATABASE,
    PublishError,
    check_publish_folder,
    publish,
    remove_leftovers,
)
from customer_segmentation.run_report import (
    accounting_line,
    drift_warning,
    empty_score_warning,
    explain_failure,
    model_line,
    segment_table,
    transactions_line,
)
from customer_segmentation.settings import (
    BEHAVIOUR_FEATURES,
    MIN_CUSTOMERS,
    ClusteringSettings,
    SettingsError,
    check_vars,
    is_blank,
)

INPUT_FORMATS = (".csv", ".parquet")
# SEGMENTS_TRANSACTIONS=demo runs on the synthetic transactions shipped here.
DEMO_TRANSACTIONS = Path("demo") / "transactions.csv"


class Stopwatch:
    """Wall time per stage of a run, for the benchmark harness."""

    def __init__(self) -> None:
        self.seconds: dict[str, float] = {}

    @contextmanager
    def stage(self, name: str) -> Iterator[None]:
        start = time.perf_counter()
        try:
            yield
        finally:
            self.seconds[name] = time.perf_counter() - start

    def save(self, path: str | None) -> None:
        if path:
            Path(path).write_text(json.dumps(self.seconds, indent=2), encoding="utf-8")


class UsageError(Exception):
    """Bad input or settings: reported as one line, no traceback."""


# Errors that say what went wrong and what to do; anything else is a bug
# or an environment problem, reported in one line with its detail logged.
EXPECTED_ERRORS = (
    UsageError,
    InputError,
    SettingsError,
    PublishError,
    HistoryError,
    LockBusy,
)


def env_path(name: str, default: Path) -> Path:
    """A path from the environment as an absolute path, ``default`` if unset.

    Set but empty is refused: ``Path("")`` is the working directory, and a
    publish folder there would be replaced whole.
    """
    raw = os.environ.get(name)
    if raw is None:
        return default.resolve()
    if not raw.strip():
        raise UsageError(f"{name} is set but empty; give a path or unset it")
    return Path(raw).expanduser().resolve()


def resolve_input(
    raw: str | None, variable: str = "SEGMENTS_INPUT", label: str = "input file"
) -> Path | None:
    """The file as an absolute path, or None when the variable is unset."""
    if raw is None:
        return None
    if not raw.strip():
        raise UsageError(
            f"{variable} is set but empty; give a file, or unset it "
            "to run on the demo data"
        )
    path = Path(raw).expanduser().resolve()
    if not path.is_file():
        raise UsageError(f"{label} {path}: no such file")
    if path.suffix.lower() not in INPUT_FORMATS:
        raise UsageError(
            f"{label} {path}: unsupported type {path.suffix or '(none)'!r}; "
            f"use one of {', '.join(INPUT_FORMATS)}"
        )
    if not os.access(path, os.R_OK):
        raise UsageError(f"{label} {path}: not readable")
    return path


def resolve_transactions(raw: str | None, project_dir: Path) -> Path | None:
    """The transactions file, the shipped demo for `demo`, or None."""
    if raw is not None and raw.strip() == "demo":
        return (project_dir / DEMO_TRANSACTIONS).resolve()
    return resolve_input(raw, "SEGMENTS_TRANSACTIONS", TRANSACTION_FILE.label)


def with_feature_default(
    raw_vars: dict[str, object], has_transactions: bool
) -> dict[str, object]:
    """The vars, with behaviour (log recency, frequency, monetary) as the
    clustering features when transactions are given and none were asked for."""
    if has_transactions and is_blank(raw_vars.get("cluster_features")):
        return {**raw_vars, "cluster_features": ",".join(BEHAVIOUR_FEATURES)}
    return raw_vars


def check_features_available(
    features: tuple[str, ...], has_customers: bool, has_transactions: bool
) -> None:
    """Refuse, before any SQL, features this run's inputs cannot give."""
    asked = ",".join(features)
    if not has_transactions and set(features) & set(BEHAVIOUR_FEATURES):
        raise UsageError(
            f"var cluster_features={asked!r} uses purchase behaviour, which "
            "needs a transactions file (SEGMENTS_TRANSACTIONS)"
        )
    if (
        has_transactions
        and not has_customers
        and set(features) - set(BEHAVIOUR_FEATURES)
    ):
        raise UsageError(
            f"var cluster_features={asked!r} uses customer-file columns, but "
            "only a transactions file was given; add SEGMENTS_INPUT or cluster "
            f"on {','.join(BEHAVIOUR_FEATURES)}"
        )


def parse_vars(raw: str | None) -> dict[str, object]:
    if not raw:
        return {}
    try:
        parsed = yaml.safe_load(raw)
    except yaml.YAMLError as error:
        raise UsageError(f"SEGMENTS_VARS is not YAML or JSON: {error}") from None
    if not isinstance(parsed, dict):
        raise UsageError(
            f"SEGMENTS_VARS must be a mapping such as '{{k: 4}}', got {raw!r}"
        )
    return parsed


def build(project_dir: Path, dbt_vars: dict[str, object], env: dict[str, str]) -> bool:
    """Run `dbt build` (seeds, models, data tests); True if all passed.

    dbt's unit tests test the SQL, not the data, so they run in the test
    suite (`make test`), not on every run, as dbt's guide recommends.

    In a child process: dbt's programmatic runner measured no faster here
    (the import of dbt itself dominates), and in this process dbt-duckdb
    keeps the warehouse open until its private connection cache is closed.
    """
    dbt = shutil.which("dbt", path=str(Path(sys.executable).parent)) or "dbt"
    command = [dbt, "build", "--exclude-resource-type", "unit_test"]
    command += ["--project-dir", str(project_dir)]
    command += ["--profiles-dir", str(project_dir)]
    command += ["--vars", json.dumps(dbt_vars)] if dbt_vars else []
    done = subprocess.run(command, env={**os.environ, **env}, check=False)
    return done.returncode == 0


def project_var(project_dir: Path, name: str) -> object:
    """A var's default as dbt_project.yml sets it."""
    project = yaml.safe_load(
        (project_dir / "dbt_project.yml").read_text(encoding="utf-8")
    )
    return project["vars"][name]


def describe_input(
    input_path: Path | None, found: FileColumns | None, title: str = "Input"
) -> list[str]:
    if input_path is None or found is None:
        return [f"{title}: demo seed (seeds/demo_customers.csv)"]
    columns = ", ".join(f"{c} <- {h!r}" for c, h in found.mapping.items())
    lines = [
        f"{title}: {input_path} ({found.data_rows} data rows)",
        f"  columns: {columns}",
    ]
    if found.extra:
        lines.append(f"  ignored extra columns: {', '.join(found.extra)}")
    return lines


def run(args: argparse.Namespace) -> None:
    project_dir = Path(args.project_dir).resolve()
    input_path = resolve_input(os.environ.get("SEGMENTS_INPUT"))
    transactions = resolve_transactions(
        os.environ.get("SEGMENTS_TRANSACTIONS"), project_dir
    )
    target = env_path("DBT_TARGET_PATH", project_dir / "target")
    warehouse = env_path("SEGMENTS_WAREHOUSE", target / "warehouse.duckdb")
    publish_dir = env_path("SEGMENTS_PUBLISH_DIR", project_dir / "publish")
    raw_vars = with_feature_default(
        parse_vars(os.environ.get("SEGMENTS_VARS")),
        has_transactions=transactions is not None,
    )
    settings, dbt_vars = check_vars(raw_vars)
    check_features_available(
        settings.features,
        has_customers=input_path is not None,
        has_transactions=transactions is not None,
    )
    timeout = lock_timeout(os.environ.get("SEGMENTS_LOCK_TIMEOUT"))
    # Refused here, before any lock, file or dbt work; checked again below,
    # under the lock, in case another run changed the folder meanwhile.
    check_publish_folder(publish_dir)
    locks = {
        publish_dir: "publish folder",
        target: "dbt target folder",
        warehouse: "warehouse",
    }
    with run_locks(locks, timeout, say=lambda line: print(line, flush=True)):
        check_publish_folder(publish_dir)
        folders = (publish_dir, target, warehouse)
        inputs = (input_path, transactions)
        run_locked(args, project_dir, inputs, settings, dbt_vars, folders)


def run_locked(
    args: argparse.Namespace,
    project_dir: Path,
    inputs: tuple[Path | None, Path | None],
    settings: ClusteringSettings,
    dbt_vars: dict[str, object],
    folders: tuple[Path, Path, Path],
) -> None:
    """Everything that reads or writes the folders: run only under their locks.

    ``inputs`` is the customer file and the transactions file (None when
    not given); ``folders`` the publish folder, dbt's target folder and the
    warehouse.
    """
    input_path, transactions = inputs
    publish_dir, target, warehouse = folders
    for leftover in remove_leftovers(publish_dir):
        print(f"Removed {leftover}, left by an interrupted run")
    found = found_transactions = None
    clock = Stopwatch()
    aliases = load_aliases(project_dir / "seeds" / "column_aliases.csv")
    customer_kind = CUSTOMER_FILE_BESIDE_TRANSACTIONS if transactions else CUSTOMER_FILE
    if input_path:
        with clock.stage("inspect_input"):
            found = inspect_file(input_path, aliases, customer_kind)
    if transactions:
        with clock.stage("inspect_transactions"):
            found_transactions = inspect_file(transactions, aliases, TRANSACTION_FILE)

    env = {
        "DBT_TARGET_PATH": str(target),
        "SEGMENTS_WAREHOUSE": str(warehouse),
        "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
    }

    remembered, kept = read_last_publish(publish_dir, refit=args.refit)
    mode = choose_mode(remembered, settings, refit=args.refit)
    with clock.stage("load_last_publish"):
        load_last_publish(warehouse, remembered)
        # Transactions alone: no customer file, and not the demo customers.
        register_input(
            warehouse, input_path, found, customer_kind, empty=bool(transactions)
        )
        register_input(warehouse, transactions, found_transactions, TRANSACTION_FILE)
        register_run(warehouse, mode)

    if input_path or not transactions:
        print("\n".join(describe_input(input_path, found)))
    if transactions:
        print(
            "\n".join(describe_input(transactions, found_transactions, "Transactions"))
        )
    print(f"Mode: {mode.mode}, because {mode.reason}")
    if kept:
        print(f"  the unreadable history files were copied to {kept}")
    with clock.stage("dbt_build"):
        built = build(project_dir, dbt_vars, env)
    if not built:
        reason = explain_failure(
            target,
            warehouse,
            source=str(input_path or "demo seed"),
            max_reject_share=float(
                dbt_vars["max_reject_share"]
                if "max_reject_share" in dbt_vars
                else project_var(project_dir, "max_reject_share")
            ),
            clusters_needed=max(MIN_CUSTOMERS, settings.k_override or 0),
        )
        raise UsageError(
            f"{reason}. Nothing was published: {publish_dir} is unchanged."
        )

    def add_dashboard(folder: Path) -> None:
        # Imported here: Altair and vl-convert take a second to import, which
        # a refused or failed run should not wait for.
        from customer_segmentation.dashboard import build_dashboard

        with clock.stage("dashboard"):
            build_dashboard(folder, folder / SERVING_DATABASE)

    with clock.stage("publish"):
        published = publish(warehouse, publish_dir, add_extras=add_dashboard)
    clock.save(os.environ.get("SEGMENTS_TIMINGS"))
    print()
    if input_path or not transactions:
        print(accounting_line(published / SERVING_DATABASE))
    bought = transactions_line(published / SERVING_DATABASE)
    if bought:
        print(bought)
    print()
    print(segment_table(published / SERVING_DATABASE))
    print()
    print(model_line(published / SERVING_DATABASE))
    for warning in (
        drift_warning(target),
        empty_score_warning(target, published / SERVING_DATABASE),
    ):
        if warning:
            print(warning)
    print()
    print(f"Published to {published}/")
    print(f"  Parquet, one file per table, and {SERVING_DATABASE} for Power BI")
    print(f"  {DASHBOARD_FILE}: open it in any browser, no Power BI needed")
    print("Docs: `make docs` builds and serves dbt docs on http://localhost:8080")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="segments", description=__doc__.splitlines()[0]
    )
    parser.add_argument(
        "--project-dir", default=".", help="the dbt project folder (default: .)"
    )
    commands = parser.add_subparsers(dest="command", required=True)
    run_command = commands.add_parser(
        "run", help="build, test and publish the segments"
    )
    run_command.add_argument(
        "--refit",
        action="store_true",
        help="fit a new model even if the saved one still applies",
    )
    args = parser.parse_args(argv)
    try:
        run(args)
    except EXPECTED_ERRORS as error:
        # An error a library raised (DuckDB, Arrow, the OS) says more than
        # the line shows: its full text goes to the log.
        detail = ""
        if error.__cause__ is not None:
            log = write_detail(error_log(Path(args.project_dir)), error)
            detail = f" (full detail in {log})" if log else ""
        print(f"segments: error: {one_line(str(error))}{detail}", file=sys.stderr)
        return 1
    except Exception as error:
        log = write_detail(error_log(Path(args.project_dir)), error)
        where = f"full detail in {log}" if log else "no log could be written"
        print(
            f"segments: error: unexpected failure: {one_line(error)} ({where}). "
            "The previously published files are unchanged.",
            file=sys.stderr,
        )
        return 1
    return 0


def error_log(project_dir: Path) -> Path:
    """Where the detail of an unexpected failure goes: <target>/segments.log."""
    target = os.environ.get("DBT_TARGET_PATH", "").strip()
    return Path(target or project_dir / "target").resolve() / "segments.log"


if __name__ == "__main__":
    sys.exit(main())
