"""The Arrow schemas are the one definition of the tables Python writes and
reads back: the dbt contracts and the last_publish source must match them."""

import json
import re

import pyarrow as pa
import pytest

from customer_segmentation.segment_model.schemas import (
    ELBOW_SCHEMA,
    FEATURE_SCHEMA,
    RUNS_SCHEMA,
    SEGMENT_MODEL_SCHEMA,
)
from customer_segmentation.segment_model.settings import MAX_K, MIN_CUSTOMERS

CONTRACT_TYPES = {
    pa.int32(): "integer",
    pa.int64(): "bigint",
    pa.float64(): "double",
    pa.string(): "string",
    pa.bool_(): "boolean",
    pa.timestamp("us"): "timestamp",
}
# mart -> the schema it publishes (and the run reads back as last_publish)
PUBLISHED = {
    "segment_model": SEGMENT_MODEL_SCHEMA,
    "segment_model_history": SEGMENT_MODEL_SCHEMA,
    "segment_model_features": FEATURE_SCHEMA,
    "segment_runs": RUNS_SCHEMA,
    "elbow_curve": ELBOW_SCHEMA,
}


@pytest.fixture(scope="module")
def manifest(demo_run):
    return json.loads((demo_run.target_dir / "manifest.json").read_text())


@pytest.mark.parametrize("mart", sorted(PUBLISHED))
def test_each_contract_has_the_schema_columns_and_types(manifest, mart):
    columns = manifest["nodes"][f"model.customer_segmentation.{mart}"]["columns"]
    schema = PUBLISHED[mart]
    assert [(c["name"], c["data_type"]) for c in columns.values()] == [
        (field.name, CONTRACT_TYPES[field.type]) for field in schema
    ]


@pytest.mark.parametrize(
    "table",
    ["segment_model_history", "segment_model_features", "segment_runs", "elbow_curve"],
)
def test_the_last_publish_source_reads_back_the_schema_columns(manifest, table):
    source = manifest["sources"][f"source.customer_segmentation.last_publish.{table}"]
    assert list(source["columns"]) == PUBLISHED[table].names


def test_the_sql_uses_the_settings_constants(manifest):
    """Lists and limits SQL needs are written once in segment_model/settings.py;
    where SQL or YAML must repeat one, this ties it to its home."""
    macros = manifest["macros"]
    slots = macros["macro.customer_segmentation.model_slots"]["macro_sql"]
    assert re.search(r"max_k=(\d+)", slots).group(1) == str(MAX_K)
    [gate] = [
        node
        for node in manifest["nodes"].values()
        if node.get("test_metadata", {}).get("name") == "enough_customers_to_cluster"
    ]
    assert gate["test_metadata"]["kwargs"]["minimum"] == MIN_CUSTOMERS
