"""`segments`: build, test and publish customer segments from your files.

`segments run` checks the settings, builds with dbt, publishes and reports.

`segments run --refit` fits a new model even when the saved one applies, and
moves aside what the publish folder's manifest does not vouch for.
`segments docs` and `segments powerbi` run `dbt docs generate` (and the
Power BI generator) under the same locks, so they wait for a run.

Environment (all optional; a path variable set but empty is an error):
  SEGMENTS_INPUT        customer file, .csv or .parquet (default: the demo seed)
  SEGMENTS_TRANSACTIONS transactions file, .csv or .parquet, or `demo` (default: none)
  SEGMENTS_PUBLISH_DIR  where the published files go (default: publish/)
  SEGMENTS_VARS         dbt vars as YAML or JSON, e.g. '{k: 4}'
  SEGMENTS_WAREHOUSE    dbt's working DuckDB file (default: <target>/warehouse.duckdb)
  DBT_TARGET_PATH       dbt's target folder (default: target/)
  SEGMENTS_LOCK_TIMEOUT seconds to wait for another run on the same folders (1800)
  SEGMENTS_TIMINGS      write each stage's wall time (seconds) to this JSON file

Any failure, and Ctrl-C, ends with one line on stderr; the full detail of an unexpected
one, or of a library error behind an expected one, is appended to
<target>/segments.log.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path

import yaml

from customer_segmentation.child import run_child
from customer_segmentation.features import BEHAVIOUR_FEATURES
from customer_segmentation.formats import FileFormat, FormatError, file_format
from customer_segmentation.ingest import (
    CUSTOMER_FILE,
    CUSTOMER_FILE_BESIDE_TRANSACTIONS,
    TRANSACTION_FILE,
    FileColumns,
    FileKind,
    InputError,
    inspect_file,
    load_aliases,
    register_formats,
    register_input,
)
from customer_segmentation.locking import LockBusy, lock_timeout, run_locks
from customer_segmentation.messages import one_line, plural, write_detail
from customer_segmentation.model_store import (
    HistoryError,
    IdFloor,
    Mode,
    choose_mode,
    highest_ids,
    load_last_publish,
    missing_history,
    read_last_publish,
    register_run,
)
from customer_segmentation.publish import (
    DASHBOARD_FILE,
    SERVING_DATABASE,
    FolderState,
    PublishError,
    check_publish_folder,
    delete_owned,
    inspect_folder,
    move_aside,
    publish,
    remove_leftovers,
)
from customer_segmentation.run_report import (
    RunInputs,
    accounting_line,
    drift_warning,
    empty_score_warning,
    explain_failure,
    model_line,
    segment_table,
    transactions_line,
)
from customer_segmentation.settings import (
    MIN_CUSTOMERS,
    ClusteringSettings,
    SettingsError,
    check_vars,
    is_blank,
)
from customer_segmentation.warehouse import WarehouseError, check_warehouse

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
    WarehouseError,
    FormatError,
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


def dbt_command(project_dir: Path, *arguments: str) -> list[str]:
    """The project's dbt, from this environment, with the project's folders."""
    dbt = shutil.which("dbt", path=str(Path(sys.executable).parent)) or "dbt"
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
) -> bool:
    """Run `dbt build` (seeds, models, data tests); True if all passed.

    dbt's unit tests test the SQL, not the data, so they run in the test
    suite (`make test`), not on every run, as dbt's guide recommends.

    In a child process: dbt's programmatic runner measured no faster here
    (the import of dbt itself dominates), and in this process dbt-duckdb
    keeps the warehouse open until its private connection cache is closed.
    """
    command = dbt_command(project_dir, "build", "--exclude-resource-type", "unit_test")
    command += ["--vars", json.dumps(dbt_vars)] if dbt_vars else []
    return run_child(command, {**os.environ, **env}, locks) == 0


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


@dataclass(frozen=True)
class Folders:
    """Where a command reads and writes, each guarded by its own lock."""

    target: Path
    warehouse: Path
    publish_dir: Path | None = None

    @classmethod
    def from_environment(cls, project_dir: Path, publishing: bool) -> Folders:
        target = env_path("DBT_TARGET_PATH", project_dir / "target")
        warehouse = env_path("SEGMENTS_WAREHOUSE", target / "warehouse.duckdb")
        publish_dir = (
            env_path("SEGMENTS_PUBLISH_DIR", project_dir / "publish")
            if publishing
            else None
        )
        return cls(target, warehouse, publish_dir)

    def locks(self) -> dict[Path, str]:
        guarded = {self.target: "dbt target folder", self.warehouse: "warehouse"}
        if self.publish_dir is not None:
            guarded[self.publish_dir] = "publish folder"
        return guarded

    def check_apart(self) -> None:
        """The publish folder is replaced whole: nothing else may sit in it."""
        if self.publish_dir is None:
            return
        for path, variable in (
            (self.warehouse, "SEGMENTS_WAREHOUSE"),
            (self.target, "DBT_TARGET_PATH"),
        ):
            if path == self.publish_dir or self.publish_dir in path.parents:
                raise UsageError(
                    f"{variable} {path} is inside the publish folder "
                    f"{self.publish_dir}, which every run replaces whole; put "
                    "it elsewhere. Nothing was changed."
                )

    def dbt_env(self) -> dict[str, str]:
        return {
            "DBT_TARGET_PATH": str(self.target),
            "SEGMENTS_WAREHOUSE": str(self.warehouse),
            "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
        }


def say(line: str) -> None:
    print(line, flush=True)


@dataclass(frozen=True)
class RunPlan:
    """What a run was asked to do, checked before any lock is taken."""

    project_dir: Path
    refit: bool
    input_path: Path | None
    transactions: Path | None
    settings: ClusteringSettings
    dbt_vars: dict[str, object]
    folders: Folders
    clock: Stopwatch = field(default_factory=Stopwatch)

    @property
    def customer_kind(self) -> FileKind:
        """With transactions, the customer file's spending score is optional."""
        return CUSTOMER_FILE_BESIDE_TRANSACTIONS if self.transactions else CUSTOMER_FILE

    @property
    def publish_dir(self) -> Path:
        assert self.folders.publish_dir is not None
        return self.folders.publish_dir

    def inputs(self) -> RunInputs:
        """How messages name the files the run read."""
        customers = None if self.transactions else "the demo seed"
        return RunInputs(
            customers=f"input file {self.input_path}" if self.input_path else customers,
            transactions=(
                f"transactions file {self.transactions}" if self.transactions else None
            ),
        )


def plan_run(args: argparse.Namespace) -> RunPlan:
    """Read and check every setting; nothing is locked or written yet."""
    project_dir = Path(args.project_dir).resolve()
    input_path = resolve_input(os.environ.get("SEGMENTS_INPUT"))
    transactions = resolve_transactions(
        os.environ.get("SEGMENTS_TRANSACTIONS"), project_dir
    )
    folders = Folders.from_environment(project_dir, publishing=True)
    folders.check_apart()
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
    return RunPlan(
        project_dir, args.refit, input_path, transactions, settings, dbt_vars, folders
    )


def run(args: argparse.Namespace) -> None:
    plan = plan_run(args)
    timeout = lock_timeout(os.environ.get("SEGMENTS_LOCK_TIMEOUT"))
    # Refused here, before any lock, file or dbt work; checked again below,
    # under the lock, in case another run changed the folder meanwhile.
    check_publish_folder(plan.publish_dir, refit=plan.refit)
    with run_locks(plan.folders.locks(), timeout, say=say) as locks:
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
    for leftover in remove_leftovers(folders.publish_dir):
        say(f"Removed {leftover}, left by an interrupted run")
    return state


def decide_formats(
    inputs: Iterable[tuple[FileKind, Path | None, FileColumns | None]],
    dbt_vars: dict[str, object],
) -> tuple[dict[str, FileFormat], bool]:
    """How dbt reads each input file (formats.py), and whether ids are whole
    numbers in every file. No file at all (the demo seed): nothing, so the
    staging models decide from the seed."""
    given = [(kind, path, found) for kind, path, found in inputs if found]
    if not given:
        return {}, True
    formats = {
        kind.view: (
            file_format(
                found.evidence,
                kind.label,
                path,
                number_format=dbt_vars.get("number_format"),
                date_format=dbt_vars.get("date_format"),
            )
            if found
            else FileFormat()
        )
        for kind, path, found in inputs
    }
    return formats, all(found.evidence.whole_number_ids for _, _, found in given)


def remembered_ids(publish_dir: Path, state: FolderState) -> IdFloor:
    """The manifest's highest ids, saying so when a history file went missing."""
    floor = IdFloor.from_facts(state.facts)
    missing = missing_history(state.missing)
    if missing:
        say(
            f"Note: published to {publish_dir} but missing now: "
            f"{', '.join(missing)}; new ids follow the manifest's (run "
            f"{floor.run_id}, model run {floor.model_run_id}, segment "
            f"{floor.cluster_id})"
        )
    return floor


def run_locked(plan: RunPlan, state: FolderState, locks: tuple[int, ...]) -> None:
    """Everything that reads or writes the folders: run only under their
    locks (``locks``: the lock files' descriptors, which dbt inherits)."""
    found = inspect_inputs(plan)
    mode = prepare_warehouse(plan, found, state)
    announce(plan, found, mode)
    build_or_stop(plan, locks)
    published = publish_run(plan)
    plan.clock.save(os.environ.get("SEGMENTS_TIMINGS"))
    report(plan, published / SERVING_DATABASE)


Found = tuple[FileColumns | None, FileColumns | None]


def inspect_inputs(plan: RunPlan) -> Found:
    """Headers matched and rows counted, for the customer and transactions files."""
    aliases = load_aliases(plan.project_dir / "seeds" / "column_aliases.csv")
    found = found_transactions = None
    if plan.input_path:
        with plan.clock.stage("inspect_input"):
            found = inspect_file(plan.input_path, aliases, plan.customer_kind)
    if plan.transactions:
        with plan.clock.stage("inspect_transactions"):
            found_transactions = inspect_file(
                plan.transactions, aliases, TRANSACTION_FILE
            )
    return found, found_transactions


def prepare_warehouse(plan: RunPlan, found: Found, state: FolderState) -> Mode:
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
    floor = remembered_ids(plan.publish_dir, state)
    warehouse = plan.folders.warehouse
    with plan.clock.stage("load_last_publish"):
        load_last_publish(warehouse, remembered)
        # Transactions alone: no customer file, and not the demo customers.
        register_input(
            warehouse,
            plan.input_path,
            customers,
            plan.customer_kind,
            empty=bool(plan.transactions),
        )
        register_input(warehouse, plan.transactions, transactions, TRANSACTION_FILE)
        register_formats(warehouse, formats, whole_number_ids)
        register_run(warehouse, mode, floor)
    return mode


def announce(plan: RunPlan, found: Found, mode: Mode) -> None:
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
    with plan.clock.stage("dbt_build"):
        built = build(plan.project_dir, plan.dbt_vars, plan.folders.dbt_env(), locks)
    if built:
        return
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
    )
    raise UsageError(
        f"{reason}. Nothing was published: {plan.publish_dir} is unchanged."
    )


def publish_run(plan: RunPlan) -> Path:
    """The published tables and the dashboard, swapped in together."""

    def add_dashboard(folder: Path) -> None:
        # Imported here: Altair and vl-convert take a second to import, which
        # a refused or failed run should not wait for.
        from customer_segmentation.dashboard import build_dashboard

        with plan.clock.stage("dashboard"):
            build_dashboard(folder, folder / SERVING_DATABASE)

    warehouse = plan.folders.warehouse
    with plan.clock.stage("publish"):
        return publish(
            warehouse,
            plan.publish_dir,
            add_extras=add_dashboard,
            facts=highest_ids(warehouse).as_facts(),
            say=say,
        )


def report(plan: RunPlan, serving: Path) -> None:
    """What the run did: row accounting, the segments, the model, warnings."""
    print()
    if plan.input_path or not plan.transactions:
        print(accounting_line(serving))
    bought = transactions_line(serving, has_customer_file=plan.input_path is not None)
    if bought:
        print(bought)
    print()
    print(segment_table(serving))
    print()
    print(model_line(serving))
    for warning in (
        drift_warning(plan.folders.target),
        empty_score_warning(plan.folders.target, serving),
    ):
        if warning:
            print(warning)
    print()
    print(f"Published to {serving.parent}/")
    print(f"  Parquet, one file per table, and {SERVING_DATABASE} for Power BI")
    print(f"  {DASHBOARD_FILE}: open it in any browser, no Power BI needed")
    print("Docs: `make docs` builds and serves dbt docs on http://localhost:8080")


def generate_docs(project_dir: Path, folders: Folders, locks: tuple[int, ...]) -> None:
    """`dbt docs generate` into the target folder (its catalog reads the warehouse)."""
    command = dbt_command(project_dir, "docs", "generate")
    if run_child(command, {**os.environ, **folders.dbt_env()}, locks) != 0:
        raise UsageError("dbt docs generate failed (see the log above)")


def docs(args: argparse.Namespace) -> None:
    """Build the dbt docs site under the locks a run takes."""
    project_dir = Path(args.project_dir).resolve()
    folders = Folders.from_environment(project_dir, publishing=False)
    timeout = lock_timeout(os.environ.get("SEGMENTS_LOCK_TIMEOUT"))
    with run_locks(folders.locks(), timeout, say=say) as locks:
        claim_folders(project_dir, folders, refit=False)
        generate_docs(project_dir, folders, locks)
    say(f"Docs written to {folders.target}; `make docs` serves them")


def powerbi(args: argparse.Namespace) -> None:
    """Regenerate the Power BI projects from the docs' manifest and catalog."""
    from customer_segmentation.powerbi import EditedFiles, generate

    project_dir = Path(args.project_dir).resolve()
    folders = Folders.from_environment(project_dir, publishing=False)
    out = Path(args.out).expanduser().resolve()
    guarded = {**folders.locks(), out: "Power BI folder"}
    timeout = lock_timeout(os.environ.get("SEGMENTS_LOCK_TIMEOUT"))
    with run_locks(guarded, timeout, say=say) as locks:
        claim_folders(project_dir, folders, refit=False)
        generate_docs(project_dir, folders, locks)
        try:
            written = generate(folders.target, out)
        except EditedFiles as error:
            raise UsageError(str(error)) from None
    say(f"wrote {len(written)} files to {out}/")


def clean(args: argparse.Namespace) -> None:
    """Delete the publish folder, as far as its manifest vouches for its files."""
    project_dir = Path(args.project_dir).resolve()
    publish_dir = env_path("SEGMENTS_PUBLISH_DIR", project_dir / "publish")
    timeout = lock_timeout(os.environ.get("SEGMENTS_LOCK_TIMEOUT"))
    with run_locks({publish_dir: "publish folder"}, timeout, say=say):
        if not publish_dir.is_dir():
            return
        state = inspect_folder(publish_dir)
        if state.manifest is None:
            if state.unowned:
                say(f"Left {publish_dir} as it is: it has no manifest of ours")
            else:
                publish_dir.rmdir()
            return
        if not delete_owned(publish_dir, state.manifest):
            say(f"Removed the published files of {publish_dir}; the rest is yours")


# Command-line option -> the environment variable it stands for. An option
# given wins; the variable (as `make run` passes it) is the fallback.
OPTIONS = {
    "--input": ("SEGMENTS_INPUT", "customer file, .csv or .parquet"),
    "--transactions": (
        "SEGMENTS_TRANSACTIONS",
        "transactions file, .csv or .parquet, or `demo`",
    ),
    "--publish-dir": ("SEGMENTS_PUBLISH_DIR", "where the published files go"),
    "--vars": ("SEGMENTS_VARS", "dbt vars as YAML or JSON, e.g. '{k: 4}'"),
    "--warehouse": ("SEGMENTS_WAREHOUSE", "dbt's working DuckDB file"),
    "--target-path": ("DBT_TARGET_PATH", "dbt's target folder"),
    "--lock-timeout": (
        "SEGMENTS_LOCK_TIMEOUT",
        "seconds to wait for another run on the same folders",
    ),
}


def apply_options(args: argparse.Namespace) -> None:
    """Options given on the command line take the place of their variables,
    for this process and the dbt it starts."""
    for option, (variable, _) in OPTIONS.items():
        value = getattr(args, option.removeprefix("--").replace("-", "_"), None)
        if value is not None:
            os.environ[variable] = value


def version() -> str:
    try:
        return metadata.version("customer-segmentation")
    except metadata.PackageNotFoundError:
        return "unknown (not installed)"


def parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="segments", description=__doc__.splitlines()[0]
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {version()}")
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
    for option, (variable, meaning) in OPTIONS.items():
        run_command.add_argument(option, help=f"{meaning} (default: ${variable})")
    run_command.set_defaults(action=run)
    commands.add_parser(
        "docs", help="generate the dbt docs site (taking the run's locks)"
    ).set_defaults(action=docs)
    powerbi_command = commands.add_parser(
        "powerbi", help="regenerate the Power BI projects (taking the run's locks)"
    )
    powerbi_command.add_argument(
        "--out", default="powerbi", help="the Power BI folder (default: powerbi)"
    )
    powerbi_command.set_defaults(action=powerbi)
    commands.add_parser(
        "clean", help="delete the published files (never a file of yours)"
    ).set_defaults(action=clean)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    apply_options(args)
    try:
        args.action(args)
    except EXPECTED_ERRORS as error:
        # An error a library raised (DuckDB, Arrow, the OS) says more than
        # the line shows: its full text goes to the log.
        detail = ""
        if error.__cause__ is not None:
            log = write_detail(error_log(Path(args.project_dir)), error)
            detail = f" (full detail in {log})" if log else ""
        print(f"segments: error: {one_line(str(error))}{detail}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print(
            "segments: interrupted; a publish folder is only ever replaced whole, "
            "so it holds the last complete publish",
            file=sys.stderr,
        )
        return 130
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
