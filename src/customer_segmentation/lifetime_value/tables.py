"""The lifetime-value fit for the dbt Python models, and what the other
lifetime-value tables share (settings, summaries, the fit used): calibration
summaries in (engines.rows.Rows), Arrow out.

Customers with the same summary (x, t_x, T) share every expectation, so the
fit and the expectations (expectation_table) work on the distinct
summaries with a count: a million customers cost
what their few hundred thousand distinct summaries cost. SQL joins the
expectations back to the customers and prices them with the Gamma-Gamma
parameters (customer_clv). Nothing here imports dbt; SciPy is imported only
when there is something to fit.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Iterator, Mapping
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import date

import numpy as np
import pyarrow as pa

from customer_segmentation.engines.rows import Rows
from customer_segmentation.lifetime_value import fitting
from customer_segmentation.lifetime_value.choice import Holdout, choose
from customer_segmentation.lifetime_value.fitting import LOG_PARAMETER_BOUND
from customer_segmentation.lifetime_value.intervals import interval_90

# The purchase models: one of them is used (choice), and SQL prices its
# expectations with Gamma-Gamma.
PURCHASE_MODELS = ("bg_nbd", "pareto_nbd")
# The horizon is discounted in periods of four weeks, each from its end.
DISCOUNT_STEP_WEEKS = 4

CLV_MODEL_SCHEMA = pa.schema(
    [
        ("model", pa.string()),
        ("parameter", pa.string()),
        ("value", pa.float64()),
        ("standard_error", pa.float64()),
        ("interval_low", pa.float64()),
        ("interval_high", pa.float64()),
        ("log_covariance", pa.list_(pa.float64())),
        ("log_likelihood", pa.float64()),
        ("customers", pa.int64()),
        ("converged", pa.bool_()),
        ("fit_problem", pa.string()),
        ("is_used_in_clv", pa.bool_()),
        ("holdout_squared_error", pa.float64()),
        ("model_choice", pa.string()),
    ]
)

# Fewer customers who bought again than this, and the models are not fitted:
# with a handful of repeat buyers BG/NBD's four parameters run to their
# bounds and every value it gives is noise.
MIN_REPEAT_BUYERS = 10
# A log-parameter this close to LOG_PARAMETER_BOUND sits on the bound.
BOUND_TOLERANCE = 1e-4

SUMMARY_KEY = ("repeat_purchases", "weeks_to_last_purchase", "weeks_observed")


@dataclass(frozen=True)
class ClvSettings:
    """The vars clv_horizon_weeks and clv_discount_rate, with their defaults."""

    horizon_weeks: int = 52
    discount_rate: float = 0.10


def horizon_of(settings: ClvSettings) -> tuple[int, float, int]:
    """(Weeks, annual discount rate, weeks per discounted period)."""
    return settings.horizon_weeks, settings.discount_rate, DISCOUNT_STEP_WEEKS


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


@dataclass(frozen=True)
class PurchaseWindow:
    """The purchases lifetime value is fitted on: the first and last purchase
    dates, and the var clv_calibration_end as given (None: unset)."""

    first_purchase: date | None
    last_purchase: date | None
    calibration_end: date | None = None

    @classmethod
    def of(cls, customers: Rows, meta: Mapping[str, object] | None) -> PurchaseWindow:
        """From the customers' first and last purchases and the var; no
        purchase at all when the var lifetime_value is false."""
        meta = meta or {}
        if str(meta.get("lifetime_value", "true")).strip().lower() == "false":
            return cls(None, None)
        first, last = customers.one(
            "min(first_purchase_date)", "max(last_purchase_date)"
        )
        given = str(meta.get("clv_calibration_end") or "").strip()
        return cls(first, last, date.fromisoformat(given) if given else None)


def data_problem(window: PurchaseWindow, repeat_buyers: int) -> str | None:
    """Why these purchases cannot carry lifetime value, or None."""
    var = "var clv_calibration_end"
    end = window.calibration_end or window.last_purchase
    since = f"by {end} ({var})" if window.calibration_end else f"by {end}"
    if window.calibration_end and window.calibration_end < window.first_purchase:
        return (
            f"{var} {window.calibration_end} is before the first purchase "
            f"({window.first_purchase}): no customer to fit on"
        )
    if window.calibration_end and window.calibration_end >= window.last_purchase:
        return (
            f"{var} {window.calibration_end} is on or after the last purchase "
            f"({window.last_purchase}): no purchase is left to check the fit "
            "against; unset it to fit on every purchase"
        )
    if repeat_buyers == 0:
        return f"no customer bought again {since}: the models need repeat purchases"
    if repeat_buyers < MIN_REPEAT_BUYERS:
        return (
            f"only {repeat_buyers} customers bought again {since}: the models "
            f"need at least {MIN_REPEAT_BUYERS}"
        )
    return None


def _finite(value: float) -> float | None:
    return value if math.isfinite(value) else None


def fit_problem(fit) -> str | None:
    """Why a fit's figures cannot be used, or None: estimates that are not
    finite, on the search's bounds, q <= 1 for Gamma-Gamma, no convergence."""
    values = fit.parameters
    if not all(map(math.isfinite, [*values.values(), fit.log_likelihood])):
        return "its estimates are not finite"
    bound = LOG_PARAMETER_BOUND - BOUND_TOLERANCE
    on_bound = [
        f"{name} = {value:.3g}"
        for name, value in values.items()
        if value <= 0 or abs(math.log(value)) >= bound
    ]
    if on_bound:
        return (
            f"its estimates ran to the bounds of the search ({', '.join(on_bound)}):"
            " the data cannot pin them down"
        )
    if fit.model == "gamma_gamma" and values["q"] <= 1:
        return "q <= 1: the mean spend has no finite expectation"
    if not fit.converged:
        return "the optimiser did not converge"
    return None


def _uncertainty(value: float, log_error: float) -> dict[str, float | None]:
    """The standard error on the parameter's scale and the 90% interval
    (lifetime_value/intervals.py); empty where the information could not be inverted."""
    if not (math.isfinite(value) and math.isfinite(log_error)):
        return dict.fromkeys(("standard_error", "interval_low", "interval_high"))
    low, high = interval_90(value, log_error)
    return {
        "standard_error": _finite(value * log_error),
        "interval_low": _finite(low),
        "interval_high": _finite(high),
    }


def _model_rows(fit) -> list[dict[str, object]]:
    """One row per parameter; a fit with a problem is not converged, and a
    value that is not finite is left empty (no NaN or infinity published)."""
    problem = fit_problem(fit)
    errors = fit.log_errors
    return [
        {
            "model": fit.model,
            "parameter": name,
            "value": _finite(value),
            **_uncertainty(value, errors[name]),
            "log_covariance": _covariance_row(fit, position),
            "log_likelihood": _finite(fit.log_likelihood),
            "customers": fit.customers,
            "converged": problem is None,
            "fit_problem": problem,
            # Gamma-Gamma prices whichever purchase model choice picks
            "is_used_in_clv": fit.model == "gamma_gamma" and problem is None,
            "holdout_squared_error": None,
            "model_choice": None,
        }
        for position, (name, value) in enumerate(fit.parameters.items())
    ]


def _covariance_row(fit, position: int) -> list[float | None] | None:
    """The parameter's row of the log-parameters' covariance, in the model's
    parameter order; empty where the covariance is not known."""
    if fit.log_covariance is None:
        return None
    row = np.asarray(fit.log_covariance)[position]
    return row.tolist() if np.all(np.isfinite(row)) else None


def model_parameters() -> dict[str, tuple[str, ...]]:
    """Each model's parameters, in their papers' order."""
    return {
        "bg_nbd": fitting.BGNBD_PARAMETERS,
        "pareto_nbd": fitting.PARETO_NBD_PARAMETERS,
        "gamma_gamma": fitting.GAMMA_GAMMA_PARAMETERS,
    }


def _unfitted_rows(customers: int, problem: str) -> list[dict[str, object]]:
    """Every model's parameters, empty and not converged, with the reason."""
    return [
        {
            "model": model,
            "parameter": name,
            "value": None,
            "standard_error": None,
            "interval_low": None,
            "interval_high": None,
            "log_covariance": None,
            "log_likelihood": None,
            "customers": customers,
            "converged": False,
            "fit_problem": problem,
            "is_used_in_clv": False,
            "holdout_squared_error": None,
            "model_choice": None,
        }
        for model, names in model_parameters().items()
        for name in names
    ]


@contextmanager
def quietly() -> Iterator[None]:
    """No NumPy or SciPy warning reaches the run's output: an overflow on
    the way to an optimum is expected, and a result that is not finite is
    reported as the fit's problem instead."""
    with np.errstate(all="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        yield


def grouped_summaries(summaries: Rows) -> dict[str, np.ndarray]:
    """Distinct summaries with their customers, in a fixed order: a parallel
    aggregate returns groups in any order, and a sum of floats in another
    order can tip an optimiser near its limits; same input, same fit."""
    return summaries.counted(SUMMARY_KEY)


def fitted_models(summaries: Rows, window: PurchaseWindow | None = None) -> pa.Table:
    """BG/NBD and Pareto/NBD on every customer's summary, Gamma-Gamma on
    the repeat buyers' mean spend; empty without a purchase. Purchases that
    cannot carry them (``data_problem``) give every model's rows, not
    converged, with the reason."""
    grouped = grouped_summaries(summaries)
    customers = int(np.sum(grouped["customers"]))
    if window is not None and window.first_purchase is not None:
        repeat = np.asarray(grouped["repeat_purchases"]) > 0
        repeat_buyers = int(np.sum(np.asarray(grouped["customers"])[repeat]))
        problem = data_problem(window, repeat_buyers)
        if problem:
            return pa.Table.from_pylist(
                _unfitted_rows(customers, problem), schema=CLV_MODEL_SCHEMA
            )
    if customers == 0:
        return CLV_MODEL_SCHEMA.empty_table()
    with quietly():
        return _fit_all(summaries, grouped)


def _fit_all(summaries: Rows, grouped: dict[str, np.ndarray]) -> pa.Table:
    purchases = fitting.Summaries(
        *(np.asarray(grouped[c], dtype=np.float64) for c in SUMMARY_KEY),
        np.asarray(grouped["customers"], dtype=np.float64),
    )
    # Pareto/NBD has no analytic gradient here and takes longest: it runs
    # beside the other two (SciPy's special functions release the GIL)
    with ThreadPoolExecutor(max_workers=1) as beside:
        pareto = beside.submit(fitting.fit_pareto_nbd, purchases)
        fits = [fitting.fit_bgnbd(purchases)]
        spend = _spend_rows(summaries)
        fits.append(pareto.result())
    usable = {fit.model: fit for fit in fits if fit_problem(fit) is None}
    choice = choose(usable, _holdout(summaries), purchases)
    rows = [
        row
        | {
            "is_used_in_clv": fit.model == choice.model,
            "holdout_squared_error": choice.holdout_errors.get(fit.model),
            "model_choice": choice.reason,
        }
        for fit in fits
        for row in _model_rows(fit)
    ]
    return pa.Table.from_pylist(rows + spend, schema=CLV_MODEL_SCHEMA)


def _holdout(summaries: Rows):
    """Each distinct summary and holdout count with its customers, for the
    choice of model; None without a holdout."""
    weeks = holdout_weeks(summaries)
    if weeks is None:
        return None
    grouped = summaries.counted((*SUMMARY_KEY, "holdout_repeat_purchases"))
    x, t_x, T, purchases = (
        np.asarray(grouped[c], dtype=np.float64)
        for c in (*SUMMARY_KEY, "holdout_repeat_purchases")
    )
    return Holdout(x, t_x, T, purchases, grouped["customers"].astype(np.float64), weeks)


def _spend_rows(summaries: Rows) -> list[dict[str, object]]:
    """Gamma-Gamma on the repeat buyers' mean spend; none without one."""
    spends = summaries.counted(
        ("repeat_purchases", "mean_repeat_spend"),
        where="repeat_purchases > 0 and mean_repeat_spend > 0",
    )
    if not len(spends["customers"]):
        return []
    return _model_rows(
        fitting.fit_gamma_gamma(
            spends["repeat_purchases"],
            spends["mean_repeat_spend"],
            spends["customers"],
        )
    )


def usable_fit(models: pa.Table, model: str):
    """The converged fit of ``model`` from the model table, else None."""
    names = model_parameters()[model]
    found = {
        row["parameter"]: row for row in models.to_pylist() if row["model"] == model
    }
    if set(found) != set(names) or not all(row["converged"] for row in found.values()):
        return None
    rows = [found[name] for name in names]  # the engine keeps no row order
    covariance = [row["log_covariance"] for row in rows]
    return fitting.Fit(
        model,
        {row["parameter"]: row["value"] for row in rows},
        rows[0]["log_likelihood"],
        True,
        rows[0]["customers"],
        None if None in covariance else np.array(covariance, dtype=np.float64),
    )


def purchase_fit(models: pa.Table):
    """The purchase model's fit that customer_clv's figures come from (the
    row is_used_in_clv), else None."""
    used = {
        row["model"]
        for row in models.to_pylist()
        if row["is_used_in_clv"] and row["model"] in PURCHASE_MODELS
    }
    return usable_fit(models, used.pop()) if len(used) == 1 else None


def holdout_weeks(summaries: Rows) -> float | None:
    """Weeks from the calibration's end to the holdout's, None without one."""
    calibration_end, holdout_end = summaries.one(
        "max(calibration_end_date)", "max(holdout_end_date)"
    )
    if holdout_end is None:
        return None
    return (holdout_end - calibration_end).days / 7.0
