"""The purchase figures a customer's lifetime value is built from, from
whichever purchase model is used (choice): BG/NBD (bgnbd) or
Pareto/NBD (pareto).

Both models split alike: P(alive) per summary, times what a customer would
do if alive, which depends on x and T only (once per distinct pair). So a
figure over many periods costs one P(alive), and the shifted fits of the
intervals (components) reuse the same pairs.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from customer_segmentation.lifetime_value import bgnbd, pareto
from customer_segmentation.lifetime_value.fitting import DistinctPairs, Fit


@dataclass(frozen=True)
class PurchaseModel:
    """A purchase model's expectations, each a function of a fitting.Fit."""

    # (fit, x, t_x, T) -> per summary
    p_alive: Callable[..., np.ndarray]
    # (fit, t, pairs) -> per distinct (x, T) pair
    expected_if_alive: Callable[..., np.ndarray]
    # (fit, pairs, annual rate, weeks per period, periods) -> per pair
    residual_if_alive: Callable[..., np.ndarray]
    # (fit, t) -> E[X(t)], purchases in t weeks from the first
    expected_purchases: Callable[..., np.ndarray]
    # (fit, t, most) -> P(X(t) = x), x = 0 .. most - 1, one row per t
    repeat_purchase_probabilities: Callable[..., np.ndarray]


PURCHASE_MODELS = {
    "bg_nbd": PurchaseModel(
        bgnbd.bgnbd_p_alive,
        bgnbd.bgnbd_expected_if_alive,
        bgnbd.bgnbd_residual_if_alive,
        bgnbd.bgnbd_expected_purchases,
        bgnbd.bgnbd_repeat_purchase_probabilities,
    ),
    "pareto_nbd": PurchaseModel(
        pareto.pareto_p_alive,
        pareto.pareto_expected_if_alive,
        pareto.pareto_residual_if_alive,
        pareto.pareto_expected_purchases,
        pareto.pareto_repeat_purchase_probabilities,
    ),
}


def _summaries(x, t_x, T) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    return np.broadcast_arrays(
        *(np.atleast_1d(np.asarray(v, dtype=np.float64)) for v in (x, t_x, T))
    )


def p_alive(fit: Fit, x, t_x, T) -> np.ndarray:
    """P(still active | x, t_x, T)."""
    return PURCHASE_MODELS[fit.model].p_alive(fit, *_summaries(x, t_x, T))


def expected_purchases(fit: Fit, t) -> np.ndarray:
    """E[X(t)]: purchases expected in t weeks from a customer's first."""
    return PURCHASE_MODELS[fit.model].expected_purchases(fit, t)


def repeat_purchase_probabilities(fit: Fit, t, most: int) -> np.ndarray:
    """P(X(t) = x) for x = 0 .. most - 1, one row per t."""
    return PURCHASE_MODELS[fit.model].repeat_purchase_probabilities(fit, t, most)


def conditional_expected_purchases(
    fit: Fit, t, x, t_x, T, pairs: DistinctPairs | None = None
) -> np.ndarray:
    """E[Y(t) | x, t_x, T]: purchases expected in the next t weeks."""
    x, t_x, T = _summaries(x, t_x, T)
    model = PURCHASE_MODELS[fit.model]
    pairs = pairs or DistinctPairs.of(x, T)
    if_alive = model.expected_if_alive(fit, t, pairs)
    return if_alive[pairs.of_summary] * model.p_alive(fit, x, t_x, T)


def _discounted_if_alive(
    fit: Fit, pairs: DistinctPairs, horizon: tuple[int, float, int]
) -> np.ndarray:
    """Per pair, purchases expected over the horizon if alive, each period's
    discounted to now at the annual rate from the period's end (periods of
    a step's weeks, the last one shorter where the horizon is not a
    multiple)."""
    weeks, annual_rate, step = horizon
    ends = np.minimum(np.arange(step, weeks + step, step), weeks).astype(np.float64)
    model = PURCHASE_MODELS[fit.model]
    cumulative = np.stack([model.expected_if_alive(fit, end, pairs) for end in ends])
    per_period = np.diff(cumulative, axis=0, prepend=0.0)
    return (1 + annual_rate) ** (-ends / 52.0) @ per_period


def discounted_expected_purchases(
    fit: Fit,
    x,
    t_x,
    T,
    horizon: tuple[int, float, int],
    pairs: DistinctPairs | None = None,
) -> np.ndarray:
    """Purchases expected over the horizon (weeks, annual discount rate,
    weeks per discounted period), each period's discounted to now."""
    x, t_x, T = _summaries(x, t_x, T)
    pairs = pairs or DistinctPairs.of(x, T)
    discounted = _discounted_if_alive(fit, pairs, horizon)
    return discounted[pairs.of_summary] * p_alive(fit, x, t_x, T)


def residual_discounted_purchases(
    fit: Fit, x, t_x, T, annual_rate: float, step_weeks: int, periods: int = 0
) -> np.ndarray:
    """All purchases expected from now on, with no horizon, each period's
    discounted from its end as in discounted_expected_purchases;
    ``periods``: the series cut after so many, which must give
    discounted_expected_purchases' figure."""
    x, t_x, T = _summaries(x, t_x, T)
    pairs = DistinctPairs.of(x, T)
    residual = PURCHASE_MODELS[fit.model].residual_if_alive(
        fit, pairs, annual_rate, step_weeks, periods
    )
    return residual[pairs.of_summary] * p_alive(fit, x, t_x, T)


def purchase_figures(
    fit: Fit,
    x: np.ndarray,
    t_x: np.ndarray,
    T: np.ndarray,
    horizon: tuple[int, float, int],
    holdout_weeks: float | None,
    pairs: DistinctPairs | None = None,
) -> dict[str, np.ndarray]:
    """The published purchase figures of each summary: over the horizon
    (``horizon``: weeks, annual discount rate, weeks per discounted period),
    plain and discounted; in the holdout and from the first purchase to its
    end (NaN without a holdout). ``pairs``: the summaries' distinct (x, T),
    when the caller evaluates several fits on the same summaries."""
    model = PURCHASE_MODELS[fit.model]
    pairs = pairs or DistinctPairs.of(x, T)
    alive = model.p_alive(fit, x, t_x, T)
    figures = {
        "expected_purchases": model.expected_if_alive(fit, horizon[0], pairs),
        "discounted_expected_purchases": _discounted_if_alive(fit, pairs, horizon),
    }
    figures = {name: v[pairs.of_summary] * alive for name, v in figures.items()}
    no_holdout = np.full_like(x, np.nan)
    if holdout_weeks is None:
        return figures | dict.fromkeys(
            ("expected_holdout_purchases", "expected_purchases_to_holdout_end"),
            no_holdout,
        )
    # E[X(t)] depends on T alone: once per distinct T
    observed, of_summary = np.unique(T, return_inverse=True)
    holdout = model.expected_if_alive(fit, holdout_weeks, pairs)
    return figures | {
        "expected_holdout_purchases": holdout[pairs.of_summary] * alive,
        "expected_purchases_to_holdout_end": model.expected_purchases(
            fit, observed + holdout_weeks
        )[of_summary],
    }
