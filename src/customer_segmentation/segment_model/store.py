"""What a run remembers: the last publish, loaded back, and fit-or-score.

The saved model, its history, the drift history and the previous segments
live in the publish folder, as the Parquet files published with every run.
Before dbt runs, they are loaded into the warehouse's ``last_publish``
schema (empty tables when the folder has none), which the dbt project reads
as a source. Keeping them in the publish folder gives every publish folder
its own history and lets the warehouse be rebuilt at will.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from customer_segmentation.engines.duckdb_limits import connect
from customer_segmentation.inputs.files import INPUT_SCHEMA
from customer_segmentation.messages import one_line, say
from customer_segmentation.publishing.ownership import kept_path
from customer_segmentation.publishing.warehouse import mark_warehouse
from customer_segmentation.segment_model.schemas import (
    ELBOW_SCHEMA,
    FEATURE_SCHEMA,
    MODEL_SCHEMA,
    PUBLISHED_SEGMENT_SCHEMA,
    RUNS_SCHEMA,
    SEGMENT_MODEL_SCHEMA,
    narrow,
)
from customer_segmentation.segment_model.settings import (
    ClusteringSettings,
    settings_fingerprint,
)

SCHEMA = "last_publish"
MODE_FIT = "fit"
MODE_SCORE = "score"


# Published table -> the columns a run reads back from it.
REMEMBERED = {
    "segment_model_history": SEGMENT_MODEL_SCHEMA,
    "segment_model_features": FEATURE_SCHEMA,
    "segment_runs": RUNS_SCHEMA,
    "customer_segments": PUBLISHED_SEGMENT_SCHEMA,
    "elbow_curve": ELBOW_SCHEMA,
}

# Version 0.1.0 published the feature values as columns of
# segment_model_history (<feature>_mean, _sd, _centroid, _centroid_z).
WIDE_HISTORY_MARK = "_centroid_z"


@dataclass(frozen=True)
class IdFloor:
    """The highest ids a publish folder's manifest says it published.

    A run's new ids follow these as well as the history files, so a deleted
    history file never makes a run or segment id go back.
    """

    run_id: int = 0
    model_run_id: int = 0
    cluster_id: int = 0

    @classmethod
    def from_facts(cls, facts: dict[str, object]) -> IdFloor:
        ids = facts.get("highest_ids")
        if not isinstance(ids, dict):
            return cls()
        values = {name: ids.get(name) for name in ID_COLUMNS}
        return cls(**{k: v for k, v in values.items() if isinstance(v, int)})

    def as_facts(self) -> dict[str, object]:
        return {"highest_ids": {name: getattr(self, name) for name in ID_COLUMNS}}


ID_COLUMNS = ("run_id", "model_run_id", "cluster_id")


def highest_ids(warehouse: Path) -> IdFloor:
    """The highest ids in the warehouse's published history, after a build."""
    with connect(str(warehouse), read_only=True) as con:
        run_id, model_run_id = con.execute(
            "select coalesce(max(run_id), 0), coalesce(max(model_run_id), 0)"
            " from main.segment_runs"
        ).fetchone()
        (cluster_id,) = con.execute(
            "select coalesce(max(cluster_id), 0) from main.segment_model_history"
        ).fetchone()
    return IdFloor(int(run_id), int(model_run_id), int(cluster_id))


def missing_history(missing: list[str]) -> list[str]:
    """The remembered files among a manifest's missing files."""
    return [name for name in missing if name.removesuffix(".parquet") in REMEMBERED]


def remembered_ids(
    publish_dir: Path, facts: dict[str, object], missing: list[str]
) -> IdFloor:
    """The manifest's highest ids, saying so when a history file went missing."""
    floor = IdFloor.from_facts(facts)
    gone = missing_history(missing)
    if gone:
        say(
            f"Note: published to {publish_dir} but missing now: "
            f"{', '.join(gone)}; new ids follow the manifest's (run "
            f"{floor.run_id}, model run {floor.model_run_id}, segment "
            f"{floor.cluster_id})"
        )
    return floor


@dataclass(frozen=True)
class RunMode:
    mode: str
    reason: str


class HistoryError(Exception):
    """A remembered file of the publish folder cannot be read."""

    def __init__(self, message: str, path: Path | None = None) -> None:
        super().__init__(message)
        self.path = path  # the unreadable file, where there is one


def read_remembered(publish_dir: Path, table: str) -> pa.Table:
    """A published table's remembered columns, or none of its rows if absent.

    A folder published by 0.1.0 has no segment_model_features file: its
    feature rows are read from the history file's per-feature columns.
    """
    schema = REMEMBERED[table]
    path = publish_dir / f"{table}.parquet"
    history = publish_dir / "segment_model_history.parquet"
    try:
        wide = (
            table == "segment_model_features"
            and not path.exists()
            and history.is_file()
            and is_wide(pq.read_schema(history))
        )
        if wide:
            path = history
            return narrow(pq.read_table(history))[1]
        if not (path.is_file() or path.is_dir()):
            return schema.empty_table()
        # a folder: Parquet parts an engine wrote (a Spark run's executors)
        return pq.read_table(path, columns=schema.names).cast(schema)
    except (pa.ArrowException, OSError, KeyError, ValueError) as error:
        raise HistoryError(f"{path.name} ({one_line(error)})", path) from error


def is_wide(schema: pa.Schema) -> bool:
    return any(name.endswith(WIDE_HISTORY_MARK) for name in schema.names)


def read_last_publish(
    publish_dir: Path, refit: bool
) -> tuple[dict[str, pa.Table], Path | None]:
    """Every remembered table of the folder, and where unreadable ones were kept.

    An unreadable file (corrupt, truncated, another schema) stops a normal
    run with what to do. A refit starts a new history instead: it copies the
    unreadable files to a folder beside the publish folder, never deleting
    them, and remembers nothing from them.
    """
    tables: dict[str, pa.Table] = {}
    unreadable: list[HistoryError] = []
    for table, schema in REMEMBERED.items():
        try:
            tables[table] = read_remembered(publish_dir, table)
        except HistoryError as error:
            unreadable.append(error)
            tables[table] = schema.empty_table()
    if not unreadable:
        return tables, None
    if not refit:
        raise HistoryError(
            f"publish folder {publish_dir}: the saved history cannot be read: "
            f"{'; '.join(map(str, unreadable))}. Run `make refit` (segments run "
            "--refit) to start a new history; it keeps a copy of the unreadable "
            "files beside the folder"
        ) from unreadable[0].__cause__
    kept = kept_path(publish_dir)
    kept.mkdir()
    for error in unreadable:
        shutil.copy2(error.path, kept / error.path.name)
    return tables, kept


def load_last_publish(warehouse: Path, remembered: dict[str, pa.Table]) -> None:
    """Replace the warehouse's last_publish tables with the folder's contents."""
    warehouse.parent.mkdir(parents=True, exist_ok=True)
    with connect(str(warehouse)) as con:
        mark_warehouse(con)
        con.execute(f"create schema if not exists {SCHEMA}")
        for table in REMEMBERED:
            rows = remembered[table]  # noqa: F841 (read by SQL)
            con.execute(f"create or replace table {SCHEMA}.{table} as from rows")


def register_run(warehouse: Path, mode: RunMode, floor: IdFloor) -> None:
    """Tell dbt how to run: one row in run_input.run_context and one in
    run_input.id_floor, values bound."""
    with connect(str(warehouse)) as con:
        con.execute(f"create schema if not exists {INPUT_SCHEMA}")
        con.execute(
            f"create or replace table {INPUT_SCHEMA}.run_context"
            " (model_mode varchar, model_mode_reason varchar)"
        )
        con.execute(
            f"insert into {INPUT_SCHEMA}.run_context values (?, ?)",
            [mode.mode, mode.reason],
        )
        con.execute(
            f"create or replace table {INPUT_SCHEMA}.id_floor"
            f" ({', '.join(f'{name} integer' for name in ID_COLUMNS)})"
        )
        con.execute(
            f"insert into {INPUT_SCHEMA}.id_floor values (?, ?, ?)",
            [floor.run_id, floor.model_run_id, floor.cluster_id],
        )


def read_id_floor(id_floor: pa.Table) -> IdFloor:
    """The floor a dbt Python model reads from the id_floor source."""
    rows = id_floor.to_pylist()
    return IdFloor(**{k: int(v) for k, v in rows[0].items()}) if rows else IdFloor()


def run_mode(run_context: pa.Table) -> str:
    """The mode a dbt Python model reads from the run_context source."""
    modes = run_context.column("model_mode").to_pylist()
    if len(modes) != 1 or modes[0] not in (MODE_FIT, MODE_SCORE):
        raise ValueError(f"run_input.run_context must hold one mode, got {modes}")
    return modes[0]


def choose_mode(
    remembered: dict[str, pa.Table], settings: ClusteringSettings, refit: bool
) -> RunMode:
    """Fit when asked, when there is no saved model, or when settings changed.

    The reason is text of this module's own, never a path or other user
    data.
    """
    if refit:
        return RunMode(MODE_FIT, "refit asked for (make refit)")
    saved = remembered["segment_model_history"]
    if saved.num_rows == 0 or remembered["elbow_curve"].num_rows == 0:
        return RunMode(MODE_FIT, "the publish folder has no saved model")
    latest = max(saved["model_run_id"].to_pylist())
    rows = [r for r in saved.to_pylist() if r["model_run_id"] == latest]
    feature_runs = set(remembered["segment_model_features"]["model_run_id"].to_pylist())
    if latest not in feature_runs:
        return RunMode(
            MODE_FIT,
            f"the feature values of model run {latest} are missing from the "
            "publish folder (segment_model_features); its segments are retired",
        )
    saved_features = str(rows[0]["features"])
    if saved_features != ",".join(settings.features):
        return RunMode(
            MODE_FIT,
            f"the clustering features changed since model run {latest} "
            f"({saved_features} to {','.join(settings.features)}); "
            "its segments are retired",
        )
    if rows[0]["settings_fingerprint"] != settings_fingerprint(settings):
        return RunMode(
            MODE_FIT, f"the clustering settings changed since model run {latest}"
        )
    return RunMode(MODE_SCORE, f"model run {latest} matches the clustering settings")


# What a scoring run hands dbt: the saved model and elbow, as published. Here
# rather than beside the fit, so a scoring run never imports scikit-learn.


def latest_run(history: pa.Table) -> pa.Table:
    """The rows of the newest run in a model history (empty if there is none)."""
    if history.num_rows == 0:
        return history
    newest = pc.max(history["model_run_id"]).as_py()
    return history.filter(pc.equal(history["model_run_id"], newest))


def saved_model(history: pa.Table) -> pa.Table:
    """The latest model run's rows, for scoring runs (no refit)."""
    latest = latest_run(history)
    if latest.num_rows == 0:
        raise ValueError("scoring needs a saved model; run a fit first (make refit)")
    return latest.select(MODEL_SCHEMA.names).cast(MODEL_SCHEMA)


def saved_elbow(elbow: pa.Table) -> pa.Table:
    """The elbow of the saved model, as published with it, for scoring runs."""
    if elbow.num_rows == 0:
        raise ValueError("scoring needs the elbow_curve published with the model")
    return elbow.select(ELBOW_SCHEMA.names).cast(ELBOW_SCHEMA)
