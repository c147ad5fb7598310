"""Fatal input and bad settings: exit 1, one clear message, publish/ untouched."""

import csv
import hashlib
import os
import shutil
import signal
from pathlib import Path

import pytest
from customer_files import read_rows, write_csv
from pipeline_runs import DEMO_FILE, run_pipeline, snapshot, start_pipeline

HEADER = "CustomerID,Gender,Age,Annual Income (k$),Spending Score (1-100)\n"


@pytest.fixture
def published(demo_run, tmp_path) -> Path:
    """A publish folder holding a previous good run."""
    folder = tmp_path / "publish"
    shutil.copytree(demo_run.publish_dir, folder)
    return folder


def customers(valid: int, invalid: int) -> str:
    good = [f"{i},Female,{20 + i},{15 + i},{40 + i}\n" for i in range(1, valid + 1)]
    bad = [f"{100 + i},Male,old,20,50\n" for i in range(invalid)]
    return HEADER + "".join(good + bad)


# name -> (file name, file content or None for no file, dbt vars, message)
FATAL_INPUT = {
    "missing_file": ("absent.csv", None, None, "absent.csv: no such file"),
    "unsupported_type": (
        "customers.xlsx",
        "x",
        None,
        "customers.xlsx: unsupported type '.xlsx'; use one of .csv, .parquet",
    ),
    "empty_file": ("empty.csv", "", None, "empty.csv: is empty, not even a header"),
    "no_data_rows": (
        "header.csv",
        HEADER,
        None,
        "header.csv: no data rows, only a header",
    ),
    "unreadable": (
        "broken.parquet",
        "not parquet",
        None,
        "broken.parquet: cannot be read",
    ),
    "missing_column": (
        "no_age.csv",
        "CustomerID,Gender,Income,Score,Region\n1,Male,15,39,north\n",
        None,
        "no_age.csv: required column 'age' not found (accepted headers: age, "
        "ageyears); headers found: CustomerID, Gender, Income, Score, Region",
    ),
    "too_many_rejects": (
        "mostly_bad.csv",
        customers(valid=6, invalid=4),
        None,
        "mostly_bad.csv: 4 of 10 rows rejected (40%), more than the 20% allowed "
        "(var max_reject_share); reasons: non_numeric_age 4",
    ),
    "no_valid_rows": (
        "all_bad.csv",
        customers(valid=0, invalid=4),
        "{max_reject_share: 1}",
        "all_bad.csv: no valid rows left, all 4 rows were rejected; "
        "reasons: non_numeric_age 4",
    ),
    "latin_1": (
        "latin1.csv",
        (HEADER + "1,Fémale,20,15,40\n").encode("latin-1"),
        None,
        "This file is not utf-8 encoded. Save it as UTF-8",
    ),
    "utf_16": (
        "utf16.csv",
        (HEADER + "1,Male,20,15,40\n").encode("utf-16"),
        None,
        "utf16.csv: is UTF-16 text; save it as UTF-8",
    ),
    "ten_megabyte_field": (
        "huge.csv",
        HEADER + "1,Male,20,15,40\n2," + "x" * 10_000_000 + ",20,15,40\n",
        None,
        "Maximum line size of 2000000 bytes exceeded",
    ),
    # issue 34: ran out of memory with a message that blamed the file's size
    "too_wide": (
        "wide.csv",
        HEADER.rstrip("\n")
        + "".join(f",extra{i}" for i in range(1_000))
        + "\n"
        + customers(valid=10, invalid=0).removeprefix(HEADER),
        None,
        "wide.csv: is too wide to read: 1,005 columns, more than the 1,000",
    ),
    "fewer_customers_than_k": (
        "four.csv",
        customers(valid=4, invalid=0),
        "{k: 5}",
        "four.csv: 4 valid customers, fewer than the 5 the clustering needs",
    ),
}

BAD_SETTINGS = {
    "k_not_a_number": (
        "{k: many}",
        "var k='many' is not a whole number; it accepts 2..30",
    ),
    "k_out_of_range": ("{k: 99}", "var k=99 is out of range; it accepts 2..30"),
    "unknown_feature": (
        "{cluster_features: 'height,age'}",
        "var cluster_features='height,age' is not usable",
    ),
    "threshold_out_of_range": (
        "{max_reject_share: 2}",
        "var max_reject_share='2' is not usable; it accepts a number from 0.0 to 1.0",
    ),
    "unknown_var": ("{K: 4}", "unknown var 'K'"),
    "behaviour_without_transactions": (
        "{cluster_features: 'log_recency_days,log_frequency'}",
        "uses purchase behaviour, which needs a transactions file",
    ),
    "rfm_as_of_not_a_date": ("{rfm_as_of: yesterday}", "var rfm_as_of='yesterday'"),
    # issue 34: YAML's own date reading failed without naming the var
    "no_such_day": (
        "{clv_calibration_end: 2024-02-30}",
        "var clv_calibration_end='2024-02-30' is not a date",
    ),
    "date_before_1900": (
        "{rfm_as_of: 1850-03-31}",
        "var rfm_as_of='1850-03-31' is before 1900",
    ),
    "not_a_mapping": ("k=4", "SEGMENTS_VARS must be a mapping"),
}


def assert_failed_cleanly(run, message: str, published: Path, before) -> None:
    assert run.returncode == 1
    assert message in run.stderr
    assert (
        run.stderr.startswith("segments: error: ")
        or "\nsegments: error: " in run.stderr
    )
    assert "Traceback" not in run.stdout + run.stderr
    assert len(run.stderr.strip().splitlines()) == 1, run.stderr
    assert "\x00" not in run.stderr
    assert snapshot(published) == before


@pytest.mark.parametrize("case", sorted(FATAL_INPUT))
def test_fatal_input(case, published, tmp_path):
    name, content, dbt_vars, message = FATAL_INPUT[case]
    path = tmp_path / name
    if isinstance(content, bytes):
        path.write_bytes(content)
    elif content is not None:
        path.write_text(content)
    before = snapshot(published)

    run = run_pipeline(tmp_path / "run", path, dbt_vars, publish_dir=published)

    assert_failed_cleanly(run, message, published, before)
    assert f"input file {path}" in run.stderr
    if case in DUCKDB_REASONS:
        # DuckDB's whole message, advice included, is kept in the log
        log = tmp_path / "run" / "target" / "segments.log"
        assert f"(full detail in {log})" in run.stderr
        assert DUCKDB_REASONS[case] in log.read_text()


# Cases whose line condenses a DuckDB error -> text only the full error has.
DUCKDB_REASONS = {
    "unreadable": "duckdb",
    "latin_1": "Possible Solution",
    "ten_megabyte_field": "max_line_size",
}


@pytest.mark.parametrize("case", sorted(BAD_SETTINGS))
def test_bad_setting_stops_before_any_sql(case, published, tmp_path):
    dbt_vars, message = BAD_SETTINGS[case]
    before = snapshot(published)

    run = run_pipeline(tmp_path / "run", None, dbt_vars, publish_dir=published)

    assert_failed_cleanly(run, message, published, before)
    assert not (tmp_path / "run" / "target").exists(), "dbt must not have started"


def test_a_run_killed_during_clustering_leaves_publish_untouched(published, tmp_path):
    header, rows = read_rows(DEMO_FILE)
    path = write_csv(tmp_path / "customers.csv", header, rows)
    before = snapshot(published)

    process = start_pipeline(tmp_path / "run", path, publish_dir=published)
    seen = []
    for line in process.stdout:
        seen.append(line)
        if "START python table model" in line and "int_k_candidates_scored" in line:
            os.killpg(process.pid, signal.SIGKILL)
            break
    process.wait(timeout=60)

    assert any("int_k_candidates_scored" in line for line in seen), "".join(seen)
    assert process.returncode == -signal.SIGKILL
    assert snapshot(published) == before
    # Only the lock file is left: a killed run cannot remove it, and the
    # next run takes it over (the kernel released the lock with the process).
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".publish")] == [
        ".publish.lock"
    ]


def test_a_bad_transactions_file_names_itself_and_publishes_nothing(
    published, tmp_path
):
    """A transactions file without a date column: one line naming the file
    and the headers found, nothing published, dbt never started."""
    path = tmp_path / "transactions.csv"
    path.write_text("Customer ID,Amount\n1,10.00\n")
    before = snapshot(published)

    run = run_pipeline(tmp_path / "run", None, publish_dir=published, transactions=path)

    assert_failed_cleanly(
        run,
        f"transactions file {path}: required column 'purchase_date' not found",
        published,
        before,
    )
    assert "headers found: Customer ID, Amount" in run.stderr
    assert not (tmp_path / "run" / "target" / "run_results.json").exists()


def test_kept_rejected_rows_hold_no_spreadsheet_formula(published, tmp_path):
    # issue 34: =HYPERLINK(...) and =cmd|... cells were kept as they came
    # and ran when the kept file was opened in a spreadsheet
    formulas = ['=HYPERLINK("http://x","y")', "=cmd|' /C calc'!A0", "+1+1", "@SUM(A1)"]
    rows = [
        f'{100 + i},Male,"{f.replace(chr(34), chr(34) * 2)}",20,50\n'
        for i, f in enumerate(formulas)
    ]
    path = tmp_path / "formulas.csv"
    path.write_text(
        customers(valid=6, invalid=0) + "".join(rows) + "7,\t=1+2,30,-5,50\n"
    )
    digest = hashlib.sha256(path.read_bytes()).hexdigest()

    run = run_pipeline(tmp_path / "run", path, None, publish_dir=published)

    assert run.returncode == 1 and "rejected_customers.csv" in run.stderr
    kept = tmp_path / "run" / "target" / "rejected_customers.csv"
    with kept.open(newline="", encoding="utf-8") as handle:
        cells = [cell for row in csv.DictReader(handle) for cell in row.values()]
    assert {f"'{f}" for f in formulas} <= set(cells)
    assert "'=1+2" in cells and "'-5" in cells  # raw values are trimmed
    assert not [c for c in cells if c[:1] in ("=", "+", "-", "@", "\t", "\r")]
    assert hashlib.sha256(path.read_bytes()).hexdigest() == digest
