"""Every file format and header spelling gives the same segments as the plain file."""

import pytest
from customer_files import read_rows, write_csv, write_parquet
from pipeline_runs import PipelineRun, require_success, run_pipeline


def segment_of_each_customer(run: PipelineRun) -> dict[str, tuple[int, str]]:
    rows = run.query(
        "select customer_id, cluster_id, segment_name from customer_segments"
    )
    return {customer: (cluster, name) for customer, cluster, name in rows}


FORMATS = {
    "semicolon": {"delimiter": ";"},
    "crlf": {"line_ending": "\r\n"},
    "utf8_bom": {"bom": True},
    "quoted_fields": {"quote_all": True},
}


@pytest.mark.parametrize("variant", sorted(FORMATS))
def test_csv_format(variant, baseline_file, baseline_run, tmp_path):
    header, rows = read_rows(baseline_file)
    path = write_csv(tmp_path / f"{variant}.csv", header, rows, **FORMATS[variant])

    run = require_success(run_pipeline(tmp_path / "run", path))

    assert segment_of_each_customer(run) == segment_of_each_customer(baseline_run)


def test_parquet(baseline_file, baseline_run, tmp_path):
    header, rows = read_rows(baseline_file)
    path = write_parquet(tmp_path / "customers.parquet", header, rows)

    run = require_success(run_pipeline(tmp_path / "run", path))

    assert segment_of_each_customer(run) == segment_of_each_customer(baseline_run)


# Each variant renames several columns at once; every alias on its own is
# covered by tests/unit/test_ingest.py.
HEADERS = {
    "genre_annualincome_spendingscore_customer_id": [
        "customer_id",
        "Genre",
        "AGE",
        "AnnualIncome",
        "SpendingScore",
    ],
    "sex_thousands_score_id": [
        "id",
        "Sex",
        " age ",
        "annual_income_thousands",
        "score",
    ],
    "income_without_unit_and_extra_columns": [
        "CustomerID",
        "gender",
        "Age",
        "income",
        "Spending Score (1-100)",
    ],
}


@pytest.mark.parametrize("variant", sorted(HEADERS))
def test_header_variant(variant, baseline_file, baseline_run, tmp_path):
    _, rows = read_rows(baseline_file)
    header = HEADERS[variant]
    if variant == "income_without_unit_and_extra_columns":
        header = [*header, "Region", "Loyalty Tier"]
        rows = [[*row, "north", "gold"] for row in rows]
    path = write_csv(tmp_path / f"{variant}.csv", header, rows)

    run = require_success(run_pipeline(tmp_path / "run", path))

    assert segment_of_each_customer(run) == segment_of_each_customer(baseline_run)
    if variant == "income_without_unit_and_extra_columns":
        assert "ignored extra columns: Region, Loyalty Tier" in run.stdout


def test_zero_padded_numeric_ids_are_the_same_customers(
    baseline_file, baseline_run, tmp_path
):
    header, rows = read_rows(baseline_file)
    padded = [[row[0].zfill(6), *row[1:]] for row in rows]
    path = write_csv(tmp_path / "padded.csv", header, padded)

    run = require_success(run_pipeline(tmp_path / "run", path))

    assert segment_of_each_customer(run) == segment_of_each_customer(baseline_run)


def test_file_names_are_data_not_sql(baseline_file, baseline_run, tmp_path):
    header, rows = read_rows(baseline_file)
    folder = tmp_path / "exports; drop table main.customer_segments; --"
    folder.mkdir()
    path = write_csv(folder / "it's $name {x}; select 1.csv", header, rows)

    run = require_success(run_pipeline(tmp_path / "run", path))

    assert segment_of_each_customer(run) == segment_of_each_customer(baseline_run)
    assert run.query("select distinct source_file from load_audit") == [(str(path),)]


def test_a_header_in_lf_above_rows_in_crlf_reads_as_the_rows_they_are(
    baseline_file, baseline_run, tmp_path
):
    # issue 34: a header pasted onto a Windows export stopped the run with
    # DuckDB's "not possible to automatically detect the CSV parsing dialect"
    header, rows = read_rows(baseline_file)
    path = tmp_path / "pasted_header.csv"
    path.write_bytes(
        (",".join(header) + "\n" + "".join(",".join(r) + "\r\n" for r in rows)).encode()
    )

    run = require_success(run_pipeline(tmp_path / "run", path))

    assert segment_of_each_customer(run) == segment_of_each_customer(baseline_run)
