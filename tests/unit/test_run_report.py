import json

from customer_segmentation.run_report import drift_warning, explain_failure


def write_results(target, *results):
    target.mkdir(exist_ok=True)
    (target / "run_results.json").write_text(json.dumps({"results": list(results)}))


def explain(target, tmp_path):
    return explain_failure(target, tmp_path / "w.duckdb", "big.csv", 0.2, 3)


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
