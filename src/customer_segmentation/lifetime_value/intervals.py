"""How sure a maximum-likelihood fit is: standard errors from the observed
information, and 90% intervals.

The fits search the logarithms of the parameters (fitting._fit), and so do the
errors: the Hessian of the negative log-likelihood at the estimates, in the
log-parameters, is the observed information; its inverse is the estimates'
asymptotic covariance. An interval is symmetric on the log scale,
``exp(log p -+ 1.645 se)``, so it never reaches below zero and follows the
skew a rate or a shape parameter's estimate has in samples of a few
thousand customers. The standard error published on the parameter's own
scale is ``p * se`` (the delta method). Where the information cannot be
inverted (an estimate on the search's bounds, a flat likelihood) there is no
error and no interval.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

# two-sided 90%: the standard normal's 95th percentile
Z_90 = 1.6448536269514722
# steps on the log scale: central differences of the analytic gradient,
# second differences of the likelihood where a model has no gradient
GRADIENT_STEP = 1e-5
VALUE_STEP = 1e-4


def hessian_from_gradient(
    gradient: Callable[[np.ndarray], np.ndarray], at: np.ndarray
) -> np.ndarray:
    """Central differences of an analytic gradient, made symmetric."""
    columns = []
    for j in range(len(at)):
        step = np.zeros_like(at)
        step[j] = GRADIENT_STEP
        columns.append(
            (gradient(at + step) - gradient(at - step)) / (2 * GRADIENT_STEP)
        )
    hessian = np.column_stack(columns)
    return (hessian + hessian.T) / 2


def hessian_from_values(
    value: Callable[[np.ndarray], float], at: np.ndarray
) -> np.ndarray:
    """Second differences of the function itself (four values per entry)."""
    n = len(at)
    steps = np.eye(n) * VALUE_STEP
    hessian = np.empty((n, n))
    for i in range(n):
        for j in range(i, n):
            corner = [
                value(at + si * steps[i] + sj * steps[j])
                for si, sj in ((1, 1), (1, -1), (-1, 1), (-1, -1))
            ]
            entry = (corner[0] - corner[1] - corner[2] + corner[3]) / (
                4 * VALUE_STEP**2
            )
            hessian[i, j] = hessian[j, i] = entry
    return hessian


def log_covariance(hessian: np.ndarray) -> np.ndarray:
    """The inverse information: the log-parameters' asymptotic covariance;
    NaN where the information is not positive definite (no error can be
    told)."""
    if not np.all(np.isfinite(hessian)):
        return np.full(hessian.shape, np.nan)
    try:
        np.linalg.cholesky(hessian)
    except np.linalg.LinAlgError:
        return np.full(hessian.shape, np.nan)
    covariance = np.linalg.inv(hessian)
    return (covariance + covariance.T) / 2


def information_covariance(
    objective: Callable[[np.ndarray], Any], at: np.ndarray, with_gradient: bool
) -> np.ndarray:
    """The covariance of the log-parameters at the estimates ``at``; the
    objective returns the value, or the value and the gradient."""
    hessian = (
        hessian_from_gradient(lambda point: objective(point)[1], at)
        if with_gradient
        else hessian_from_values(objective, at)
    )
    return log_covariance(hessian)


def interval_90(value: float, log_error: float) -> tuple[float, float]:
    """The 90% interval of an estimate, symmetric on the log scale."""
    return (
        float(value * np.exp(-Z_90 * log_error)),
        float(value * np.exp(Z_90 * log_error)),
    )


# A figure's change along a direction is read from the parameters one
# hundredth of the direction either side (central differences).
DIRECTION_STEP = 0.01


def interval_directions(log_covariance: np.ndarray) -> np.ndarray | None:
    """Z_90 times the Cholesky factor of the log-parameters' covariance,
    one direction per column; None where the covariance is not known.

    Along these directions the estimates' uncertainty is independent and of
    90%-half-width size: a figure's change along each, its *component*, is
    its gradient times the direction, and the square root of the sum of a
    figure's squared components is its 90% half-width by the delta method.
    Components add up over customers, so the half-width of a segment's
    total is read from sums (not from each customer's half-width)."""
    if log_covariance is None or not np.all(np.isfinite(log_covariance)):
        return None
    try:
        return Z_90 * np.linalg.cholesky(log_covariance)
    except np.linalg.LinAlgError:
        return None


def shifted_parameters(
    values: np.ndarray, directions: np.ndarray
) -> list[tuple[np.ndarray, np.ndarray]]:
    """Per direction, the parameters a step up and a step down along it (on
    the log scale, where the covariance is)."""
    log_values = np.log(values)
    return [
        (
            np.exp(log_values + DIRECTION_STEP * directions[:, k]),
            np.exp(log_values - DIRECTION_STEP * directions[:, k]),
        )
        for k in range(directions.shape[1])
    ]


def component(up: np.ndarray, down: np.ndarray) -> np.ndarray:
    """A figure's change along one direction, from its values a step up and
    a step down."""
    return (np.asarray(up) - np.asarray(down)) / (2 * DIRECTION_STEP)


def bounds(point: np.ndarray, components: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """A positive figure's 90% interval from its components (one row per
    direction), symmetric on the log scale as the parameters' are: the
    half-width over the figure is the log scale's half-width."""
    point = np.asarray(point, dtype=np.float64)
    half_width = np.sqrt(np.sum(np.square(components), axis=0))
    with np.errstate(divide="ignore", invalid="ignore"):
        spread = np.where(point > 0, np.exp(half_width / point), 1.0)
    return point / spread, point * spread
