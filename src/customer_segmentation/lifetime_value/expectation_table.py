"""int_clv_expectations' table: what the purchase model used (choice)
expects of each distinct calibration summary, Arrow out; SQL joins it back
to the customers (int_clv_customers_valued). Nothing here imports dbt."""

from __future__ import annotations

import numpy as np
import pyarrow as pa

from customer_segmentation.engines.rows import Rows
from customer_segmentation.lifetime_value import predictions as predict
from customer_segmentation.lifetime_value.tables import (
    DISCOUNT_STEP_WEEKS,
    SUMMARY_KEY,
    ClvSettings,
    grouped_summaries,
    holdout_weeks,
    horizon_of,
    purchase_fit,
    quietly,
)

# The calibration histogram's bins: 0 .. 6 repeat purchases, then 7+.
HISTOGRAM_BINS = 7

# expectations' columns that are counts, never NaN
WHOLE_NUMBERS = ("repeat_purchases", "horizon_weeks")

EXPECTATIONS_SCHEMA = pa.schema(
    [
        ("repeat_purchases", pa.int64()),
        ("weeks_to_last_purchase", pa.float64()),
        ("weeks_observed", pa.float64()),
        ("p_alive", pa.float64()),
        ("horizon_weeks", pa.int32()),
        ("expected_purchases", pa.float64()),
        ("discounted_expected_purchases", pa.float64()),
        ("expected_holdout_purchases", pa.float64()),
        ("expected_purchases_to_holdout_end", pa.float64()),
        ("discounted_residual_purchases", pa.float64()),
        ("calibration_repeat_probabilities", pa.list_(pa.float64())),
    ]
)


def _published(values: np.ndarray) -> np.ndarray:
    """NaN where a value is not finite: Arrow writes it as empty (null)."""
    values = np.asarray(values, dtype=np.float64)
    return np.where(np.isfinite(values), values, np.nan)


def expectations(summaries: Rows, models: pa.Table, settings: ClvSettings) -> pa.Table:
    """Per distinct summary: P(alive), purchases expected over the horizon
    (plain and discounted), in the holdout, from the first purchase to the
    holdout's end, and the chance of each calibration count (0 .. 6); empty
    when no purchase model is used (choice)."""
    fit = purchase_fit(models)
    if fit is None:
        return EXPECTATIONS_SCHEMA.empty_table()
    with quietly():
        return _expectations(summaries, fit, settings)


def _expectations(summaries: Rows, fit, settings: ClvSettings) -> pa.Table:
    grouped = grouped_summaries(summaries)
    x, t_x, T = (np.asarray(grouped[c], dtype=np.float64) for c in SUMMARY_KEY)
    columns = {
        "repeat_purchases": np.asarray(grouped["repeat_purchases"], dtype=np.int64),
        "weeks_to_last_purchase": t_x,
        "weeks_observed": T,
        "p_alive": predict.p_alive(fit, x, t_x, T),
        "horizon_weeks": np.full(len(x), settings.horizon_weeks, dtype=np.int32),
        **predict.purchase_figures(
            fit, x, t_x, T, horizon_of(settings), holdout_weeks(summaries)
        ),
        "discounted_residual_purchases": predict.residual_discounted_purchases(
            fit, x, t_x, T, settings.discount_rate, DISCOUNT_STEP_WEEKS
        ),
    }
    arrays = [
        pa.array(
            values if name in WHOLE_NUMBERS else _published(values),
            from_pandas=True,
        )
        for name, values in columns.items()
    ]
    # the chance of each count depends on T alone: once per distinct T
    observed, of_summary = np.unique(T, return_inverse=True)
    probabilities = _published(
        predict.repeat_purchase_probabilities(fit, observed, HISTOGRAM_BINS)[of_summary]
    )
    values = pa.array(probabilities.ravel(), from_pandas=True)  # NaN as null
    arrays.append(
        pa.ListArray.from_arrays(
            pa.array(np.arange(0, len(values) + 1, HISTOGRAM_BINS, dtype=np.int32)),
            values,
        )
    )
    return pa.Table.from_arrays(arrays, schema=EXPECTATIONS_SCHEMA)
