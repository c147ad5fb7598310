"""What `segments run` was asked to do: the files, folders and vars, read from
the options (or their environment variables) and checked before any lock is
taken or anything is written."""

from __future__ import annotations

import argparse
import os
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from customer_segmentation.inputs.files import (
    CUSTOMER_FILE,
    CUSTOMER_FILE_BESIDE_TRANSACTIONS,
    TRANSACTION_FILE,
    FileColumns,
    FileKind,
    InputError,
)
from customer_segmentation.inputs.tables import (
    ATTACH_VARIABLE,
    InputTable,
    catalog_name,
    parse_table_name,
)
from customer_segmentation.messages import one_line, setting
from customer_segmentation.running.progress import Progress
from customer_segmentation.running.report import (
    RunInputs,
)
from customer_segmentation.segment_model.features import (
    BEHAVIOUR_FEATURES,
    DEFAULT_BEHAVIOUR_FEATURES,
)
from customer_segmentation.segment_model.settings import (
    ClusteringSettings,
    check_run_vars,
    is_blank,
)

INPUT_FORMATS = (".csv", ".parquet")


# SEGMENTS_TRANSACTIONS=demo runs on the synthetic transactions shipped here.
DEMO_TRANSACTIONS = Path("demo") / "transactions.csv"


class UsageError(Exception):
    """Bad input or settings: reported as one line, no traceback."""


def env_path(name: str, default: Path) -> Path:
    """A path from the environment as an absolute path, ``default`` if unset.

    Set but empty is refused: ``Path("")`` is the working directory, and a
    publish folder there would be replaced whole.
    """
    raw = os.environ.get(name)
    if raw is None:
        return default.resolve()
    if not raw.strip():
        raise UsageError(f"{setting(name)} is set but empty; give a path or unset it")
    return Path(raw).expanduser().resolve()


def resolve_input(
    raw: str | None, variable: str = "SEGMENTS_INPUT", label: str = "input file"
) -> Path | None:
    """The file as an absolute path, or None when the variable is unset."""
    if raw is None:
        return None
    if not raw.strip():
        raise UsageError(
            f"{setting(variable)} is set but empty; give a file, or unset it "
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
        return {**raw_vars, "cluster_features": ",".join(DEFAULT_BEHAVIOUR_FEATURES)}
    return raw_vars


def check_features_available(
    features: tuple[str, ...], has_customers: bool, has_transactions: bool
) -> None:
    """Refuse, before any SQL, features this run's inputs cannot give."""
    asked = ",".join(features)
    if not has_transactions and set(features) & set(BEHAVIOUR_FEATURES):
        raise UsageError(
            f"var cluster_features={asked!r} uses purchase behaviour, which "
            f"needs a transactions file ({setting('SEGMENTS_TRANSACTIONS')})"
        )
    if (
        has_transactions
        and not has_customers
        and set(features) - set(BEHAVIOUR_FEATURES)
    ):
        raise UsageError(
            f"var cluster_features={asked!r} uses customer-file columns, but "
            f"only a transactions file was given; add {setting('SEGMENTS_INPUT')} "
            "or cluster "
            f"on {','.join(DEFAULT_BEHAVIOUR_FEATURES)}"
        )


class VarsLoader(yaml.SafeLoader):
    """YAML as SafeLoader reads it, but a date stays text: its var checks it
    and names itself (YAML's own reading of 2024-02-30 fails nameless)."""


VarsLoader.yaml_implicit_resolvers = {
    first: [
        (tag, pattern)
        for tag, pattern in resolvers
        if tag != "tag:yaml.org,2002:timestamp"
    ]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def parse_vars(raw: str | None) -> dict[str, object]:
    if not raw:
        return {}
    try:
        parsed = yaml.load(raw, Loader=VarsLoader)  # a SafeLoader
    except yaml.YAMLError as error:
        raise UsageError(
            f"{setting('SEGMENTS_VARS')} is not YAML or JSON: {one_line(str(error))}"
        ) from None
    if not isinstance(parsed, dict):
        raise UsageError(
            f"{setting('SEGMENTS_VARS')} must be a mapping such as '{{k: 4}}', "
            f"got {raw!r}"
        )
    return parsed


# The dbt targets `segments run` builds on (profiles.yml): DuckDB, the
# default, and Spark through .venv-spark (docs/spark.md).
RUN_TARGET = "local"
SPARK_TARGETS = ("spark_local", "spark")


def spark_bin(project_dir: Path) -> Path:
    return project_dir / ".venv-spark" / "bin"


def resolve_database(raw: str | None) -> Path | None:
    """The DuckDB database --attach names, checked: it exists and its file
    name can be a catalog name."""
    if raw is None:
        return None
    if not raw.strip():
        raise UsageError(f"{setting(ATTACH_VARIABLE)} is set but empty")
    path = Path(raw).expanduser().resolve()
    if not path.is_file():
        raise UsageError(f"database {path}: no such file")
    try:
        catalog_name(path)
    except InputError as error:
        raise UsageError(str(error)) from None
    return path


def table_from(variable: str, file_variable: str, kind: FileKind) -> InputTable | None:
    raw = os.environ.get(variable)
    if raw is None:
        return None
    if os.environ.get(file_variable) is not None:
        raise UsageError(
            f"{setting(variable)} and {setting(file_variable)} both name the "
            f"{kind.table_label.removesuffix(' table')} input; give one of them"
        )
    try:
        return parse_table_name(raw, kind.table_label)
    except InputError as error:
        raise UsageError(str(error)) from None


# what inspecting the customer and transaction inputs found, either absent
Found = tuple[FileColumns | None, FileColumns | None]


@dataclass(frozen=True)
class InputTables:
    """The tables read in place of files, and the database they are in."""

    customers: InputTable | None = None
    transactions: InputTable | None = None
    database: Path | None = None

    @classmethod
    def from_environment(cls, target: str) -> InputTables:
        customers = table_from(
            "SEGMENTS_CUSTOMER_TABLE", "SEGMENTS_INPUT", CUSTOMER_FILE
        )
        transactions = table_from(
            "SEGMENTS_TRANSACTION_TABLE", "SEGMENTS_TRANSACTIONS", TRANSACTION_FILE
        )
        database = resolve_database(os.environ.get(ATTACH_VARIABLE))
        named = [
            setting(variable)
            for variable, table in (
                ("SEGMENTS_CUSTOMER_TABLE", customers),
                ("SEGMENTS_TRANSACTION_TABLE", transactions),
            )
            if table is not None
        ]
        if target != RUN_TARGET:
            # Spark reads the tables of its own metastore (spark/tables.py)
            if database is not None:
                raise UsageError(
                    f"{setting(ATTACH_VARIABLE)} attaches a DuckDB database; on "
                    f"{target}, name a table of the cluster's metastore instead"
                )
            return cls(customers, transactions, None)
        if named and database is None:
            raise UsageError(
                f"{named[0]} names a table: give the DuckDB database it is in "
                f"with --attach or {ATTACH_VARIABLE} (it is attached read only)"
            )
        if database is not None and not named:
            raise UsageError(
                f"{setting(ATTACH_VARIABLE)} names a database but no table is "
                "read from it; give --customer-table or --transaction-table"
            )
        return cls(customers, transactions, database)


def source_name(source: Path | InputTable | None, kind: FileKind) -> str | None:
    """How messages name an input: the file or the table."""
    if source is None:
        return None
    if isinstance(source, InputTable):
        return f"{kind.table_label} {source}"
    return f"{kind.label} {source}"


def check_target(target: str | None, project_dir: Path) -> str:
    """The run's dbt target (DBT_TARGET, which dbt itself also reads):
    DuckDB, or Spark where .venv-spark is installed; anything else refused."""
    if not target or target == RUN_TARGET:
        return RUN_TARGET
    if target not in SPARK_TARGETS:
        raise UsageError(
            f"DBT_TARGET={target}: `segments run` builds on {RUN_TARGET} (DuckDB) "
            f"or {' or '.join(SPARK_TARGETS)}; for {target}, run dbt build "
            f"--target {target} as docs/spark.md says"
        )
    if not (spark_bin(project_dir) / "dbt").is_file():
        raise UsageError(
            f"DBT_TARGET={target}: {spark_bin(project_dir).parent} is missing; "
            "run make spark-setup first"
        )
    return target


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
                    f"{setting(variable)} {path} is inside the publish folder "
                    f"{self.publish_dir}, which every run replaces whole; put "
                    "it elsewhere. Nothing was changed."
                )

    def dbt_env(self) -> dict[str, str]:
        return {
            "DBT_TARGET_PATH": str(self.target),
            # dbt's log, in the target folder the product owns (not ./logs)
            "DBT_LOG_PATH": os.environ.get("DBT_LOG_PATH") or str(self.target / "logs"),
            "SEGMENTS_WAREHOUSE": str(self.warehouse),
            "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
        }


@dataclass(frozen=True)
class RunPlan:
    """What a run was asked to do, checked before any lock is taken."""

    project_dir: Path
    refit: bool
    input_path: Path | InputTable | None
    transactions: Path | InputTable | None
    settings: ClusteringSettings
    dbt_vars: dict[str, object]
    folders: Folders
    target: str = RUN_TARGET
    clock: Progress = field(default_factory=Progress)
    attach: Path | None = None  # a database the tables are read from

    def spark_env(self) -> dict[str, str]:
        """Where a Spark target keeps its metastore and tables: under the run's
        target folder, never in the folder the run started from."""
        env = {"SEGMENTS_SPARK_DIR": str(self.folders.target / "spark")}
        if self.target == "spark_local":
            # Spark looks the machine's name up otherwise, which may not resolve
            env["SPARK_LOCAL_IP"] = os.environ.get("SPARK_LOCAL_IP", "127.0.0.1")
        return env

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
            customers=source_name(self.input_path, self.customer_kind) or customers,
            transactions=source_name(self.transactions, TRANSACTION_FILE),
        )


def plan_run(args: argparse.Namespace) -> RunPlan:
    """Read and check every setting; nothing is locked or written yet."""
    project_dir = Path(args.project_dir).resolve()
    target = check_target(os.environ.get("DBT_TARGET"), project_dir)
    input_path = resolve_input(os.environ.get("SEGMENTS_INPUT"))
    transactions = resolve_transactions(
        os.environ.get("SEGMENTS_TRANSACTIONS"), project_dir
    )
    tables = InputTables.from_environment(target)
    input_path = tables.customers or input_path
    transactions = tables.transactions or transactions
    folders = Folders.from_environment(project_dir, publishing=True)
    folders.check_apart()
    raw_vars = with_feature_default(
        parse_vars(os.environ.get("SEGMENTS_VARS")),
        has_transactions=transactions is not None,
    )
    settings, dbt_vars = check_run_vars(raw_vars)
    check_features_available(
        settings.features,
        has_customers=input_path is not None,
        has_transactions=transactions is not None,
    )
    return RunPlan(
        project_dir,
        args.refit,
        input_path,
        transactions,
        settings,
        dbt_vars,
        folders,
        target,
        attach=tables.database,
    )
