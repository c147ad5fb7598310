"""Issue 36: the DirectQuery models stay small whatever the customer count.

Two runs of generated data, 1,000 and 100,000 customers with their
purchases (15 order lines each on average), with k fixed (the elbow may pick
another k on other data, which changes the per-segment tables for a reason
that is not their size) and a holdout, so that every imported table has rows.
Every table the DuckDB DirectQuery and Databricks models import must hold
the same number of rows after both: a row per segment, band, run or model
parameter, never per customer or per input row.
"""

from __future__ import annotations

import pytest
from pipeline_runs import REPO, PipelineRun, require_success, run_pipeline
from tmdl_parser import TmdlParser

from customer_segmentation.inputs.demo_transactions import write_large
from customer_segmentation.inputs.synthetic import write_customers
from customer_segmentation.powerbi.semantic_model import DATABRICKS, DIRECT_QUERY

SIZES = (1_000, 100_000)
VARS = "{k: 5, clv_calibration_end: '2026-03-31'}"
ROW_GRAIN = {"customer_id", "source_row_number"}


def generated_run(folder, customers: int) -> PipelineRun:
    folder.mkdir(parents=True)
    people = write_customers(folder / "customers.csv", customers)
    purchases = folder / "transactions.csv"
    write_large(purchases, customers)
    return require_success(
        run_pipeline(folder / "work", people, VARS, transactions=purchases)
    )


@pytest.fixture(scope="module")
def runs(tmp_path_factory) -> dict[int, PipelineRun]:
    base = tmp_path_factory.mktemp("scale")
    return {size: generated_run(base / str(size), size) for size in SIZES}


def imported_tables(mode) -> dict[str, set[str]]:
    """Each import-mode table of a project's model, with its columns, read
    from the committed TMDL."""
    found = {}
    folder = REPO / "powerbi" / f"{mode.project}.SemanticModel" / "definition"
    for path in sorted((folder / "tables").glob("*.tmdl")):
        table = TmdlParser(str(path)).parse()
        (partition,) = table["partitions"]
        if partition["mode"] == "import":
            found[table["name"]] = {c["name"] for c in table["columns"]}
    return found


@pytest.mark.parametrize("mode", [DIRECT_QUERY, DATABRICKS], ids=lambda m: m.project)
def test_every_imported_table_has_as_many_rows_at_100_times_the_customers(runs, mode):
    imported = imported_tables(mode)
    assert "segment_cube" in imported and "clv_model" in imported
    small, large = (runs[size] for size in SIZES)
    counts = {
        table: tuple(
            run.query(f"select count(*) from {table}")[0][0] for run in (small, large)
        )
        for table in imported
    }
    print(f"{mode.project}: rows at {SIZES[0]:,} and {SIZES[1]:,} customers: {counts}")
    assert (
        small.query("select count(*) from customer_segments")[0][0],
        large.query("select count(*) from customer_segments")[0][0],
    ) == SIZES
    for table, columns in imported.items():
        assert not columns & ROW_GRAIN, table
        assert counts[table][0] == counts[table][1], (table, counts[table])
    # the tables that follow the data are the ones left in the warehouse
    assert (
        small.query("select count(*) from customer_rfm")[0][0]
        < (large.query("select count(*) from customer_rfm")[0][0])
    )
