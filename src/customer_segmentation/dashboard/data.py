"""Everything the dashboard shows, read from the published serving database."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import duckdb

from customer_segmentation.dashboard.insights import key_insights, rfm_insights
from customer_segmentation.engines.duckdb_limits import connect

# Above this many customers, the scatter and the customer list show a
# deterministic sample (the page says so).
MAX_CUSTOMERS = 5_000


@dataclass(frozen=True)
class DashboardData:
    segments: list[dict]
    cube: list[dict]
    customers: list[dict]
    customers_total: int
    centroids: list[dict]
    elbow: list[dict]
    age_bands: list[str]
    insights: list[str]
    rfm_grid: list[dict]
    rfm_summary: list[dict]
    clv_segments: list[dict]
    clv_alive: list[dict]
    clv_holdout: list[dict]
    clv_tracking: list[dict]
    clv_horizon_weeks: int | None
    has_demographics: bool
    has_transactions: bool
    has_clv: bool


def rows(con: duckdb.DuckDBPyConnection, sql: str) -> list[dict]:
    relation = con.sql(sql)
    return [
        dict(zip(relation.columns, row, strict=True)) for row in relation.fetchall()
    ]


CUBE_SQL = """
    select
        dim_segment.segment_name,
        segment_cube.gender,
        segment_cube.age_band,
        segment_cube.customers,
        segment_cube.total_age as age_sum,
        segment_cube.customers_with_age as age_n,
        segment_cube.total_annual_income_k as income_sum,
        segment_cube.customers_with_annual_income_k as income_n,
        segment_cube.total_spending_score as score_sum,
        segment_cube.customers_with_spending_score as score_n
    from segment_cube
    join dim_segment using (cluster_id)
    order by all
"""
CUSTOMERS_SQL = f"""
    select
        customer_id, segment_name, gender, age, age_band,
        annual_income_k, spending_score,
        round(income_to_spend_ratio, 2) as income_to_spend_ratio,
        recency_days, cast(monetary as double) as monetary
    from customer_segments
    order by hash(customer_id), customer_id
    limit {MAX_CUSTOMERS}
"""
AGE_BANDS_SQL = """
    select age_band from age_groups
    group by age_band, age_band_order order by age_band_order
"""
RFM_GRID_SQL = """
    select r_score, f_score, rfm_segment, customers,
        cast(revenue as double) as revenue
    from rfm_grid order by all
"""
RFM_SUMMARY_SQL = """
    select rfm_segment, customers, cast(revenue as double) as revenue,
        coalesce(revenue_share, 0) as revenue_share
    from rfm_segment_summary order by rfm_segment_order
"""

CLV_SEGMENTS_SQL = """
    select segment_name, customers, coalesce(total_clv, 0) as total_clv,
        total_clv_low, total_clv_high, avg_clv, avg_p_alive
    from cluster_summary order by cluster_id
"""
CLV_ALIVE_SQL = """
    select p_alive_band, customers from clv_alive_bands order by band_order
"""
CLV_HOLDOUT_SQL = """
    select repeat_purchases_group, group_order, 'actual' as series,
        actual_mean_holdout_purchases as mean_purchases
    from clv_holdout
    union all
    select repeat_purchases_group, group_order, 'forecast',
        predicted_mean_holdout_purchases
    from clv_holdout
    order by group_order, series
"""


CLV_TRACKING_SQL = """
    select week_number, 'made' as series, is_holdout,
        actual_cumulative_repeat_purchases as repeat_purchases,
        null as low, null as high
    from clv_tracking
    union all
    select week_number, 'expected', is_holdout,
        expected_cumulative_repeat_purchases, expected_cumulative_low,
        expected_cumulative_high
    from clv_tracking
    order by series, week_number
"""


def one_value(con: duckdb.DuckDBPyConnection, sql: str) -> object:
    (value,) = con.sql(sql).fetchone()
    return value


def load_data(serving: Path) -> DashboardData:
    """Read everything the page shows from the published serving database."""
    with connect(str(serving), read_only=True) as con:
        rfm_summary = rows(con, RFM_SUMMARY_SQL)
        has_transactions = any(row["customers"] for row in rfm_summary)
        return DashboardData(
            segments=rows(
                con,
                "select cluster_id, segment_name, segment_description"
                " from cluster_summary order by cluster_id",
            ),
            cube=rows(con, CUBE_SQL),
            customers=rows(con, CUSTOMERS_SQL),
            customers_total=int(
                one_value(con, "select count(*) from customer_segments")
            ),
            centroids=rows(
                con,
                "select segment_name, avg_annual_income_k, avg_spending_score"
                " from cluster_summary order by cluster_id",
            ),
            elbow=rows(
                con,
                "select k, inertia, silhouette, is_chosen from elbow_curve order by k",
            ),
            age_bands=[band for (band,) in con.sql(AGE_BANDS_SQL).fetchall()],
            insights=[
                *key_insights(con),
                *(rfm_insights(rfm_summary) if has_transactions else []),
            ],
            rfm_grid=rows(con, RFM_GRID_SQL),
            rfm_summary=rfm_summary,
            clv_segments=rows(con, CLV_SEGMENTS_SQL),
            clv_alive=rows(con, CLV_ALIVE_SQL),
            clv_holdout=rows(con, CLV_HOLDOUT_SQL),
            clv_tracking=rows(con, CLV_TRACKING_SQL),
            clv_horizon_weeks=one_value(
                con, "select max(horizon_weeks) from customer_clv"
            ),
            has_demographics=bool(
                one_value(con, "select count(age) > 0 from customer_segments")
            ),
            has_transactions=has_transactions,
            has_clv=bool(
                one_value(con, "select count(total_clv) > 0 from cluster_summary")
            ),
        )
