"""Repeat purchases the purchase model used (BG/NBD or Pareto/NBD) expects
by the end of each week, with their 90% interval, from the cohort's first
purchase to the data's end: one row per week.

The logic lives in customer_segmentation.lifetime_value.tracking.
"""

from customer_segmentation.engines.rows import for_engine, rows_of
from customer_segmentation.lifetime_value.tracking import expected_tracking


def model(dbt, session):
    dbt.config(materialized="table")
    expected = expected_tracking(
        rows_of(dbt.ref("int_clv_summaries")),
        rows_of(dbt.ref("int_clv_models_fitted")).arrow(),
        rows_of(dbt.ref("int_clv_parameter_shifts")).arrow(),
    )
    return for_engine(expected, session)
