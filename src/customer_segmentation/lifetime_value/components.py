"""How sure the lifetime-value figures are: each figure's change along the
directions of the parameters' uncertainty (intervals.interval_directions),
for the dbt Python models int_clv_parameter_shifts and
int_clv_expectation_components.

A figure's 90% half-width is the square root of the sum of its squared
components (the delta method with the parameters' full covariance), and
components add up over customers: SQL sums them per customer, per segment
or over everyone before squaring, so no customer passes through Python and
a total's interval carries how its customers' figures move together. Why
the delta method and not parameter draws or a bootstrap: docs/lifetime_value.md.
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa

from customer_segmentation.engines.rows import Rows
from customer_segmentation.lifetime_value.fitting import DistinctPairs, Fit
from customer_segmentation.lifetime_value.intervals import (
    DIRECTION_STEP,
    component,
    interval_directions,
    shifted_parameters,
)
from customer_segmentation.lifetime_value.predictions import purchase_figures
from customer_segmentation.lifetime_value.tables import (
    SUMMARY_KEY,
    ClvSettings,
    grouped_summaries,
    holdout_weeks,
    horizon_of,
    model_parameters,
    purchase_fit,
    quietly,
    usable_fit,
)

SHIFTS_SCHEMA = pa.schema(
    [
        ("model", pa.string()),
        ("direction", pa.int32()),
        ("parameter", pa.string()),
        ("value_up", pa.float64()),
        ("value_down", pa.float64()),
        ("step", pa.float64()),
    ]
)
# int_clv_expectations' figures whose components are published
FIGURES = (
    "expected_purchases",
    "discounted_expected_purchases",
    "expected_holdout_purchases",
    "expected_purchases_to_holdout_end",
)
COMPONENTS_SCHEMA = pa.schema(
    [
        ("repeat_purchases", pa.int64()),
        ("weeks_to_last_purchase", pa.float64()),
        ("weeks_observed", pa.float64()),
        ("model", pa.string()),
        ("direction", pa.int32()),
        *((figure, pa.float64()) for figure in FIGURES),
    ]
)


def parameter_shifts(models: pa.Table) -> pa.Table:
    """Per converged model with a known covariance, direction and parameter:
    the parameter a step up and a step down along the direction."""
    rows = []
    for model in model_parameters():
        fit = usable_fit(models, model)
        directions = None if fit is None else interval_directions(fit.log_covariance)
        if directions is None:
            continue
        values = np.array(list(fit.parameters.values()))
        shifts = shifted_parameters(values, directions)
        for direction, (up, down) in enumerate(shifts, start=1):
            rows += [
                {
                    "model": model,
                    "direction": direction,
                    "parameter": name,
                    "value_up": float(high),
                    "value_down": float(low),
                    "step": DIRECTION_STEP,
                }
                for name, high, low in zip(fit.parameters, up, down, strict=True)
            ]
    return pa.Table.from_pylist(rows, schema=SHIFTS_SCHEMA)


def shifted_fits(fit, shifts: pa.Table) -> list[tuple[object, object]]:
    """The fit a step up and a step down each direction, from the shifts
    table, in the directions' order."""
    rows = [row for row in shifts.to_pylist() if row["model"] == fit.model]
    fits = []
    for direction in sorted({row["direction"] for row in rows}):
        of_direction = {r["parameter"]: r for r in rows if r["direction"] == direction}
        up, down = (
            Fit(
                fit.model,
                {name: of_direction[name][side] for name in fit.parameters},
                fit.log_likelihood,
                True,
                fit.customers,
            )
            for side in ("value_up", "value_down")
        )
        fits.append((up, down))
    return fits


def expectation_components(
    summaries: Rows, models: pa.Table, shifts: pa.Table, settings: ClvSettings
) -> pa.Table:
    """Per distinct summary and direction of the purchase model used, each
    figure's component; empty without that model or its covariance."""
    fit = purchase_fit(models)
    fits = [] if fit is None else shifted_fits(fit, shifts)
    if not fits:
        return COMPONENTS_SCHEMA.empty_table()

    grouped = grouped_summaries(summaries)
    x, t_x, T = (np.asarray(grouped[c], dtype=np.float64) for c in SUMMARY_KEY)
    weeks = holdout_weeks(summaries)
    horizon = horizon_of(settings)
    pairs = DistinctPairs.of(x, T)
    parts = []
    with quietly():
        for direction, (up, down) in enumerate(fits, start=1):
            above = purchase_figures(up, x, t_x, T, horizon, weeks, pairs)
            below = purchase_figures(down, x, t_x, T, horizon, weeks, pairs)
            columns = {
                "repeat_purchases": np.asarray(grouped["repeat_purchases"], np.int64),
                "weeks_to_last_purchase": t_x,
                "weeks_observed": T,
                "model": pa.array([fit.model] * len(x), pa.string()),
                "direction": np.full(len(x), direction, dtype=np.int32),
                **{f: _finite(component(above[f], below[f])) for f in FIGURES},
            }
            parts.append(pa.table(columns, schema=COMPONENTS_SCHEMA))
    return pa.concat_tables(parts)


def _finite(values: np.ndarray) -> pa.Array:
    """Empty (null) where a component is not finite."""
    values = np.asarray(values, dtype=np.float64)
    return pa.array(np.where(np.isfinite(values), values, np.nan), from_pandas=True)
