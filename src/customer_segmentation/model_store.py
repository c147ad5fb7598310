"""What a run remembers: the last publish, loaded back, and fit-or-score.

The saved model, its history, the drift history and the previous segments
live in the publish folder, as the Parquet files published with every run.
Before dbt runs, they are loaded into the warehouse's ``last_publish``
schema (empty tables when the folder has none), which the dbt project reads
as a source. Keeping them in the publish folder gives every publish folder
its own history and lets the warehouse be rebuilt at will.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq

from customer_segmentation.segment_model import MODEL_SCHEMA
from customer_segmentation.settings import ClusteringSettings, settings_fingerprint
from customer_segmentation.tables import ELBOW_SCHEMA

SCHEMA = "last_publish"
MODE_FIT = "fit"
MODE_SCORE = "score"

RUNS_SCHEMA = pa.schema(
    [
        ("run_id", pa.int32()),
        ("run_at", pa.timestamp("us")),
        ("model_mode", pa.string()),
        ("model_mode_reason", pa.string()),
        ("model_run_id", pa.int32()),
        ("customers", pa.int64()),
        ("outliers", pa.int64()),
        ("customers_in_both_runs", pa.int64()),
        ("customers_changed_segment", pa.int64()),
        ("changed_segment_share", pa.float64()),
        ("mean_distance_at_fit", pa.float64()),
        ("mean_distance_now", pa.float64()),
        ("drift_ratio", pa.float64()),
        ("mean_centroid_shift", pa.float64()),
    ]
)

# The columns a scoring run reads from the last published customer_segments.
PUBLISHED_SEGMENT_SCHEMA = pa.schema(
    [
        ("customer_id", pa.string()),
        ("cluster_id", pa.int32()),
        ("segment_name", pa.string()),
    ]
)

# Published table -> the columns a run reads back from it.
REMEMBERED = {
    "segment_model_history": MODEL_SCHEMA,
    "segment_runs": RUNS_SCHEMA,
    "customer_segments": PUBLISHED_SEGMENT_SCHEMA,
    "elbow_curve": ELBOW_SCHEMA,
}


@dataclass(frozen=True)
class Mode:
    mode: str
    reason: str


def read_remembered(publish_dir: Path, table: str) -> pa.Table:
    """A published table's remembered columns, or none of its rows if absent."""
    schema = REMEMBERED[table]
    path = publish_dir / f"{table}.parquet"
    if not path.is_file():
        return schema.empty_table()
    return pq.read_table(path, columns=schema.names).cast(schema)


def load_last_publish(warehouse: Path, publish_dir: Path) -> None:
    """Replace the warehouse's last_publish tables with the folder's contents."""
    warehouse.parent.mkdir(parents=True, exist_ok=True)
    with duckdb.connect(str(warehouse)) as con:
        con.execute(f"create schema if not exists {SCHEMA}")
        for table in REMEMBERED:
            rows = read_remembered(publish_dir, table)  # noqa: F841 (read by SQL)
            con.execute(f"create or replace table {SCHEMA}.{table} as from rows")


def choose_mode(publish_dir: Path, settings: ClusteringSettings, refit: bool) -> Mode:
    """Fit when asked, when there is no saved model, or when settings changed."""
    if refit:
        return Mode(MODE_FIT, "refit asked for (make refit)")
    saved = read_remembered(publish_dir, "segment_model_history")
    if saved.num_rows == 0 or read_remembered(publish_dir, "elbow_curve").num_rows == 0:
        return Mode(MODE_FIT, f"no saved model in {publish_dir}")
    latest = max(saved["model_run_id"].to_pylist())
    rows = [r for r in saved.to_pylist() if r["model_run_id"] == latest]
    if rows[0]["settings_fingerprint"] != settings_fingerprint(settings):
        return Mode(
            MODE_FIT,
            f"the clustering settings or features changed since model run {latest}",
        )
    return Mode(MODE_SCORE, f"model run {latest} matches the clustering settings")
