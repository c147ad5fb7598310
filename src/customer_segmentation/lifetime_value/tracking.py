"""Repeat purchases the fitted BG/NBD expects, week by week, from the
cohort's first purchase to the end of the data: the tracking the papers
judge the model by (FHL 2005, figure 4), beside what happened (clv_tracking).

Week 1 starts on the first customer's first purchase day; a week ends on its
seventh day, the last one on the data's end. At a week's end each customer
has been observed for the weeks from their first purchase to the start of
that day, the clock `weeks_observed` uses, and is expected to have made
E[X(t)] repeat purchases (FHL 2005, equation 7); the cumulative expectation
sums them over the customers. On CDNow, week 78 gives 4,161 repeat purchases
(BTYD and lifetimes, on their own week grid, 4,166).
"""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np
import pyarrow as pa

from customer_segmentation.engines.rows import Rows
from customer_segmentation.lifetime_value.components import shifted_fits
from customer_segmentation.lifetime_value.intervals import bounds, component
from customer_segmentation.lifetime_value.predictions import expected_purchases
from customer_segmentation.lifetime_value.tables import purchase_fit, quietly

EXPECTED_TRACKING_SCHEMA = pa.schema(
    [
        ("week_number", pa.int32()),
        ("week_start_date", pa.date32()),
        ("week_end_date", pa.date32()),
        ("expected_cumulative_repeat_purchases", pa.float64()),
        ("expected_cumulative_low", pa.float64()),
        ("expected_cumulative_high", pa.float64()),
    ]
)


def week_ends(start: date, end: date) -> list[tuple[date, date]]:
    """Each week's first and last day, from ``start`` to ``end``."""
    weeks = (end - start).days // 7 + 1
    return [
        (
            start + timedelta(days=7 * week),
            min(start + timedelta(days=7 * week + 6), end),
        )
        for week in range(weeks)
    ]


def expected_cumulative(
    fit, first_days: np.ndarray, customers: np.ndarray, ends: np.ndarray
) -> np.ndarray:
    """For each end (days since the cohort's start), the repeat purchases
    expected by then of the customers whose first purchase (days since the
    start, with their count) came before it."""
    elapsed = ends[:, None] - first_days[None, :]
    distinct, where = np.unique(np.maximum(elapsed, 0), return_inverse=True)
    expected = expected_purchases(fit, distinct / 7.0)
    return (expected[where.reshape(elapsed.shape)] * customers[None, :]).sum(axis=1)


def expected_tracking(summaries: Rows, models: pa.Table, shifts: pa.Table) -> pa.Table:
    """One row per week with the cumulative expectation and its 90% interval
    (from ``shifts``, int_clv_parameter_shifts; empty without them); no row
    without a converged BG/NBD fit."""
    fit = purchase_fit(models)
    start, calibration_end, holdout_end = summaries.one(
        "min(first_purchase_date)", "max(calibration_end_date)", "max(holdout_end_date)"
    )
    if fit is None or start is None:
        return EXPECTED_TRACKING_SCHEMA.empty_table()
    weeks = week_ends(start, holdout_end or calibration_end)
    cohort = summaries.counted(("first_purchase_date",))
    first_days = (
        np.asarray(cohort["first_purchase_date"], dtype="datetime64[D]")
        - np.datetime64(start, "D")
    ).astype(np.int64)
    ends = np.array([(last - start).days for _, last in weeks], dtype=np.int64)
    customers = np.asarray(cohort["customers"], np.float64)
    with quietly():
        expected = expected_cumulative(fit, first_days, customers, ends)
        components = [
            component(
                expected_cumulative(up, first_days, customers, ends),
                expected_cumulative(down, first_days, customers, ends),
            )
            for up, down in shifted_fits(fit, shifts)
        ]
    low, high = (
        bounds(expected, np.array(components))
        if components
        else (np.full_like(expected, np.nan),) * 2
    )
    return pa.table(
        {
            "week_number": pa.array(range(1, len(weeks) + 1), pa.int32()),
            "week_start_date": pa.array([first for first, _ in weeks], pa.date32()),
            "week_end_date": pa.array([last for _, last in weeks], pa.date32()),
            "expected_cumulative_repeat_purchases": pa.array(expected, pa.float64()),
            "expected_cumulative_low": pa.array(low, pa.float64(), from_pandas=True),
            "expected_cumulative_high": pa.array(high, pa.float64(), from_pandas=True),
        },
        schema=EXPECTED_TRACKING_SCHEMA,
    )
