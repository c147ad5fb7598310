import json

import duckdb

from customer_segmentation.running.report import (
    RunInputs,
    drift_warning,
    explain_failure,
    model_line,
    unknown_gender_warning,
)

INPUTS = RunInputs("input file big.csv", "transactions file t.csv")


def write_results(target, *results, nodes=None):
    target.mkdir(exist_ok=True)
    (target / "run_results.json").write_text(json.dumps({"results": list(results)}))
    (target / "manifest.json").write_text(json.dumps({"nodes": nodes or {}}))


def explain(target, tmp_path, built=None):
    built = [] if built is None else built

    def build_model(model):
        built.append(model)
        return True

    return explain_failure(target, tmp_path / "w.duckdb", INPUTS, 0.2, 3, build_model)


def gate(name: str, test: str, model: str) -> dict:
    """A generic test node as dbt's manifest describes it."""
    return {
        f"test.customer_segmentation.{name}": {
            "test_metadata": {"name": test},
            "attached_node": f"model.customer_segmentation.{model}",
        }
    }


def test_the_transactions_reject_gate_names_the_transactions_file(tmp_path):
    # its node name starts like the customer gate's: only the manifest tells
    name = "reject_share_within_threshold_int_transaction_rows_checked_0_2"
    target = tmp_path / "target"
    write_results(
        target,
        {"unique_id": f"test.customer_segmentation.{name}", "status": "fail"},
        nodes=gate(
            name, "reject_share_within_threshold", "int_transaction_rows_checked"
        ),
    )
    with duckdb.connect(str(tmp_path / "w.duckdb")) as con:
        con.execute(
            "create table int_transaction_rows_checked as select * from (values"
            " (1, null), (2, 'non_numeric_amount'), (3, 'non_numeric_amount'))"
            " as t (source_row_number, reject_reason)"
        )
        # the mart the failure path builds with dbt (here already built)
        con.execute(
            "create table rejected_transactions as select"
            " source_row_number, reject_reason, 'c' as raw_customer_id,"
            " 'd' as raw_purchase_date, 'x' as raw_amount, null as raw_quantity,"
            " null as raw_unit_price from int_transaction_rows_checked"
            " where reject_reason is not null"
        )
    built = []

    message = explain(target, tmp_path, built)

    assert message.startswith(
        "transactions file t.csv: 2 of 3 rows rejected (67%), more than the 20%"
    )
    assert "non_numeric_amount 2" in message
    kept = target / "rejected_transactions.csv"
    assert f"the rejected rows and their reasons are in {kept}" in message
    assert built == ["rejected_transactions"]
    assert kept.read_text().splitlines()[1:] == [
        "2,non_numeric_amount,c,d,x,,",
        "3,non_numeric_amount,c,d,x,,",
    ]


def test_a_fit_error_is_shown_alone_naming_the_inputs(tmp_path):
    target = tmp_path / "target"
    write_results(
        target,
        {
            "unique_id": "model.customer_segmentation.int_k_candidates_scored",
            "status": "error",
            "message": "Python model failed:\nCannot segment: the 200 customers"
            " have only 1 different combination\n  File x",
        },
    )
    assert explain(target, tmp_path) == (
        "input file big.csv and transactions file t.csv: the 200 customers have"
        " only 1 different combination"
    )


def test_out_of_memory_names_the_setting_to_raise(tmp_path, monkeypatch):
    monkeypatch.delenv("SEGMENTS_DUCKDB_MEMORY", raising=False)
    target = tmp_path / "target"
    write_results(
        target,
        {
            "unique_id": "model.customer_segmentation.int_customer_rows_checked",
            "status": "error",
            "message": "Out of Memory Error: failed to pin block of size 256.0 KiB",
        },
    )
    message = explain(target, tmp_path)
    assert "int_customer_rows_checked" in message
    assert "DuckDB ran out of memory" in message
    assert "SEGMENTS_DUCKDB_MEMORY, now 1GB" in message


def test_other_failures_point_to_the_log(tmp_path):
    target = tmp_path / "target"
    write_results(
        target,
        {
            "unique_id": "model.customer_segmentation.x",
            "status": "error",
            "message": "boom",
        },
    )
    assert explain(target, tmp_path) == "dbt build failed at x (see the log above)"


def test_the_drift_warning_appears_only_when_the_test_warned(tmp_path):
    target = tmp_path / "target"
    drift = "test.customer_segmentation.assert_drift_within_threshold"
    write_results(target, {"unique_id": drift, "status": "pass"})
    assert drift_warning(target) is None
    write_results(target, {"unique_id": drift, "status": "warn"})
    assert "make refit" in drift_warning(target)


def test_a_run_without_a_drift_ratio_says_so_instead_of_failing(tmp_path):
    # every segment's customers on its centroid: no distance to compare with
    serving = tmp_path / "segments.duckdb"
    with duckdb.connect(str(serving)) as con:
        con.execute(
            "create table segment_runs as select 1 as run_id, 'fit' as model_mode,"
            " 'first fit' as model_mode_reason, 1 as model_run_id, 0 as outliers,"
            " 0 as customers_in_both_runs, 0 as customers_changed_segment,"
            " null::double as drift_ratio"
        )
        con.execute(
            "create table segment_model_history as select 1 as model_run_id,"
            " timestamp '2026-11-30 10:00' as fitted_at, 'active' as cluster_status"
        )
        con.execute("create table segment_model as select 1 as model_run_id")
    assert "drift ratio n/a" in model_line(serving)


def test_the_unknown_gender_warning_needs_no_staging_view(tmp_path):
    # a Spark run's DuckDB warehouse holds the copied marts, no staging view:
    # the warning is given without the spellings instead of failing the run
    serving = tmp_path / "segments.duckdb"
    with duckdb.connect(str(serving)) as con:
        con.execute(
            "create table customer_segments as select * from (values"
            " ('Unknown'), ('Unknown'), ('Female'), ('Male')) as t (gender)"
        )
    warehouse = tmp_path / "warehouse.duckdb"
    duckdb.connect(str(warehouse)).close()

    assert unknown_gender_warning(serving, warehouse) == (
        "Warning: 50% of customers (2 of 4) have gender Unknown. Add spellings "
        "to seeds/gender_spellings.csv to read them."
    )
