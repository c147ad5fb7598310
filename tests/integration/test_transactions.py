"""Segments from transactions: every row accounted for, revenue to the cent,
one named segment per customer, and the generator's groups recovered."""

from __future__ import annotations

import csv
import json
import re
import shutil
import subprocess
from collections import Counter
from datetime import date
from decimal import Decimal

import duckdb
import pytest
from pipeline_runs import (
    DEMO_FILE,
    DEMO_TRANSACTIONS,
    REPO,
    numbering_models,
    pipeline_env,
    require_success,
    run_pipeline,
)
from sklearn.metrics import adjusted_rand_score

from customer_segmentation.inputs.demo_transactions import demo_groups, demo_rows

AUDIT = """
select rows_read, rows_used, rows_anonymous, rows_rejected, rows_after_as_of,
       zero_amount_rows, return_rows, exact_duplicate_rows, amount_used,
       monetary_total, customers, amount_anonymous
from transaction_audit
"""


def readable_date(text: str) -> bool:
    """The layouts the README promises: ISO date, YYYYMMDD, ISO timestamp."""
    if re.fullmatch(r"[0-9]{8}", text):
        text = f"{text[:4]}-{text[4:6]}-{text[6:]}"
    elif not re.match(r"[0-9]{4}-[0-9]{2}-[0-9]{2}( |T|$)", text):
        return False
    try:
        date.fromisoformat(text[:10])
    except ValueError:
        return False
    return True


def readable(row: dict[str, str]) -> bool:
    """Python's own reading of the demo file, independent of the SQL."""
    amount = row["Amount"].strip()
    return (
        readable_date(row["Purchase Date"].strip())
        and re.fullmatch(r"-?[0-9]+(\.[0-9]{1,4})?", amount) is not None
    )


def usable(row: dict[str, str]) -> bool:
    """A readable line of a known customer; without one it is anonymous."""
    return readable(row) and bool(row["Customer ID"].strip())


def anonymous(row: dict[str, str]) -> bool:
    return readable(row) and not row["Customer ID"].strip()


def demo_file_rows() -> list[dict[str, str]]:
    with DEMO_TRANSACTIONS.open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def test_the_committed_demo_is_what_the_generator_writes():
    with DEMO_TRANSACTIONS.open(newline="", encoding="utf-8") as handle:
        _, *rows = list(csv.reader(handle))
    assert rows == demo_rows(), "run `make demo-data` after changing the generator"


def test_every_transaction_row_is_accounted_for(transactions_run):
    rows = demo_file_rows()
    (audit,) = transactions_run.query(AUDIT)
    read, used, anonymous_rows, rejected, after, zeros, returns, repeats, *_ = audit
    assert read == len(rows)
    assert used + anonymous_rows + rejected + after == read
    assert after == 0  # the default as-of date lies after every purchase
    assert anonymous_rows == sum(anonymous(r) for r in rows) == 1
    assert rejected == sum(not readable(r) for r in rows) == 4
    reasons = Counter(
        r
        for (r,) in transactions_run.query(
            "select reject_reason from rejected_transactions"
        )
    )
    assert reasons == {
        "unreadable_purchase_date": 1,
        "non_numeric_amount": 1,
        "missing_purchase_date": 1,
        "amount_too_precise": 1,
    }
    # each at its line of the file, found after the checks (which number none)
    lines = transactions_run.query(
        "select source_row_number from rejected_transactions order by 1"
    )
    assert [n for (n,) in lines] == [
        number for number, r in enumerate(rows, start=1) if not readable(r)
    ]
    assert "rejected_transactions" in numbering_models(transactions_run.target_dir)
    usable_rows = [r for r in rows if usable(r)]
    assert zeros == sum(Decimal(r["Amount"]) == 0 for r in usable_rows) >= 1
    assert returns == sum(Decimal(r["Amount"]) < 0 for r in usable_rows) >= 1
    seen = Counter(tuple(r.values()) for r in usable_rows)
    assert repeats == sum(n - 1 for n in seen.values()) >= 2


def test_revenue_reconciles_to_the_cent(transactions_run):
    expected = sum(Decimal(r["Amount"]) for r in demo_file_rows() if usable(r))
    (audit,) = transactions_run.query(AUDIT)
    amount_used, monetary_total, anonymous_amount = audit[8], audit[9], audit[11]
    assert anonymous_amount == sum(
        Decimal(r["Amount"]) for r in demo_file_rows() if anonymous(r)
    )
    ((published,),) = transactions_run.query("select sum(monetary) from customer_rfm")
    ((by_segment,),) = transactions_run.query(
        "select sum(revenue) from rfm_segment_summary"
    )
    assert amount_used == monetary_total == published == by_segment == expected


def test_every_customer_has_exactly_one_named_segment(transactions_run):
    buyers = {r["Customer ID"] for r in demo_file_rows() if usable(r)}
    rfm = transactions_run.query("select customer_id, rfm_segment from customer_rfm")
    assert sorted(c for c, _ in rfm) == sorted(buyers)
    with (REPO / "seeds" / "rfm_segments.csv").open(encoding="utf-8") as handle:
        names = {row["rfm_segment"] for row in csv.DictReader(handle)}
    assert all(segment in names for _, segment in rfm)
    ((grid_customers,),) = transactions_run.query("select sum(customers) from rfm_grid")
    assert grid_customers == len(buyers)
    segmented = transactions_run.query(
        "select customer_segments.rfm_segment = customer_rfm.rfm_segment"
        " from customer_segments join customer_rfm using (customer_id)"
    )
    assert len(segmented) == len(buyers) and all(same for (same,) in segmented)


def test_kmeans_on_behaviour_recovers_the_generator_groups(transactions_run):
    truth = demo_groups()
    assigned = transactions_run.query(
        "select customer_id, cluster_id from customer_segments"
    )
    score = adjusted_rand_score(
        [truth[c] for c, _ in assigned], [cluster for _, cluster in assigned]
    )
    assert score >= 0.9, f"adjusted Rand index {score:.3f}"
    ((features,),) = transactions_run.query(
        "select distinct features from segment_model"
    )
    assert features == "log_recency_days,log_frequency,log_monetary"


def test_behaviour_segments_are_named_by_their_rules(transactions_run):
    names = dict(
        transactions_run.query(
            "select segment_name, avg_recency_days from cluster_summary"
        )
    )
    most_recent = min(names, key=names.get)
    longest_ago = max(names, key=names.get)
    assert most_recent.startswith("Active"), names
    assert longest_ago.startswith("Lapsing"), names


def test_transactions_alone_derive_the_score_and_say_there_are_no_demographics(
    transactions_run,
):
    rows = transactions_run.query(
        "select customer_segments.spending_score = customer_rfm.spending_score,"
        " customer_segments.age is null, customer_segments.gender, age_band"
        " from customer_segments join customer_rfm using (customer_id)"
    )
    assert {row for row in rows} == {(True, True, "Unknown", "Unknown")}
    assert "Transactions read: " in transactions_run.stdout
    assert "avg age" not in transactions_run.stdout
    page = (transactions_run.publish_dir / "dashboard.html").read_text(encoding="utf-8")
    assert "No demographics in this run" in page


def test_a_customer_file_beside_transactions_gives_demographics(tmp_path):
    """The customer file without its spending score: the score comes from the
    transactions, ages and genders from the file; buyers missing from it and
    file customers who never bought are counted."""
    with DEMO_FILE.open(newline="", encoding="utf-8") as handle:
        header, *rows = list(csv.reader(handle))
    customers = tmp_path / "customers.csv"
    with customers.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(header[:4])
        writer.writerows(row[:4] for row in rows[:200])
        writer.writerow(["9001", "Female", "40", "50"])  # never bought
    run = require_success(
        run_pipeline(tmp_path / "work", customers, transactions=DEMO_TRANSACTIONS)
    )
    ((with_age, without_age),) = run.query(
        "select count(age), count(*) - count(age) from customer_segments"
    )
    assert (with_age, without_age) == (200, 300)
    ((missing, never),) = run.query(
        "select customers_without_customer_record,"
        " customer_file_customers_without_purchases from transaction_audit"
    )
    assert (missing, never) == (300, 1)
    ((derived,),) = run.query(
        "select bool_and(customer_segments.spending_score"
        " = customer_rfm.spending_score)"
        " from customer_segments join customer_rfm using (customer_id)"
    )
    assert derived


def test_as_of_and_cut_points_by_var_and_a_warning_for_empty_scores(tmp_path):
    """rfm_as_of leaves later purchases out; cut points decide the scores and
    are published; cut points above every customer's spend leave monetary
    scores 2-5 empty, which the run reports (a dbt warn test) and still
    publishes."""
    run = require_success(
        run_pipeline(
            tmp_path,
            transactions="demo",
            dbt_vars=(
                "{rfm_as_of: '2026-01-01', rfm_cut_points: "
                "{frequency: [1, 2, 4, 8], monetary: [1e6, 2e6, 3e6, 4e6]}}"
            ),
        )
    )
    ((as_of, after),) = run.query(
        "select as_of_date, rows_after_as_of from transaction_audit"
    )
    assert as_of == date(2026, 1, 1) and after > 0
    edges = run.query(
        "select score, score_method, min_value, max_value from rfm_score_edges"
        " where metric = 'frequency' and customers > 0 order by score"
    )
    assert {method for _, method, _, _ in edges} == {"cut_points"}
    bounds = {1: (None, 1), 2: (1, 2), 3: (2, 4), 4: (4, 8), 5: (8, None)}
    for score, _, low, high in edges:
        floor, ceiling = bounds[score]
        assert (floor is None or low > floor) and (ceiling is None or high <= ceiling)
    empty = run.query(
        "select score from rfm_score_edges"
        " where metric = 'monetary' and customers = 0 order by score"
    )
    assert [score for (score,) in empty] == [2, 3, 4, 5]
    [warning] = [line for line in run.stdout.splitlines() if line.startswith("RFM:")]
    assert "monetary score 2, monetary score 3, monetary score 4, monetary score 5" in (
        warning
    )


@pytest.mark.parametrize(
    ("change", "failing_test"),
    [
        (
            "update transaction_audit set monetary_total = monetary_total + 0.01",
            "transaction_revenue_reconciles_to_the_cent",
        ),
        (
            "update transaction_audit set rows_used = rows_used - 1",
            "transaction_rows_are_all_accounted_for",
        ),
    ],
)
def test_the_audit_tests_catch_a_lost_cent_or_row(
    transactions_run, tmp_path, change, failing_test
):
    """The dbt tests on transaction_audit fail on one cent or one row off."""
    target = tmp_path / "target"
    shutil.copytree(transactions_run.target_dir, target)
    with duckdb.connect(str(target / "warehouse.duckdb")) as con:
        con.execute(change)
    done = subprocess.run(
        [str(REPO / ".venv" / "bin" / "dbt"), "test", "--select", "transaction_audit"],
        cwd=REPO,
        env=pipeline_env(tmp_path, None, None, tmp_path / "publish"),
        capture_output=True,
        text=True,
        check=False,
    )
    results = json.loads((target / "run_results.json").read_text())["results"]
    statuses = {
        r["unique_id"].split(".")[2]: r["status"]
        for r in results
        if r["unique_id"].startswith("test.")
    }
    assert statuses[failing_test] == "fail", done.stdout
    assert done.returncode != 0
    assert {s for name, s in statuses.items() if name != failing_test} == {"pass"}
