"""`make run` on the embedded demo data: dbt's tests pass, everything is published."""

import csv
import json
import shutil
import subprocess
from pathlib import Path

import duckdb
from pipeline_runs import DEMO_FILE, PRODUCT_MARTS, REPO, pipeline_env

from customer_segmentation.running.progress import STAGES


def demo_file_rows() -> list[list[str]]:
    with DEMO_FILE.open(newline="", encoding="utf-8") as handle:
        return list(csv.reader(handle))[1:]


def test_prints_the_segment_table_and_where_outputs_are(demo_run):
    segments = demo_run.query("select cluster_id, segment_name from cluster_summary")
    assert "Segments: k = 5 (chosen by knee)" in demo_run.stdout
    for cluster_id, name in segments:
        assert any(
            line.split()[0] == str(cluster_id) and name in line
            for line in demo_run.stdout.splitlines()
            if line.strip()
        ), f"segment {cluster_id} {name} missing from the printed table"
    assert f"Published to {demo_run.publish_dir}" in demo_run.stdout


def test_dbt_ran_every_data_test_and_all_passed(demo_run):
    results = json.loads((demo_run.target_dir / "run_results.json").read_text())
    by_kind: dict[str, list[str]] = {}
    for result in results["results"]:
        kind = result["unique_id"].split(".")[0]
        by_kind.setdefault(kind, []).append(result["status"])
    # unit tests test the SQL, not the data: the suite runs them (below)
    assert "unit_test" not in by_kind
    tests = {r["unique_id"].split(".")[2] for r in results["results"]}
    # the gates, the one key test of the customer table, a reject reason check
    for expected in (
        "reject_share_within_threshold_int_customer_rows_checked",
        "enough_customers_to_cluster_int_customers_featurized",
        "unique_customer_segments_customer_id",
        "relationships_rejected_customers_reject_reason",
    ):
        assert any(t.startswith(expected) for t in tests), (expected, sorted(tests))
    assert set(by_kind["test"]) == {"pass"}
    assert set(by_kind["model"]) == {"success"}
    singular = {
        r["unique_id"].split(".")[-1]
        for r in results["results"]
        if r["unique_id"].startswith("test.customer_segmentation.assert_")
    }
    assert singular == {
        "assert_every_input_row_is_accounted_for",
        "assert_cluster_sizes_sum_to_clean_customers",
        "assert_drift_within_threshold",
    }


def test_every_published_model_is_a_parquet_file_and_a_serving_table(demo_run):
    with duckdb.connect(str(demo_run.serving), read_only=True) as con:
        tables = {
            name
            for (name,) in con.sql("select table_name from duckdb_tables()").fetchall()
        }
        views = con.sql(
            "select count(*) from duckdb_views() where not internal"
        ).fetchone()
        for model in demo_run.published_tables:
            parquet = demo_run.publish_dir / f"{model}.parquet"
            from_parquet = con.sql(
                f"select * from read_parquet('{parquet}') order by all"
            ).fetchall()
            from_table = con.sql(f"select * from {model} order by all").fetchall()
            assert from_parquet == from_table, model
    assert tables == set(demo_run.published_tables)
    assert set(PRODUCT_MARTS) <= tables
    assert views == (0,)


def test_bad_rows_are_rejected_with_their_reason(demo_run):
    rejected = demo_run.query(
        "select age, annual_income_k, spending_score, customer_id, reject_reason"
        " from rejected_customers"
    )
    reasons = {
        (age, income, score, cid): reason
        for age, income, score, cid, reason in rejected
    }
    assert reasons == {
        (None, "54", "48", "204"): "missing_age",
        ("forty", "57", "50", "205"): "non_numeric_age",
        ("29", "-5", "52", "206"): "negative_annual_income",
        ("38", "62", "150", "207"): "spending_score_out_of_range",
        ("27", "59", "45", None): "missing_customer_id",
    }


def test_gender_spellings_are_normalised_and_blanks_kept_as_unknown(demo_run):
    genders = dict(
        demo_run.query(
            "select customer_id, gender from customer_segments"
            " where customer_id in ('201', '202', '203')"
        )
    )
    assert genders == {"201": "Female", "202": "Male", "203": "Unknown"}


def test_every_input_row_is_accounted_for(demo_run):
    input_rows = len(demo_file_rows())
    distinct_rows = len({tuple(row) for row in demo_file_rows()})
    clean = demo_run.query("select count(*) from customer_segments")[0][0]
    rejected = demo_run.query("select count(*) from rejected_customers")[0][0]
    duplicates = input_rows - distinct_rows
    assert duplicates == 1
    assert input_rows == clean + duplicates + rejected
    assert (
        f"Rows read: {input_rows} = {clean} customers segmented + {duplicates} "
        f"repeated rows removed + {rejected} rejected"
    ) in demo_run.stdout


def test_the_readme_shows_the_segment_table_the_demo_prints(demo_run):
    printed = demo_run.stdout.split("Segments: ", 1)[1].split("\n\n", 1)[0]
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    assert "Segments: " + printed in readme, "update the table in README.md"


def test_cluster_ids_are_ordered_by_centroid_income_then_spend(demo_run):
    centroids = demo_run.query(
        "select cluster_id, avg_annual_income_k, avg_spending_score"
        " from cluster_summary order by cluster_id"
    )
    assert [cid for cid, _, _ in centroids] == list(range(1, len(centroids) + 1))
    incomes = [income for _, income, _ in centroids]
    # K-Means centroids are the cluster means, so their order is the id order
    # whenever incomes differ; equal incomes would fall back to spending.
    assert incomes == sorted(incomes)


def test_load_audit_has_a_column_for_every_reject_reason(demo_run):
    with (REPO / "seeds" / "reject_reasons.csv").open(newline="") as handle:
        reasons = [row["reject_reason"] for row in csv.DictReader(handle)]
    with duckdb.connect(str(demo_run.serving), read_only=True) as con:
        columns = [
            name
            for (name,) in con.sql(
                "select column_name from duckdb_columns()"
                " where table_name = 'load_audit' and column_name like '%\\_rows'"
                " escape '\\' order by column_index"
            ).fetchall()
        ]
    per_reason = [c.removesuffix("_rows") for c in columns]
    for total in ("input", "rejected"):
        per_reason.remove(total)
    assert per_reason == reasons


def dbt_test(workdir: Path, select: str, kind: str) -> tuple[str, int, dict]:
    """`dbt test --select` in workdir/target: output, exit code, status per node."""
    dbt = str(REPO / ".venv" / "bin" / "dbt")
    result = subprocess.run(
        [dbt, "test", "--select", select],
        cwd=REPO,
        env=pipeline_env(workdir, None, None, workdir / "publish"),
        capture_output=True,
        text=True,
        check=False,
    )
    results = json.loads((workdir / "target" / "run_results.json").read_text())
    statuses = {
        r["unique_id"].split(".")[-1]: r["status"]
        for r in results["results"]
        if r["unique_id"].startswith(f"{kind}.")
    }
    return result.stdout, result.returncode, statuses


def test_every_dbt_unit_test_passes(demo_run, tmp_path):
    """The SQL edge cases: cleaning rules, number parsing, ids, ties, bands."""
    shutil.copytree(demo_run.target_dir, tmp_path / "target")

    output, returncode, statuses = dbt_test(tmp_path, "test_type:unit", "unit_test")

    assert set(statuses.values()) == {"pass"}, output
    assert {
        "test_each_cleaning_rule_rejects_its_row_with_its_code",
        "test_numbers_are_read_as_written_or_left_empty",
        "test_whole_number_ids_are_one_customer_whatever_their_zeros",
        "test_an_id_that_is_not_a_whole_number_keeps_every_id_as_written",
        "test_a_customer_equally_near_two_centroids_goes_to_the_lower_id",
        "test_age_band_edges_fall_in_the_lower_band",
        "test_income_to_spend_ratio_is_income_over_score",
        "test_segment_descriptions_place_each_segment_against_everyone",
        "test_transaction_rows_are_flagged_and_rejected_by_rule",
        "test_rfm_pins_recency_frequency_and_monetary",
        "test_rfm_as_of_defaults_to_the_day_after_the_last_purchase",
        "test_rfm_as_of_override_sets_the_date_and_drops_later_purchases",
        "test_rfm_as_of_override_is_the_var",
        "test_tied_values_at_a_score_edge_share_the_score",
        "test_ntile_breaks_ties_by_value_never_by_id",
        "test_the_seed_names_the_cells_of_the_common_rfm_grid",
    } <= statuses.keys()
    assert returncode == 0


def test_the_accounting_test_fails_when_a_row_goes_missing(demo_run, tmp_path):
    """The file is counted as read, so a row lost after it must fail dbt's test."""
    shutil.copytree(demo_run.target_dir, tmp_path / "target")
    with duckdb.connect(str(tmp_path / "target" / "warehouse.duckdb")) as con:
        con.execute(
            "delete from rejected_customers where source_row_number ="
            " (select min(source_row_number) from rejected_customers)"
        )

    output, returncode, statuses = dbt_test(
        tmp_path, "assert_every_input_row_is_accounted_for", "test"
    )

    assert statuses == {"assert_every_input_row_is_accounted_for": "fail"}, output
    assert returncode != 0


def test_every_stage_says_when_it_starts_and_ends_in_a_log(demo_run):
    """Not a terminal: one plain line as each stage starts, one as it ends."""
    lines = [line for line in demo_run.stdout.splitlines() if line.startswith("[")]
    said = [line.split("] ", 1)[1] for line in lines]
    for number, title in enumerate(STAGES.values(), start=1):
        assert f"{number}/{len(STAGES)} {title} ..." in said
        assert any(
            s.startswith(f"{number}/{len(STAGES)} {title}: done in ") for s in said
        )
    assert any(s.endswith("dbt nodes") and "3/5" in s for s in said)
    assert any(s.endswith("tables") and "4/5" in s for s in said)
