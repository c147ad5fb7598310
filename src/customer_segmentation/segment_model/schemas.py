"""The Arrow schemas of the tables Python writes and reads back, read from
the marts' dbt contracts: each table's columns and types are written once, in
its contract (models/marts/<subject>/_<subject>__models.yml).

The segment model (one row per segment of a model run, and its feature
values, long as published, wide as fitted and scored), the elbow curve, and
the columns a run reads back from the published segment_runs and
customer_segments. Only pyarrow and PyYAML are imported here, so the command
line reads and checks a publish folder without loading scikit-learn.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache
from pathlib import Path

import pyarrow as pa
import yaml

from customer_segmentation import PROJECT_DIR
from customer_segmentation.segment_model.features import KNOWN_FEATURES

MARTS_DIR = PROJECT_DIR / "models" / "marts"
# a contract's data_type -> the Arrow type Python writes and reads it as
CONTRACT_TYPES = {
    "integer": pa.int32(),
    "bigint": pa.int64(),
    "double": pa.float64(),
    "string": pa.string(),
    "boolean": pa.bool_(),
    "timestamp": pa.timestamp("us"),
    "date": pa.date32(),
}


@cache
def mart_contracts(marts_dir: Path = MARTS_DIR) -> dict[str, tuple[dict, ...]]:
    """Each mart's contract columns (name, data_type, ...), in order."""
    contracts = {}
    for path in sorted(marts_dir.rglob("*.yml")):
        declared = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        for model in declared.get("models", []):
            contracts[model["name"]] = tuple(model.get("columns", []))
    return contracts


def contract_schema(mart: str, names: Sequence[str] | None = None) -> pa.Schema:
    """A mart's contract as an Arrow schema (only ``names``, in their order,
    when given)."""
    columns = {column["name"]: column for column in mart_contracts()[mart]}
    return pa.schema(
        (name, CONTRACT_TYPES[columns[name]["data_type"]])
        for name in (names if names is not None else list(columns))
    )


FEATURE_COLUMNS = ("mean", "sd", "centroid", "centroid_z")

FEATURE_VALUE_COLUMNS = tuple(
    f"{feature}_{part}" for feature in KNOWN_FEATURES for part in FEATURE_COLUMNS
)

# One row per segment of a model run, as published (segment_model,
# segment_model_history): the per-feature values live in FEATURE_SCHEMA.
SEGMENT_MODEL_SCHEMA = contract_schema("segment_model_history")

# One row per segment and feature the model uses (segment_model_features).
FEATURE_SCHEMA = contract_schema("segment_model_features")
# FEATURE_SCHEMA's value columns -> the suffix of the wide column.
LONG_TO_WIDE = {
    "fitted_mean": "mean",
    "fitted_sd": "sd",
    "centroid": "centroid",
    "centroid_z": "centroid_z",
}

# The model as the fit and the scoring SQL read it (int_segment_model_selected): one
# row per segment with four columns per declared feature.
MODEL_SCHEMA = pa.schema(
    [
        *SEGMENT_MODEL_SCHEMA,
        *[(column, pa.float64()) for column in FEATURE_VALUE_COLUMNS],
    ]
)


def widen(segments: pa.Table, features: pa.Table) -> pa.Table:
    """Published segment rows and their feature rows as MODEL_SCHEMA rows."""
    values: dict[tuple[int, int], dict[str, float | None]] = {}
    for row in features.to_pylist():
        key = (row["model_run_id"], row["cluster_id"])
        for long, suffix in LONG_TO_WIDE.items():
            values.setdefault(key, {})[f"{row['feature']}_{suffix}"] = row[long]
    rows = [
        {
            **dict.fromkeys(FEATURE_VALUE_COLUMNS),
            **row,
            **values.get((row["model_run_id"], row["cluster_id"]), {}),
        }
        for row in segments.to_pylist()
    ]
    return pa.Table.from_pylist(rows, schema=MODEL_SCHEMA)


def narrow(model: pa.Table) -> tuple[pa.Table, pa.Table]:
    """MODEL_SCHEMA-like rows (any known feature columns present) as
    published segment rows and feature rows; a feature without a centroid
    is one the model does not use."""
    present = set(model.column_names)
    feature_rows = []
    for row in model.to_pylist():
        for feature in KNOWN_FEATURES:
            if row.get(f"{feature}_centroid_z") is None:
                continue
            feature_rows.append(
                {
                    "model_run_id": row["model_run_id"],
                    "cluster_id": row["cluster_id"],
                    "feature": feature,
                    **{
                        long: row.get(f"{feature}_{suffix}")
                        for long, suffix in LONG_TO_WIDE.items()
                        if f"{feature}_{suffix}" in present
                    },
                }
            )
    segments = model.select(SEGMENT_MODEL_SCHEMA.names).cast(SEGMENT_MODEL_SCHEMA)
    return segments, pa.Table.from_pylist(feature_rows, schema=FEATURE_SCHEMA)


ELBOW_SCHEMA = contract_schema("elbow_curve")

RUNS_SCHEMA = contract_schema("segment_runs")

# The columns a scoring run reads from the last published customer_segments.
PUBLISHED_SEGMENT_SCHEMA = contract_schema(
    "customer_segments", ("customer_id", "cluster_id", "segment_name")
)
