"""What a run tells its user: the segment table, the row accounting, and why a
failed run failed, read from the warehouse and dbt's run_results.json."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import duckdb

from customer_segmentation.engines.duckdb_limits import connect, memory_limit
from customer_segmentation.inputs.files import FileColumns
from customer_segmentation.inputs.tables import InputTable
from customer_segmentation.running.kept_rows import keep_rejects
from customer_segmentation.segment_model.fit_error import FitError

DRIFT_TEST = "assert_drift_within_threshold"
EMPTY_SCORE_TEST = "every_rfm_score_has_customers"
OUT_OF_MEMORY = "Out of Memory Error"

# Tests that guard the input as a whole; their failure is the file's fault.
REJECT_GATE = "reject_share_within_threshold"
SIZE_GATE = "enough_customers_to_cluster"
PURCHASE_GATE = "has_purchases"


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
    with connect(str(serving), read_only=True) as con:
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


# Below this share of buyers with a customer record, the two files' ids
# probably do not match; the run says so.
MATCHED_BUYERS_WARNING = 0.5


def transactions_line(serving: Path, has_customer_file: bool = False) -> str | None:
    """Where every transaction row went, as transaction_audit says, with
    warnings for lines left out as too late and buyers without a customer
    record; None when the run had no transactions file."""
    with connect(str(serving), read_only=True) as con:
        relation = con.sql("select * from transaction_audit")
        audit = dict(zip(relation.columns, relation.fetchone(), strict=True))
    if audit["rows_read"] == 0:
        return None
    lines = [
        f"Transactions read: {audit['rows_read']} = {audit['rows_used']} used + "
        f"{audit['rows_anonymous']} anonymous (no customer id; revenue "
        f"{audit['amount_anonymous']:,.2f}) + {audit['rows_rejected']} rejected "
        f"(see rejected_transactions) + {audit['rows_after_as_of']} dated on or "
        f"after {audit['as_of_date']}",
        f"  used rows include {audit['zero_amount_rows']} zero-amount, "
        f"{audit['return_rows']} returns and {audit['exact_duplicate_rows']} exact "
        f"repeats; {audit['customers']} customers, revenue "
        f"{audit['amount_used']:,.2f} = customer_rfm total "
        f"{audit['monetary_total']:,.2f}",
    ]
    if audit["rows_after_as_of"]:
        lines.append(
            f"Warning: {audit['rows_after_as_of']} transactions dated on or after "
            f"{audit['as_of_date']} (later than the day of the run, or var "
            "rfm_as_of) are left out of every customer's RFM; check their dates"
        )
    if has_customer_file:
        lines += buyers_lines(audit)
    if audit["customers"] == 0:
        lines.append("Warning: no transaction could be attributed to a customer")
    return "\n".join(lines)


def buyers_lines(audit: dict[str, object]) -> list[str]:
    """How many buyers the customer file knows, and a warning when few."""
    buyers = int(audit["customers"])
    without = int(audit["customers_without_customer_record"])
    matched = buyers - without
    lines = [
        f"Buyers: {buyers}, of whom {matched} have a customer record "
        f"({matched / buyers if buyers else 0:.0%}); "
        f"{audit['customer_file_customers_without_purchases']} customers of the "
        "customer file never bought"
    ]
    if buyers and matched / buyers < MATCHED_BUYERS_WARNING:
        lines.append(
            f"Warning: only {matched} of {buyers} buyers have a record in the "
            "customer file: check that both files write the same customer ids "
            "(C001 in one and 1 in the other never match)"
        )
    return lines


def accounting_line(serving: Path) -> str:
    """Where every input row went, as the published load_audit table says."""
    with connect(str(serving), read_only=True) as con:
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


@dataclass(frozen=True)
class Failure:
    """A dbt node that errored or failed, as its results and manifest tell."""

    name: str
    test: str | None  # the generic test's name, for a test
    model: str | None  # the model a test checks
    message: str


@dataclass(frozen=True)
class RunInputs:
    """What the run read, for messages: each file's description (None if absent)."""

    customers: str | None  # "input file /x.csv" or "the demo seed"
    transactions: str | None  # "transactions file /t.csv"

    def described(self) -> str:
        return " and ".join(d for d in (self.customers, self.transactions) if d)


# Each file's row checks: the file kind, and the mart of its rejected rows
# with their source lines and text as read.
CHECKED_ROWS = {
    "int_customer_rows_checked": ("customers", "rejected_customers"),
    "int_transaction_rows_checked": ("transactions", "rejected_transactions"),
}


def failures(target: Path) -> list[Failure]:
    """The failed nodes of the last invocation, each with the model it tests."""
    manifest_file = target / "manifest.json"
    nodes = (
        json.loads(manifest_file.read_text(encoding="utf-8"))["nodes"]
        if manifest_file.is_file()
        else {}
    )
    found = []
    for result in failed_results(target):
        node = nodes.get(result["unique_id"], {})
        attached = node.get("attached_node") or ""
        found.append(
            Failure(
                name=result["unique_id"].split(".")[2],
                test=(node.get("test_metadata") or {}).get("name"),
                model=attached.split(".")[-1] or None,
                message=result.get("message") or "",
            )
        )
    return found


def reject_counts(
    warehouse: Path, model: str
) -> tuple[int, int, list[tuple[str, int]]]:
    """Rows, rejected rows and rejects per reason of one file's row checks.

    Read from the row checks because a failed gate stops dbt before the
    published audits are built.
    """
    with connect(str(warehouse), read_only=True) as con:
        rows, rejected = con.sql(
            "select count(*), count(*) filter (where reject_reason is not null)"
            f" from {model}"
        ).fetchone()
        reasons = con.sql(
            f"select reject_reason, count(*) as n from {model}"
            " where reject_reason is not null"
            " group by reject_reason order by n desc, reject_reason"
        ).fetchall()
    return rows, rejected, reasons


def explain_failure(
    target: Path,
    warehouse: Path,
    inputs: RunInputs,
    max_reject_share: float,
    clusters_needed: int,
    build_model: Callable[[str], bool],
) -> str:
    """One sentence on why the build failed, naming the input where it is to blame.

    The failed gate is found by its test's name and the model it checks,
    both read from dbt's manifest, never from the node's name.
    """
    failed = failures(target)
    for failure in failed:
        if failure.test == REJECT_GATE and failure.model in CHECKED_ROWS:
            rows, rejected, reasons = reject_counts(warehouse, failure.model)
            kept = keep_rejects(
                warehouse, CHECKED_ROWS[failure.model], target, build_model
            )
            source = (
                inputs.customers
                if CHECKED_ROWS[failure.model][0] == "customers"
                else inputs.transactions
            )
            return (
                f"{source}: {rejected} of {rows} rows rejected "
                f"({rejected / rows:.0%}), more than the {max_reject_share:.0%} "
                f"allowed (var max_reject_share); reasons: {describe(reasons)}; "
                f"the rejected rows and their reasons are in {kept}"
            )
    for failure in failed:
        if failure.test == PURCHASE_GATE:
            return (
                f"{inputs.transactions}: no purchase to segment on: every usable "
                "line is a return, a zero amount or has no customer id"
            )
        if failure.test == SIZE_GATE:
            return too_few_customers(warehouse, inputs, clusters_needed)
        if FitError.MARKER in failure.message:
            reason = failure.message.split(FitError.MARKER, 1)[1].splitlines()[0]
            return f"{inputs.described()}: {reason}"
    names = ", ".join(f.name for f in failed)
    if any(OUT_OF_MEMORY in f.message for f in failed):
        return (
            f"dbt build failed at {names}: DuckDB ran out of memory "
            f"(its limit is SEGMENTS_DUCKDB_MEMORY, now {memory_limit()}); "
            "raise it, for example SEGMENTS_DUCKDB_MEMORY=8GB, for a file this large"
        )
    if failed:
        return f"dbt build failed at {names} (see the log above)"
    return "dbt build failed (see the log above)"


def too_few_customers(warehouse: Path, inputs: RunInputs, needed: int) -> str:
    if inputs.transactions:
        with connect(str(warehouse), read_only=True) as con:
            (buyers,) = con.sql(
                "select count(*) from int_transactions_aggregated_to_customers"
            ).fetchone()
        return (
            f"{inputs.transactions}: {buyers} customers with a purchase, fewer "
            f"than the {needed} the clustering needs"
        )
    rows, _, reasons = reject_counts(warehouse, "int_customer_rows_checked")
    with connect(str(warehouse), read_only=True) as con:
        (clean,) = con.sql("select count(*) from int_customers_cleaned").fetchone()
    if clean == 0:
        return (
            f"{inputs.customers}: no valid rows left, all {rows} rows were "
            f"rejected; reasons: {describe(reasons)}"
        )
    return (
        f"{inputs.customers}: {clean} valid customers, fewer than the "
        f"{needed} the clustering needs"
    )


def describe(reasons: list[tuple[str, int]]) -> str:
    return ", ".join(f"{reason} {count}" for reason, count in reasons) or "none"


def model_line(serving: Path) -> str:
    """Which model scored this run, how it was chosen, and how much moved."""
    with connect(str(serving), read_only=True) as con:
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
        f"  outliers: {outliers}; drift ratio "
        + (
            "n/a (every segment's customers sit on its centroid)"
            if drift is None
            else f"{drift:.2f}"
        ),
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
    with connect(str(serving), read_only=True) as con:
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


# More customers of Unknown gender than this share, and the run says so.
UNKNOWN_GENDER_WARNING_SHARE = 0.05


def unknown_gender_warning(serving: Path, warehouse: Path) -> str | None:
    """A line when many customers' gender is Unknown, with the spellings
    behind it (read from the file again only then)."""
    with connect(str(serving), read_only=True) as con:
        unknown, customers = con.sql(
            "select count(*) filter (where gender = 'Unknown'), count(*)"
            " from customer_segments"
        ).fetchone()
    if not customers or unknown / customers <= UNKNOWN_GENDER_WARNING_SHARE:
        return None
    try:
        with connect(str(warehouse), read_only=True) as con:
            spellings = con.sql(
                "select coalesce(raw_gender, '(blank)') as spelling, count(*) as n"
                " from stg_customer_file__customers where gender = 'Unknown'"
                " group by spelling order by n desc, spelling limit 5"
            ).fetchall()
    except duckdb.CatalogException:
        spellings = []  # a Spark run's warehouse holds the published marts only
    seen = ", ".join(f"{spelling!r} {count}" for spelling, count in spellings)
    return (
        f"Warning: {unknown / customers:.0%} of customers ({unknown} of "
        f"{customers}) have gender Unknown"
        f"{f'; the file spells it {seen}' if seen else ''}. Add spellings to "
        "seeds/gender_spellings.csv to read them."
    )


def describe_input(
    input_path: Path | InputTable | None,
    found: FileColumns | None,
    title: str = "Input",
) -> list[str]:
    if input_path is None or found is None:
        return [f"{title}: demo seed (seeds/demo_customers.csv)"]
    columns = ", ".join(f"{c} <- {h!r}" for c, h in found.mapping.items())
    lines = [
        f"{title}: {input_path} ({found.data_rows} data rows)",
        f"  columns: {columns}",
    ]
    if found.extra:
        lines.append(f"  ignored extra columns: {', '.join(found.extra)}")
    return lines
