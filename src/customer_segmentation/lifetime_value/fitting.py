"""Who will buy again and what they are worth: "buy till you die" models
fitted by maximum likelihood.

- BG/NBD (Fader, Hardie & Lee 2005, "Counting Your Customers the Easy Way")
  and Pareto/NBD (Schmittlein, Morrison & Colombo 1987, in the form of
  Fader & Hardie's 2005 note) for the number of repeat purchases;
- Gamma-Gamma (Fader & Hardie 2013, "The Gamma-Gamma Model of Monetary
  Value") for the mean spend per purchase.

Each customer is summarised by ``x`` (repeat purchases in the calibration
period), ``t_x`` (weeks from the first to the last purchase) and ``T`` (weeks
from the first purchase to the end of the calibration period); identical
summaries are grouped and given a weight, and the special functions are
computed per distinct x (or x and one time). Parameters are fitted on their
logarithms with L-BFGS-B. No dbt here: the dbt Python models hand arrays in.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, replace

import numpy as np
from scipy.optimize import minimize
from scipy.special import betaln, digamma, gammaln, hyp2f1

from customer_segmentation.lifetime_value import intervals

BGNBD_PARAMETERS = ("r", "alpha", "a", "b")
PARETO_NBD_PARAMETERS = ("r", "alpha", "s", "beta")
GAMMA_GAMMA_PARAMETERS = ("p", "q", "gamma")
# Parameters are searched between e^-20 and e^20 (2e-9 to 5e8).
LOG_PARAMETER_BOUND = 20.0
# A gradient this small against the likelihood is at the optimum.
FLAT_GRADIENT = 1e-6


@dataclass(frozen=True)
class Fit:
    """A fitted model: its parameters by their papers' names, the total
    log-likelihood, whether the optimiser says it converged, and each
    the estimates' covariance on the log scale (lifetime_value/intervals.py), in the
    parameters' order; NaN where it cannot be told."""

    model: str
    parameters: dict[str, float]
    log_likelihood: float
    converged: bool
    customers: int
    log_covariance: np.ndarray | None = None

    def __getitem__(self, name: str) -> float:
        return self.parameters[name]

    @property
    def log_errors(self) -> dict[str, float]:
        """Each estimate's standard error on the log scale."""
        if self.log_covariance is None:
            return dict.fromkeys(self.parameters, math.nan)
        errors = np.sqrt(np.diag(self.log_covariance))
        return dict(zip(self.parameters, errors.tolist(), strict=True))


@dataclass(frozen=True)
class Summaries:
    """Customers' calibration summaries, identical ones grouped with a weight."""

    x: np.ndarray
    t_x: np.ndarray
    T: np.ndarray
    weight: np.ndarray

    @classmethod
    def grouped(cls, x, t_x, T) -> Summaries:
        """Group identical (x, t_x, T) rows: one row per distinct summary."""
        rows = np.column_stack([np.asarray(v, dtype=np.float64) for v in (x, t_x, T)])
        distinct, counts = np.unique(rows, axis=0, return_counts=True)
        return cls(*distinct.T, counts.astype(np.float64))


# The negative log-likelihood at the parameters, and its gradient in them.
WithGradient = Callable[[np.ndarray], tuple[float, np.ndarray]]


def _fit(
    model: str,
    names: tuple[str, ...],
    negative_log_likelihood: Callable[[np.ndarray], float] | None,
    customers: int,
    with_gradient: WithGradient | None = None,
) -> Fit:
    """Minimise over the log-parameters, starting from all ones, within
    exp(+-LOG_PARAMETER_BOUND): past it the special functions lose their
    precision (a Pareto/NBD drifting to r = 1e16 reads a likelihood of 1).
    An analytic gradient makes a step one pass over the summaries, not one
    per parameter and one more; the standard errors come from it too."""
    if with_gradient is not None:

        def objective(log_params: np.ndarray) -> tuple[float, np.ndarray]:
            params = np.exp(log_params)
            value, gradient = with_gradient(params)
            return value, gradient * params  # d/d log p = p d/dp

        jac = True
    else:

        def objective(log_params: np.ndarray) -> float:
            return negative_log_likelihood(np.exp(log_params))

        jac = None
    # The search sees the likelihood per customer: on the total, its first
    # step (the gradient itself) can leap to the bounds, where the special
    # functions fail, and L-BFGS-B then stopped at its start calling it a
    # success (a Pareto/NBD on 3,000 simulated customers).
    scale = 1.0 / max(customers, 1)

    def per_customer(log_params: np.ndarray):
        if jac:
            value, gradient = objective(log_params)
            return value * scale, gradient * scale
        return objective(log_params) * scale

    result = minimize(
        per_customer,
        x0=np.zeros(len(names)),
        jac=jac,
        method="L-BFGS-B",
        bounds=[(-LOG_PARAMETER_BOUND, LOG_PARAMETER_BOUND)] * len(names),
        options={"maxiter": 2_000, "ftol": 1e-14, "gtol": 1e-9 * scale},
    )
    parameters = dict(zip(names, np.exp(result.x).tolist(), strict=True))
    log_likelihood = -float(result.fun) / scale
    # Converged is a flat gradient against the likelihood, whatever the
    # optimiser's message: its "success" can be a line search that found no
    # better point, and its "abnormal" stop a line search that cannot better
    # the last digits at the optimum (1 fit in 20 on simulated data).
    flat = np.max(np.abs(result.jac)) <= FLAT_GRADIENT * max(scale, abs(result.fun))
    converged = bool(flat) and np.isfinite(log_likelihood)
    covariance = intervals.information_covariance(objective, result.x, bool(jac))
    return Fit(model, parameters, log_likelihood, converged, customers, covariance)


def bgnbd_log_likelihoods(params: np.ndarray, s: Summaries) -> np.ndarray:
    """Each summary's BG/NBD log-likelihood (FHL 2005, equation 6)."""
    r, alpha, a, b = params
    x, t_x, T = s.x, s.t_x, s.T
    common = gammaln(r + x) - gammaln(r) + r * np.log(alpha)
    still_alive = betaln(a, b + x) - betaln(a, b) - (r + x) * np.log(alpha + T)
    with np.errstate(divide="ignore", invalid="ignore"):
        died_after_last = np.where(
            x > 0,
            betaln(a + 1, b + x - 1) - betaln(a, b) - (r + x) * np.log(alpha + t_x),
            -np.inf,
        )
    return common + np.logaddexp(still_alive, died_after_last)


def bgnbd_negative_with_gradient(
    params: np.ndarray,
    s: Summaries,
    distinct_x: tuple[np.ndarray, np.ndarray] | None = None,
) -> tuple[float, np.ndarray]:
    """The weighted negative log-likelihood and its gradient in (r, alpha,
    a, b): each summary's likelihood is a mix of "alive at T" and "died
    after the last purchase", and each part's derivative counts by its
    share of the mix. The special functions depend on x alone, so they are
    computed once per distinct x (``distinct_x``: np.unique's values and
    inverse) and spread to the summaries."""
    r, alpha, a, b = params
    t_x, T, w = s.t_x, s.T, s.weight
    xs, of = distinct_x or np.unique(s.x, return_inverse=True)
    x = s.x
    repeat = x > 0
    with np.errstate(divide="ignore", invalid="ignore"):
        died_beta = np.where(xs > 0, betaln(a + 1, b + xs - 1), -np.inf)[of]
        died_b = np.where(xs > 0, digamma(b + xs - 1), 0.0)[of]
    log_alive_beta = betaln(a, b + xs)[of]
    common = gammaln(r + xs)[of] - gammaln(r) + r * np.log(alpha)
    alive = log_alive_beta - betaln(a, b) - (r + x) * np.log(alpha + T)
    with np.errstate(invalid="ignore"):
        died = np.where(
            repeat,
            died_beta - betaln(a, b) - (r + x) * np.log(alpha + t_x),
            -np.inf,
        )
    mixed = np.logaddexp(alive, died)
    share_alive = np.exp(alive - mixed)
    share_died = 1 - share_alive
    digamma_abx = digamma(a + b + xs)[of]
    died_b = np.where(repeat, died_b - digamma_abx, 0.0)
    gradient = np.array(
        [
            digamma(r + xs)[of]
            - digamma(r)
            + np.log(alpha)
            - share_alive * np.log(alpha + T)
            - share_died * np.log(alpha + t_x),
            r / alpha
            - (r + x) * (share_alive / (alpha + T) + share_died / (alpha + t_x)),
            share_alive * (digamma(a) - digamma_abx)
            + share_died * (digamma(a + 1) - digamma_abx)
            - (digamma(a) - digamma(a + b)),
            share_alive * (digamma(b + xs)[of] - digamma_abx)
            + share_died * died_b
            - (digamma(b) - digamma(a + b)),
        ]
    )
    return -float(np.sum(w * (common + mixed))), -(gradient @ w)


def fit_bgnbd(s: Summaries) -> Fit:
    distinct_x = np.unique(s.x, return_inverse=True)
    return _fit(
        "bg_nbd",
        BGNBD_PARAMETERS,
        None,
        int(s.weight.sum()),
        with_gradient=lambda params: bgnbd_negative_with_gradient(
            params, s, distinct_x
        ),
    )


def _log_difference(first: np.ndarray, second: np.ndarray) -> np.ndarray:
    """log(e^first - e^second), for first > second."""
    return first + np.log1p(-np.exp(second - first))


@dataclass(frozen=True)
class DistinctPairs:
    """The distinct (x, t) pairs of some summaries, and which pair each
    summary has: the Pareto/NBD's hypergeometric terms depend on x and one
    time only, so they are computed once per pair (at 10M order lines, 5,473
    and 3,816 pairs for 105,612 summaries)."""

    x: np.ndarray
    t: np.ndarray
    of_summary: np.ndarray

    @classmethod
    def of(cls, x: np.ndarray, t: np.ndarray) -> DistinctPairs:
        # as complex numbers the pairs sort by x, then t, in one dimension:
        # a tenth of the time of np.unique(axis=0) on 100,000 summaries
        as_complex = np.asarray(x, dtype=np.float64) + 1j * np.asarray(
            t, dtype=np.float64
        )
        pairs, inverse = np.unique(as_complex, return_inverse=True)
        return cls(pairs.real.copy(), pairs.imag.copy(), inverse.ravel())


def _pareto_log_term(params: np.ndarray, pairs: DistinctPairs) -> np.ndarray:
    """log(2F1(r+s+x, b; r+s+x+1; |alpha-beta| / (m+t))) - (r+s+x) log(m+t),
    m the larger rate, per summary: the Gauss hypergeometric function on the
    smaller of the two rates so its argument stays in [0, 1)."""
    r, alpha, shape, beta = params
    x, t = pairs.x, pairs.t
    rsx = r + shape + x
    if alpha >= beta:
        larger, second_arg = alpha, shape + 1
    else:
        larger, second_arg = beta, r + x
    gap = abs(alpha - beta)
    term = np.log(hyp2f1(rsx, second_arg, rsx + 1, gap / (larger + t))) - rsx * (
        np.log(larger + t)
    )
    return term[pairs.of_summary]


def pareto_nbd_log_likelihoods(
    params: np.ndarray,
    s: Summaries,
    pairs: tuple[DistinctPairs, DistinctPairs] | None = None,
) -> np.ndarray:
    """Each summary's Pareto/NBD log-likelihood (Fader & Hardie 2005 note,
    equation 22). ``pairs``: the summaries' distinct (x, t_x) and (x, T)."""
    r, alpha, shape, beta = params
    x, T = s.x, s.T
    at_last, at_end = pairs or (DistinctPairs.of(x, s.t_x), DistinctPairs.of(x, T))
    log_at = _pareto_log_term(params, at_last)
    log_at_end = _pareto_log_term(params, at_end)
    rsx = r + shape + x
    with np.errstate(divide="ignore", invalid="ignore"):
        a0 = np.log(shape / rsx) + _log_difference(log_at, log_at_end)
    a0 = np.where(log_at > log_at_end, a0, -np.inf)
    alive = -(r + x) * np.log(alpha + T) - shape * np.log(beta + T)
    return (
        gammaln(r + x)
        - gammaln(r)
        + r * np.log(alpha)
        + shape * np.log(beta)
        + np.logaddexp(alive, a0)
    )


def fit_pareto_nbd(s: Summaries) -> Fit:
    pairs = (DistinctPairs.of(s.x, s.t_x), DistinctPairs.of(s.x, s.T))

    def negative(params: np.ndarray) -> float:
        values = pareto_nbd_log_likelihoods(params, s, pairs)
        if not np.all(np.isfinite(values)):
            return 1e300
        return -float(np.sum(s.weight * values))

    return _fit("pareto_nbd", PARETO_NBD_PARAMETERS, negative, int(s.weight.sum()))


def gamma_gamma_log_likelihoods(
    params: np.ndarray, x: np.ndarray, m_x: np.ndarray
) -> np.ndarray:
    """Each repeat buyer's Gamma-Gamma log-likelihood of their mean spend
    ``m_x`` over ``x`` purchases (Fader & Hardie 2013, equation 3)."""
    p, q, gamma = params
    px = p * x
    return (
        gammaln(px + q)
        - gammaln(px)
        - gammaln(q)
        + q * np.log(gamma)
        + (px - 1) * np.log(m_x)
        + px * np.log(x)
        - (px + q) * np.log(gamma + m_x * x)
    )


def gamma_gamma_negative_with_gradient(
    params: np.ndarray,
    x: np.ndarray,
    m_x: np.ndarray,
    weight: np.ndarray,
    distinct_x: tuple[np.ndarray, np.ndarray] | None = None,
) -> tuple[float, np.ndarray]:
    """The weighted negative log-likelihood and its gradient in (p, q, gamma)."""
    p, q, gamma = params
    xs, of = distinct_x or np.unique(x, return_inverse=True)
    px = p * x
    log_rest = np.log(gamma + m_x * x)
    log_m_x, log_x = np.log(m_x), np.log(x)
    shared = digamma(p * xs + q)[of]
    value = (
        gammaln(p * xs + q)[of]
        - gammaln(p * xs)[of]
        - gammaln(q)
        + q * np.log(gamma)
        + (px - 1) * log_m_x
        + px * log_x
        - (px + q) * log_rest
    )
    gradient = np.array(
        [
            x * (shared - digamma(p * xs)[of] + log_m_x + log_x - log_rest),
            shared - digamma(q) + np.log(gamma) - log_rest,
            q / gamma - (px + q) / (gamma + m_x * x),
        ]
    )
    return -float(np.sum(weight * value)), -(gradient @ weight)


def fit_gamma_gamma(x, m_x, weight=None) -> Fit:
    """Fit on customers with at least one repeat purchase and a positive mean."""
    x = np.asarray(x, dtype=np.float64)
    m_x = np.asarray(m_x, dtype=np.float64)
    weight = np.ones_like(x) if weight is None else np.asarray(weight, np.float64)
    distinct_x = np.unique(x, return_inverse=True)

    fit = _fit(
        "gamma_gamma",
        GAMMA_GAMMA_PARAMETERS,
        None,
        int(weight.sum()),
        with_gradient=lambda params: gamma_gamma_negative_with_gradient(
            params, x, m_x, weight, distinct_x
        ),
    )
    # q <= 1: the population's mean spend is infinite, no usable expectation
    return replace(fit, converged=False) if fit["q"] <= 1 else fit
