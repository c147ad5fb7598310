"""Every number a Power BI card shows means what its title says.

The measures' DAX is evaluated (tests/dax.py) over the published tables of
three kinds of run: a customer file, transactions only, and both (where
buyers without a customer record have no age or income), with no filter and
under a gender, an age-band, a segment and an RFM-segment selection. Each
value is compared with the number it is meant to be, computed from the same
rows in Python the way the marts compute it (avg() skips empty values), and
that number, with no filter, with the mart column the measure declares it
mirrors.
"""

from __future__ import annotations

import statistics

import duckdb
import pytest
from dax import VISUAL, Model
from pipeline_runs import DEMO_FILE, PipelineRun, require_success, run_pipeline

from customer_segmentation.powerbi.semantic_model import FACT, MEASURES, RELATIONSHIPS

TABLES = (
    FACT,
    "dim_segment",
    "dim_gender",
    "dim_age_band",
    "dim_rfm_segment",
    "rfm_grid",
    "rfm_segment_summary",
    "clv_alive_bands",
    "clv_holdout",
    "clv_tracking",
)
SEGMENT = ("dim_segment", "cluster_id")
GENDER = ("dim_gender", "gender")
AGE_BAND = ("dim_age_band", "age_band")
RFM = ("dim_rfm_segment", "rfm_segment")


@pytest.fixture(scope="module")
def both_run(tmp_path_factory) -> PipelineRun:
    """Customer file and transactions: 500 buyers, 200 with a record."""
    return require_success(
        run_pipeline(tmp_path_factory.mktemp("both"), DEMO_FILE, transactions="demo")
    )


def load_model(run: PipelineRun) -> Model:
    with duckdb.connect(str(run.serving), read_only=True) as con:
        tables = {}
        for table in TABLES:
            relation = con.sql(f"select * from {table}")
            tables[table] = [
                dict(zip(relation.columns, row, strict=True))
                for row in relation.fetchall()
            ]
    relationships = {
        (link.table, link.dimension.table): link.dimension.key for link in RELATIONSHIPS
    }
    return Model(tables, relationships, {m.name: m.dax for m in MEASURES})


def mean(rows: list[dict], column: str) -> float | None:
    values = [float(r[column]) for r in rows if r[column] is not None]
    return statistics.fmean(values) if values else None


def ratio(top: float | None, bottom: float | None) -> float | None:
    return None if top is None or not bottom else top / bottom


def total(rows: list[dict], column: str) -> float | None:
    values = [float(r[column]) for r in rows if r[column] is not None]
    return sum(values) if values else None


def largest(rows: list[dict], column: str) -> float | None:
    """A cumulative column's figure at the last week the rows hold."""
    values = [float(r[column]) for r in rows if r[column] is not None]
    return max(values) if values else None


# the cumulative tracking's measures and the clv_tracking column each shows
CUMULATIVE_TRACKING = {
    "Cumulative Repeat Purchases Made": "actual_cumulative_repeat_purchases",
    "Cumulative Repeat Purchases Expected": "expected_cumulative_repeat_purchases",
    "Cumulative Expected, 90% Low": "expected_cumulative_low",
    "Cumulative Expected, 90% High": "expected_cumulative_high",
}


def without(context: dict, table: str) -> dict:
    return {k: v for k, v in context.items() if k[0] != table}


def selected(context: dict, table: str) -> dict:
    """The context of what the slicers select: the visual's own grouping on
    ``table`` (a segment row of a table by segment) dropped, a slicer's kept."""
    return without(context, table) if table in context.get(VISUAL, ()) else context


def grouped_by(key: tuple[str, str], value: object) -> dict:
    """A row of a visual grouped by the dimension of ``key``."""
    return {key: value, VISUAL: frozenset({key[0]})}


def intended(name: str, model: Model, context: dict) -> object:
    """What each measure is meant to show, from the customers the context
    selects, computed as the marts compute it."""
    rows = model.rows(FACT, context)
    everyone = len(rows)

    def share(gender: str) -> float | None:
        return ratio(sum(r["gender"] == gender for r in rows), everyone)

    meanings = {
        "Customers": lambda: everyone or None,
        "Segments": lambda: len({r["cluster_id"] for r in rows}) or None,
        # of the selection, 0 where the selection holds customers but not here
        "Customer Share": lambda: ratio(
            everyone, len(model.rows(FACT, selected(context, "dim_segment")))
        ),
        "Average Age": lambda: mean(rows, "age"),
        "Average Income (k$)": lambda: mean(rows, "annual_income_k"),
        "Average Spending Score": lambda: mean(rows, "spending_score"),
        "Income-to-Spend Ratio": lambda: ratio(
            mean(rows, "annual_income_k"), mean(rows, "spending_score")
        ),
        "Female Share": lambda: share("Female"),
        "Male Share": lambda: share("Male"),
        "Revenue": lambda: total(rows, "monetary"),
        "Revenue Share": lambda: ratio(
            total(rows, "monetary") or 0.0,
            total(model.rows(FACT, selected(context, "dim_rfm_segment")), "monetary"),
        ),
        "Average Recency (days)": lambda: mean(rows, "recency_days"),
        "Average Purchases": lambda: mean(rows, "frequency"),
        "Value Over Horizon": lambda: total(rows, "clv"),
        "Average Value Over Horizon": lambda: mean(rows, "clv"),
        "Average P(alive)": lambda: mean(rows, "p_alive"),
        "Customers by P(alive)": lambda: total(
            model.rows("clv_alive_bands", context), "customers"
        ),
        "Holdout Purchases": lambda: total(
            model.rows("clv_holdout", context), "actual_holdout_purchases"
        ),
        "Holdout Forecast": lambda: total(
            model.rows("clv_holdout", context), "predicted_holdout_purchases"
        ),
        "Repeat Purchases Made": lambda: total(
            model.rows("clv_tracking", context), "actual_repeat_purchases"
        ),
        "Repeat Purchases Expected": lambda: total(
            model.rows("clv_tracking", context), "expected_repeat_purchases"
        ),
        **{
            name: (
                lambda column=column: largest(
                    model.rows("clv_tracking", context), column
                )
            )
            for name, column in CUMULATIVE_TRACKING.items()
        },
        "Grid Customers": lambda: total(model.rows("rfm_grid", context), "customers"),
    }
    return meanings[name]()


def contexts(model: Model) -> list[dict]:
    first = model.tables[FACT][0]
    found = [{}, {GENDER: "Female"}, {AGE_BAND: "31-40"}]
    found.append({SEGMENT: first["cluster_id"]})
    # a row of a table by segment, alone and under a gender slicer
    found.append(grouped_by(SEGMENT, first["cluster_id"]))
    found.append({**grouped_by(SEGMENT, first["cluster_id"]), GENDER: "Female"})
    if first["rfm_segment"] is not None:
        found.append({RFM: first["rfm_segment"]})
        found.append(grouped_by(RFM, first["rfm_segment"]))
    return found


def same(shown: object, meant: object) -> bool:
    if shown is None or meant is None:
        return shown is None and meant is None
    return float(shown) == pytest.approx(float(meant), rel=1e-9, abs=1e-9)


@pytest.mark.parametrize("kind", ["demo_run", "transactions_run", "both_run"])
def test_every_measure_shows_what_it_means_under_every_selection(request, kind):
    model = load_model(request.getfixturevalue(kind))
    wrong = [
        (measure.name, context, model.measure(measure.name, context), meant)
        for context in contexts(model)
        for measure in MEASURES
        if not same(
            model.measure(measure.name, context),
            meant := intended(measure.name, model, context),
        )
    ]
    assert not wrong, wrong


def mirrored_value(run: PipelineRun, model: Model, table: str, column: str):
    """The mart's number, and the selection under which the measure shows it."""
    first = model.tables[FACT][0]
    with duckdb.connect(str(run.serving), read_only=True) as con:
        if table == "cluster_summary":
            key = first["cluster_id"]
            sql = f"select {column} from {table} where cluster_id = ?"
            return con.execute(sql, [key]).fetchone()[0], grouped_by(SEGMENT, key)
        if table == "rfm_segment_summary":
            key = first["rfm_segment"]
            sql = f"select {column} from {table} where rfm_segment = ?"
            found = con.execute(sql, [key]).fetchone()
            return (found[0] if found else None), grouped_by(RFM, key)
        if column in CUMULATIVE_TRACKING.values():
            # the last week's cumulative figure, as clv_holdout_fit has it
            sql = f"select {column} from {table} order by week_number desc limit 1"
            found = con.sql(sql).fetchone()
            return (found[0] if found else None), {}
        if table in ("rfm_grid", "clv_alive_bands", "clv_tracking"):
            return con.sql(f"select sum({column}) from {table}").fetchone()[0], {}
        # a one-row mart, empty where the run has nothing to report
        found = con.sql(f"select {column} from {table}").fetchone()
        return (found[0] if found else None), {}


@pytest.mark.parametrize("kind", ["demo_run", "transactions_run", "both_run"])
def test_what_each_measure_means_is_the_mart_column_it_mirrors(request, kind):
    run = request.getfixturevalue(kind)
    model = load_model(run)
    wrong = []
    for measure in MEASURES:
        table, column = measure.mirrors
        mart, context = mirrored_value(run, model, table, column)
        if context.get(RFM, "") is None:
            continue  # no RFM segments without transactions
        meant = intended(measure.name, model, context)
        if table == "transaction_audit" and mart == 0 and meant is None:
            continue  # the audit counts zero revenue where there is none
        if not same(mart, meant):
            wrong.append((measure.name, table, column, mart, meant))
    assert not wrong, wrong


def test_the_old_averages_would_be_caught(both_run):
    """Dividing by every customer, not by those with a value, is what the
    report did before; on a run with both files it differs."""
    model = load_model(both_run)
    model.measures["Average Income (k$)"] = (
        f"DIVIDE(SUM({FACT}[annual_income_k]), [Customers])"
    )
    shown = model.measure("Average Income (k$)", {})
    assert not same(shown, intended("Average Income (k$)", model, {}))


def test_a_share_that_reads_blank_would_be_caught(demo_run):
    """Under a Male slicer the old Female Share was DIVIDE(BLANK, n): blank."""
    model = load_model(demo_run)
    model.measures["Female Share"] = (
        'DIVIDE(CALCULATE([Customers], KEEPFILTERS(dim_gender[gender] = "Female")),'
        " [Customers])"
    )
    male = {GENDER: "Male"}
    assert model.measure("Female Share", male) is None
    assert intended("Female Share", model, male) == 0
