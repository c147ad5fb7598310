"""Each table Python writes and reads back has its columns written once, in
its mart's contract: the Arrow schemas are read from the contracts, and the
SQL that reads the saved history back selects the contract's columns."""

import json
import re

import pyarrow.parquet as pq
import pytest

from customer_segmentation.segment_model.schemas import (
    ELBOW_SCHEMA,
    FEATURE_SCHEMA,
    RUNS_SCHEMA,
    SEGMENT_MODEL_SCHEMA,
)
from customer_segmentation.segment_model.settings import MAX_K, MIN_CUSTOMERS

# mart -> the schema Python writes it with and reads it back as
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
def test_the_published_file_has_the_schema_python_reads_it_with(demo_run, mart):
    """The contract's types, as Python maps them, are the types DuckDB
    publishes: a run reads its own files back without a cast."""
    published = pq.read_schema(demo_run.publish_dir / f"{mart}.parquet")
    assert [(f.name, f.type) for f in published] == [
        (f.name, f.type) for f in PUBLISHED[mart]
    ]


@pytest.mark.parametrize(
    "table",
    ["segment_model_history", "segment_model_features", "segment_runs", "elbow_curve"],
)
def test_the_saved_history_is_read_back_with_the_contract_columns(manifest, table):
    node = manifest["nodes"][f"model.customer_segmentation.stg_last_publish__{table}"]
    selected = re.search(r"select\s+(.*?)\s+from", node["compiled_code"], re.S)
    columns = [name.strip() for name in selected.group(1).split(",")]
    assert columns == PUBLISHED[table].names


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
