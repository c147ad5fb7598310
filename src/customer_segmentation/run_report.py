"""What a run tells its user: the segment table, the row accounting, and why a
failed run failed, read from the warehouse and dbt's run_results.json."""

from __future__ import annotations

import json
import os
from pathlib import Path

import duckdb

DRIFT_TEST = "assert_drift_within_threshold"
EMPTY_SCORE_TEST = "every_rfm_score_has_customers"
OUT_OF_MEMORY = "Out of Memory Error"

# Tests that guard the input as a whole; their failure is the file's fault.
REJECT_GATE = "reject_share_within_threshold"
SIZE_GATE = "enough_customers_to_cluster"


# Columns of the segment table: header, cluster_summary column, width, format.
# Demographic columns show when the run had a customer file, behaviour
# columns when it had transactions.
CUSTOMER_COLUMNS = (
    ("avg age", "avg_age", 9, ".1f"),
    ("income k$", "avg_annual_income_k", 11, ".2f"),
)
SCORE_COLUMNS = (("score", "avg_spending_score", 7, ".2f"),)
RATIO_COLUMNS = (("ratio", "income_to_spend_ratio", 7, ".2f"),)
BEHAVIOUR_COLUMNS = (
    ("recency d", "avg_recency_days", 10, ".0f"),
    ("orders", "avg_frequency", 8, ".1f"),
    ("spent", "avg_monetary", 10, ",.0f"),
)


def segment_table(serving: Path) -> str:
    """The segments as a fixed-width text table, for the terminal and README."""
    with duckdb.connect(str(serving), read_only=True) as con:
        relation = con.sql("select * from cluster_summary order by cluster_id")
        names = relation.columns
        rows = [dict(zip(names, row, strict=True)) for row in relation.fetchall()]
        k, rule = con.sql(
            "select k, selection_rule from elbow_curve where is_chosen"
        ).fetchone()

    def present(columns: tuple[tuple[str, str, int, str], ...]) -> bool:
        return any(
            row[column] is not None for row in rows for _, column, _, _ in columns
        )

    columns = [
        *(CUSTOMER_COLUMNS if present(CUSTOMER_COLUMNS) else ()),
        *SCORE_COLUMNS,
        *(RATIO_COLUMNS if present(RATIO_COLUMNS) else ()),
        *(BEHAVIOUR_COLUMNS if present(BEHAVIOUR_COLUMNS) else ()),
    ]
    name_width = max([26, *(len(row["segment_name"]) + 2 for row in rows)])
    lines = [
        f"Segments: k = {k} (chosen by {rule})",
        f"{'id':>3}  {'segment':<{name_width}}{'customers':>10}{'share':>8}"
        + "".join(f"{header:>{width}}" for header, _, width, _ in columns),
    ]
    for row in rows:
        lines.append(
            f"{row['cluster_id']:>3}  {row['segment_name']:<{name_width}}"
            f"{row['customers']:>10}{row['customer_share']:>8.1%}"
            + "".join(
                f"{row[column]:>{width}{spec}}"
                if row[column] is not None
                else f"{'-':>{width}}"
                for _, column, width, spec in columns
            )
        )
    return "\n".join(lines)


def transactions_line(serving: Path) -> str | None:
    """Where every transaction row went, as transaction_audit says; None
    when the run had no transactions file."""
    with duckdb.connect(str(serving), read_only=True) as con:
        audit = con.sql(
            """
            select
                rows_read, rows_used, rows_rejected, rows_after_as_of,
                zero_amount_rows, return_rows, exact_duplicate_rows,
                amount_used, monetary_total, customers, as_of_date
            from transaction_audit
            """
        ).fetchone()
    (
        read,
        used,
        rejected,
        after,
        zero,
        returns,
        repeats,
        amount,
        total,
        buyers,
        as_of,
    ) = audit
    if read == 0:
        return None
    return (
        f"Transactions read: {read} = {used} used + {rejected} rejected (see "
        f"rejected_transactions) + {after} dated on or after {as_of}\n"
        f"  used rows include {zero} zero-amount, {returns} returns and {repeats} "
        f"exact repeats; {buyers} customers, revenue {amount:,.2f} = "
        f"customer_rfm total {total:,.2f}"
    )


def row_counts(warehouse: Path) -> tuple[int, int, int, list[tuple[str, int]]]:
    """Input rows, repeated rows, rejected rows, and rejects per reason.

    Read from int_customer_rows_checked because a failed gate stops dbt
    before load_audit is built.
    """
    with duckdb.connect(str(warehouse), read_only=True) as con:
        rows, repeats, rejected = con.sql(
            """
            select
                count(*),
                count(*) filter (where is_duplicate_row),
                count(*) filter (where reject_reason is not null)
            from int_customer_rows_checked
            """
        ).fetchone()
        reasons = con.sql(
            """
            select reject_reason, count(*) as n
            from int_customer_rows_checked
            where reject_reason is not null
            group by reject_reason
            order by n desc, reject_reason
            """
        ).fetchall()
    return rows, repeats, rejected, reasons


def accounting_line(serving: Path) -> str:
    """Where every input row went, as the published load_audit table says."""
    with duckdb.connect(str(serving), read_only=True) as con:
        rows, clean, repeats, rejected = con.sql(
            "select input_rows, clean_customers, duplicate_rows_removed, rejected_rows"
            " from load_audit"
        ).fetchone()
    return (
        f"Rows read: {rows} = {clean} customers segmented + {repeats} repeated "
        f"rows removed + {rejected} rejected (see rejected_customers)"
    )


def failed_results(target: Path) -> list[dict]:
    """The dbt results that errored or failed in the last invocation."""
    results_file = target / "run_results.json"
    if not results_file.is_file():
        return []
    results = json.loads(results_file.read_text(encoding="utf-8"))["results"]
    return [r for r in results if r["status"] in {"error", "fail", "runtime error"}]


def failed_nodes(target: Path) -> list[str]:
    """Names of the dbt nodes that errored or failed in the last invocation."""
    return [r["unique_id"].split(".")[2] for r in failed_results(target)]


def explain_failure(
    target: Path,
    warehouse: Path,
    source: str,
    max_reject_share: float,
    clusters_needed: int,
) -> str:
    """One sentence on why the build failed, naming the input where it is to blame."""
    failed = failed_nodes(target)
    if any(name.startswith(REJECT_GATE) for name in failed):
        rows, _, rejected, reasons = row_counts(warehouse)
        return (
            f"input file {source}: {rejected} of {rows} rows rejected "
            f"({rejected / rows:.0%}), more than the {max_reject_share:.0%} allowed "
            f"(var max_reject_share); reasons: {describe(reasons)}"
        )
    if any(name.startswith(SIZE_GATE) for name in failed):
        rows, repeats, rejected, reasons = row_counts(warehouse)
        clean = rows - repeats - rejected
        if clean == 0:
            return (
                f"input file {source}: no valid rows left, all {rows} rows were "
                f"rejected; reasons: {describe(reasons)}"
            )
        return (
            f"input file {source}: {clean} valid customers, fewer than the "
            f"{clusters_needed} the clustering needs"
        )
    if any(OUT_OF_MEMORY in (r.get("message") or "") for r in failed_results(target)):
        return (
            f"dbt build failed at {', '.join(failed)}: DuckDB ran out of memory "
            f"(its limit is SEGMENTS_DUCKDB_MEMORY, now {memory_limit()}); "
            "raise it, for example SEGMENTS_DUCKDB_MEMORY=8GB, for a file this large"
        )
    if failed:
        return f"dbt build failed at {', '.join(failed)} (see the log above)"
    return "dbt build failed (see the log above)"


def memory_limit() -> str:
    """DuckDB's memory limit for dbt, as profiles.yml reads it."""
    return os.environ.get("SEGMENTS_DUCKDB_MEMORY", "1GB")


def describe(reasons: list[tuple[str, int]]) -> str:
    return ", ".join(f"{reason} {count}" for reason, count in reasons) or "none"


def model_line(serving: Path) -> str:
    """Which model scored this run, how it was chosen, and how much moved."""
    with duckdb.connect(str(serving), read_only=True) as con:
        run = con.sql(
            """
            select
                model_mode, model_mode_reason, model_run_id, outliers,
                customers_in_both_runs, customers_changed_segment, drift_ratio
            from segment_runs
            order by run_id desc
            limit 1
            """
        ).fetchone()
        fitted_at, retired = con.sql(
            """
            select
                max(fitted_at),
                count(*) filter (where cluster_status = 'retired')
            from segment_model_history
            where model_run_id = (select max(model_run_id) from segment_model)
            """
        ).fetchone()
    mode, reason, model_run, outliers, both, changed, drift = run
    action = "fitted" if mode == "fit" else "scored with"
    lines = [
        f"Model: {action} model run {model_run} (fitted {fitted_at:%Y-%m-%d %H:%M} "
        f"UTC) because {reason}",
        f"  outliers: {outliers}; drift ratio {drift:.2f}",
    ]
    if both:
        lines.append(f"  {changed} of {both} customers in both runs changed segment")
    if mode == "fit" and retired:
        lines.append(f"  {retired} segment(s) of the previous model retired")
    return "\n".join(lines)


def drift_warning(target: Path) -> str | None:
    """The drift test's warning and what to do about it, if it warned."""
    if not warned(target, DRIFT_TEST):
        return None
    return (
        "Drift: customers sit farther from their segments' centroids "
        "than the model allows (max_drift_ratio). The segments may no "
        "longer describe these customers; run `make refit` to fit a new "
        "model (ids and names of segments that persist are kept)."
    )


def warned(target: Path, test: str) -> bool:
    """Did the named dbt test warn in the last invocation?"""
    results = target / "run_results.json"
    if not results.is_file():
        return False
    return any(
        test in result["unique_id"] and result["status"] == "warn"
        for result in json.loads(results.read_text(encoding="utf-8"))["results"]
    )


def empty_score_warning(target: Path, serving: Path) -> str | None:
    """Which R/F/M scores hold no customer, when the warning test said so."""
    if not warned(target, EMPTY_SCORE_TEST):
        return None
    with duckdb.connect(str(serving), read_only=True) as con:
        empty = con.sql(
            "select metric, score from rfm_score_edges where customers = 0"
            " order by metric_order, score"
        ).fetchall()
    scores = ", ".join(f"{metric} score {score}" for metric, score in empty)
    return (
        f"RFM: no customer has {scores} (see rfm_score_edges). By percent rank, "
        "tied values share a score, so a value many customers hold can cover "
        "more than a fifth; with cut points, no value fell in the range. "
        "var rfm_score_method: ntile, or other rfm_cut_points, spread them."
    )
