"""The lifetime-value fit and expectations for the dbt Python models:
calibration summaries in (engine_rows.Rows), Arrow out.

Customers with the same summary (x, t_x, T) share every expectation, so both
steps work on the distinct summaries with a count: a million customers cost
what their few hundred thousand distinct summaries cost. SQL joins the
expectations back to the customers and prices them with the Gamma-Gamma
parameters (customer_clv). Nothing here imports dbt; SciPy is imported only
when there is something to fit.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace

import numpy as np
import pyarrow as pa

from customer_segmentation.engine_rows import Rows

# The model whose expectations are published (SQL prices them with
# Gamma-Gamma); Pareto/NBD is fitted beside it so the log-likelihoods compare.
PURCHASE_MODEL = "bg_nbd"
# The calibration histogram's bins: 0 .. 6 repeat purchases, then 7+.
HISTOGRAM_BINS = 7
# The horizon is discounted in periods of four weeks, each from its end.
DISCOUNT_STEP_WEEKS = 4

CLV_MODEL_SCHEMA = pa.schema(
    [
        ("model", pa.string()),
        ("parameter", pa.string()),
        ("value", pa.float64()),
        ("log_likelihood", pa.float64()),
        ("customers", pa.int64()),
        ("converged", pa.bool_()),
    ]
)

SUMMARY_KEY = ("repeat_purchases", "weeks_to_last_purchase", "weeks_observed")

EXPECTATIONS_SCHEMA = pa.schema(
    [
        ("repeat_purchases", pa.int64()),
        ("weeks_to_last_purchase", pa.float64()),
        ("weeks_observed", pa.float64()),
        ("p_alive", pa.float64()),
        ("expected_purchases", pa.float64()),
        ("discounted_expected_purchases", pa.float64()),
        ("expected_holdout_purchases", pa.float64()),
        ("expected_purchases_to_holdout_end", pa.float64()),
        ("calibration_repeat_probabilities", pa.list_(pa.float64())),
    ]
)


@dataclass(frozen=True)
class ClvSettings:
    """The vars clv_horizon_weeks and clv_discount_rate, with their defaults."""

    horizon_weeks: int = 52
    discount_rate: float = 0.10


def settings_from_meta(meta: Mapping[str, object] | None) -> ClvSettings:
    """The horizon and the annual discount rate as dbt_project.yml hands
    them to the Python models, blank for the default (`segments run` checks
    their ranges first, settings.SQL_VARS)."""
    given = {
        field: kind(str(meta[var]))
        for var, field, kind in (
            ("clv_horizon_weeks", "horizon_weeks", int),
            ("clv_discount_rate", "discount_rate", float),
        )
        if meta and str(meta.get(var, "")).strip()
    }
    return replace(ClvSettings(), **given)


def _finite(value: float) -> float | None:
    return value if math.isfinite(value) else None


def _model_rows(fit) -> list[dict[str, object]]:
    """One row per parameter; a value that is not finite is left empty and
    the fit is marked not converged, so no NaN or infinity is published."""
    finite = all(math.isfinite(v) for v in fit.parameters.values()) and math.isfinite(
        fit.log_likelihood
    )
    return [
        {
            "model": fit.model,
            "parameter": name,
            "value": _finite(value),
            "log_likelihood": _finite(fit.log_likelihood),
            "customers": fit.customers,
            "converged": bool(fit.converged and finite),
        }
        for name, value in fit.parameters.items()
    ]


def grouped_summaries(summaries: Rows) -> dict[str, np.ndarray]:
    """Distinct summaries with their customers, in a fixed order: a parallel
    aggregate returns groups in any order, and a sum of floats in another
    order can tip an optimiser near its limits; same input, same fit."""
    return summaries.counted(SUMMARY_KEY)


def fitted_models(summaries: Rows) -> pa.Table:
    """BG/NBD and Pareto/NBD on every customer's summary, Gamma-Gamma on
    the repeat buyers' mean spend; empty when there is no customer."""
    grouped = grouped_summaries(summaries)
    if len(grouped["customers"]) == 0:
        return CLV_MODEL_SCHEMA.empty_table()
    from customer_segmentation import clv

    purchases = clv.Summaries(
        *(np.asarray(grouped[c], dtype=np.float64) for c in SUMMARY_KEY),
        np.asarray(grouped["customers"], dtype=np.float64),
    )
    # Pareto/NBD has no analytic gradient here and takes longest: it runs
    # beside the other two (SciPy's special functions release the GIL)
    with ThreadPoolExecutor(max_workers=1) as beside:
        pareto = beside.submit(clv.fit_pareto_nbd, purchases)
        bgnbd = _model_rows(clv.fit_bgnbd(purchases))
        spend = _spend_rows(summaries)
        rows = bgnbd + _model_rows(pareto.result()) + spend
    return pa.Table.from_pylist(rows, schema=CLV_MODEL_SCHEMA)


def _spend_rows(summaries: Rows) -> list[dict[str, object]]:
    """Gamma-Gamma on the repeat buyers' mean spend; none without one."""
    from customer_segmentation import clv

    spends = summaries.counted(
        ("repeat_purchases", "mean_repeat_spend"),
        where="repeat_purchases > 0 and mean_repeat_spend > 0",
    )
    if not len(spends["customers"]):
        return []
    return _model_rows(
        clv.fit_gamma_gamma(
            spends["repeat_purchases"],
            spends["mean_repeat_spend"],
            spends["customers"],
        )
    )


def usable_fit(models: pa.Table, model: str):
    """The converged fit of ``model`` from the model table, else None."""
    from customer_segmentation import clv

    rows = [row for row in models.to_pylist() if row["model"] == model]
    if not rows or not all(row["converged"] for row in rows):
        return None
    return clv.Fit(
        model,
        {row["parameter"]: row["value"] for row in rows},
        rows[0]["log_likelihood"],
        True,
        rows[0]["customers"],
    )


def holdout_weeks(summaries: Rows) -> float | None:
    """Weeks from the calibration's end to the holdout's, None without one."""
    calibration_end, holdout_end = summaries.one(
        "max(calibration_end_date)", "max(holdout_end_date)"
    )
    if holdout_end is None:
        return None
    return (holdout_end - calibration_end).days / 7.0


def _published(values: np.ndarray) -> np.ndarray:
    """NaN where a value is not finite: Arrow writes it as empty (null)."""
    values = np.asarray(values, dtype=np.float64)
    return np.where(np.isfinite(values), values, np.nan)


def expectations(summaries: Rows, models: pa.Table, settings: ClvSettings) -> pa.Table:
    """Per distinct summary: P(alive), purchases expected over the horizon
    (plain and discounted), in the holdout, from the first purchase to the
    holdout's end, and the chance of each calibration count (0 .. 6); empty
    when BG/NBD has no converged fit."""
    fit = usable_fit(models, PURCHASE_MODEL)
    if fit is None:
        return EXPECTATIONS_SCHEMA.empty_table()
    from customer_segmentation import clv

    grouped = grouped_summaries(summaries)
    x, t_x, T = (np.asarray(grouped[c], dtype=np.float64) for c in SUMMARY_KEY)
    weeks = holdout_weeks(summaries)
    no_holdout = np.full_like(x, np.nan)
    columns = {
        "repeat_purchases": np.asarray(grouped["repeat_purchases"], dtype=np.int64),
        "weeks_to_last_purchase": t_x,
        "weeks_observed": T,
        "p_alive": clv.bgnbd_p_alive(fit, x, t_x, T),
        "expected_purchases": clv.bgnbd_conditional_expected_purchases(
            fit, settings.horizon_weeks, x, t_x, T
        ),
        "discounted_expected_purchases": clv.discounted_expected_purchases(
            fit,
            x,
            t_x,
            T,
            settings.horizon_weeks,
            settings.discount_rate,
            DISCOUNT_STEP_WEEKS,
        ),
        "expected_holdout_purchases": no_holdout
        if weeks is None
        else clv.bgnbd_conditional_expected_purchases(fit, weeks, x, t_x, T),
        "expected_purchases_to_holdout_end": no_holdout
        if weeks is None
        else clv.bgnbd_expected_purchases(fit, T + weeks),
    }
    arrays = [
        pa.array(
            _published(values) if name != "repeat_purchases" else values,
            from_pandas=True,
        )
        for name, values in columns.items()
    ]
    probabilities = _published(
        clv.bgnbd_repeat_purchase_probabilities(fit, T, HISTOGRAM_BINS)
    )
    values = pa.array(probabilities.ravel(), from_pandas=True)  # NaN as null
    arrays.append(
        pa.ListArray.from_arrays(
            pa.array(np.arange(0, len(values) + 1, HISTOGRAM_BINS, dtype=np.int32)),
            values,
        )
    )
    return pa.Table.from_arrays(arrays, schema=EXPECTATIONS_SCHEMA)
