"""dbt docs: complete descriptions, lineage to the dashboards, comments in the
serving database, and a site that renders."""

import re
from collections import deque
from pathlib import Path

import duckdb
import pytest
from browser import OUTPUT_DIR, render

from customer_segmentation.segment_model.features import KNOWN_FEATURES
from customer_segmentation.segment_model.schemas import FEATURE_VALUE_COLUMNS

SOURCE = "source.customer_segmentation.customer_file.customers"
EXPOSURES = (
    "exposure.customer_segmentation.power_bi_segments_report",
    "exposure.customer_segmentation.html_dashboard",
)


@pytest.fixture(scope="module")
def docs(docs_target):
    return docs_target


def test_docs_generate_succeeds_without_warnings(docs):
    result = docs["result"]
    assert result.returncode == 0, result.stdout + result.stderr
    assert not re.search(r"\[WARNING\]|\bwarning\b", result.stdout, re.IGNORECASE), (
        result.stdout
    )


def documented_nodes(manifest):
    for unique_id, node in manifest["nodes"].items():
        if node["resource_type"] in {"model", "seed"}:
            yield unique_id, node
    yield from manifest["sources"].items()


def test_every_model_seed_source_and_column_is_described(docs):
    gaps = []
    for unique_id, node in documented_nodes(docs["manifest"]):
        if not node["description"].strip():
            gaps.append(f"{unique_id}: no description")
        for name, column in node["columns"].items():
            if not column["description"].strip():
                gaps.append(f"{unique_id}.{name}: no description")
    assert gaps == [], "\n".join(gaps)


# Columns a declared clustering feature adds (int_customers_featurized has
# each feature, int_segment_model_selected four per feature): described once, in the
# segment_features var of dbt_project.yml, which the models' YAML points to.
FEATURE_COLUMNS = {name.lower() for name in KNOWN_FEATURES + FEATURE_VALUE_COLUMNS}


LAST_PUBLISH = (
    "source.customer_segmentation.last_publish.",
    "model.customer_segmentation.stg_last_publish__",
)


def columns_from(unique_id: str, node: dict) -> str | None:
    """The mart whose contract documents a node's columns: the one its
    ``columns_from`` meta names, or for the saved history (the last_publish
    source and its staging) the mart it is named after."""
    named = node.get("config", {}).get("meta", {}).get("columns_from")
    for prefix in LAST_PUBLISH:
        if unique_id.startswith(prefix) and not node["columns"]:
            named = unique_id.removeprefix(prefix)
    return named and f"model.customer_segmentation.{named}"


def yaml_columns(nodes: dict, unique_id: str) -> set[str]:
    """A node's documented columns, with those of the contract it points to."""
    node = nodes[unique_id]
    columns = set(node["columns"])
    mart = columns_from(unique_id, node)
    if mart:
        columns |= set(nodes[mart]["columns"])
    return {name.lower() for name in columns}


def test_every_catalog_column_is_in_the_yaml(docs):
    gaps = []
    catalog = {**docs["catalog"]["nodes"], **docs["catalog"]["sources"]}
    nodes = dict(documented_nodes(docs["manifest"]))
    for unique_id, entry in catalog.items():
        if unique_id not in nodes:
            continue
        in_yaml = yaml_columns(nodes, unique_id)
        for name in entry["columns"]:
            if name.lower() not in in_yaml | FEATURE_COLUMNS:
                gaps.append(f"{unique_id}.{name}: in the warehouse, not in the YAML")
    # an ephemeral model is no relation of the warehouse: nothing to catalog
    models = [
        u
        for u, n in nodes.items()
        if n.get("resource_type") == "model"
        and n["config"]["materialized"] != "ephemeral"
    ]
    assert set(models) <= set(catalog), "every model should be in the catalog"
    assert gaps == [], "\n".join(gaps)


def test_lineage_runs_from_the_raw_file_to_both_dashboards(docs):
    children = docs["manifest"]["child_map"]
    reached, queue = {SOURCE}, deque([SOURCE])
    while queue:
        for child in children.get(queue.popleft(), []):
            if child not in reached:
                reached.add(child)
                queue.append(child)
    for exposure in EXPOSURES:
        assert exposure in reached, f"no path from {SOURCE} to {exposure}"
    assert "model.customer_segmentation.int_segment_model_selected" in reached
    assert "model.customer_segmentation.int_customers_scored" in reached


STEP_TAGS = {
    "raw",
    "staging",
    "cleaning",
    "rfm",
    "clv",
    "clustering",
    "scoring",
    "marts",
}


def test_every_node_is_tagged_with_its_step(docs):
    untagged = [
        f"{unique_id}: {sorted(STEP_TAGS & set(node['tags'])) or 'no step tag'}"
        for unique_id, node in documented_nodes(docs["manifest"])
        if len(STEP_TAGS & set(node["tags"])) != 1
    ]
    assert untagged == [], "\n".join(untagged)


def test_the_serving_database_carries_comments(demo_run):
    with duckdb.connect(str(demo_run.serving), read_only=True) as con:
        tables = con.sql("select table_name, comment from duckdb_tables()").fetchall()
        columns = con.sql(
            "select table_name, column_name, comment from duckdb_columns()"
            " where database_name = current_database()"
        ).fetchall()
    assert len(tables) >= 8
    assert [t for t, comment in tables if not (comment or "").strip()] == []
    assert [(t, c) for t, c, comment in columns if not (comment or "").strip()] == []


def test_the_docs_site_renders_with_the_overview(docs):
    screenshot = OUTPUT_DIR / "dbt_docs_overview.png"
    dom = render(Path(docs["site"]), screenshot=screenshot)
    text = re.sub(r"<[^>]+>", " ", dom)
    assert "Customer segmentation for Power BI" in text
    assert "Run it on your own file" in text
    assert screenshot.stat().st_size > 10_000
    print(f"\nscreenshot: {screenshot}")


# The nodes outside staging that may read a source, and why: docs/conventions.md.
READ_A_SOURCE_OUTSIDE_STAGING = {
    "model.customer_segmentation.load_audit",
    "model.customer_segmentation.rejected_customers",
    "model.customer_segmentation.rejected_transactions",
    "model.customer_segmentation.transaction_audit",
    "test.customer_segmentation.assert_every_input_row_is_accounted_for",
}


def test_only_staging_reads_sources_but_the_documented_few(docs):
    readers = {
        unique_id
        for unique_id, node in docs["manifest"]["nodes"].items()
        if "staging" not in node["fqn"]
        and any(d.startswith("source.") for d in node["depends_on"].get("nodes", []))
    }
    assert readers == READ_A_SOURCE_OUTSIDE_STAGING
