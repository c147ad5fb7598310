"""What a fitted BG/NBD expects of each customer (Fader, Hardie & Lee 2005
and its technical notes): P(alive), purchases in the next weeks if alive,
purchases from the first, the chance of each count, and every purchase from
now on discounted, if alive; and the Gauss rules that value averages over.

Each function takes a fitting.Fit and calibration summaries (x, t_x, T) as
arrays, or their distinct (x, T) pairs: the special functions are computed
once per pair. predictions puts the parts together, for this model or
Pareto/NBD (pareto), whichever is used.
"""

from __future__ import annotations

import numpy as np
from scipy.linalg import eigh_tridiagonal
from scipy.special import betaln, gammaln, hyp2f1

from customer_segmentation.lifetime_value.fitting import (
    BGNBD_PARAMETERS,
    DistinctPairs,
    Fit,
)


def bgnbd_expected_purchases(fit: Fit, t) -> np.ndarray:
    """E[X(t)]: purchases expected in t weeks from a customer's first
    (FHL 2005, equation 7)."""
    # NumPy floats: a = 1 (no finite expectation) gives infinity, not an error
    r, alpha, a, b = (np.float64(fit[n]) for n in BGNBD_PARAMETERS)
    t = np.asarray(t, dtype=np.float64)
    z = t / (alpha + t)
    return (
        (a + b - 1)
        / (a - 1)
        * (1 - (alpha / (alpha + t)) ** r * hyp2f1(r, b, a + b - 1, z))
    )


def _bgnbd_odds_dead(fit: Fit, x, t_x, T) -> np.ndarray:
    """(a / (b + x - 1)) ((alpha + T) / (alpha + t_x))^(r + x), zero at x = 0."""
    r, alpha, a, b = (fit[n] for n in BGNBD_PARAMETERS)
    x, t_x, T = (np.asarray(v, dtype=np.float64) for v in (x, t_x, T))
    with np.errstate(divide="ignore", invalid="ignore"):
        odds = np.exp(
            np.log(a)
            - np.log(b + x - 1)
            + (r + x) * (np.log(alpha + T) - np.log(alpha + t_x))
        )
    return np.where(x > 0, odds, 0.0)


def bgnbd_p_alive(fit: Fit, x, t_x, T) -> np.ndarray:
    """P(still active | x, t_x, T) (FHL 2005 technical note, equation 10)."""
    return 1 / (1 + _bgnbd_odds_dead(fit, x, t_x, T))


def bgnbd_expected_if_alive(fit: Fit, t, pairs: DistinctPairs) -> np.ndarray:
    """Purchases expected in the next t weeks if still alive, per distinct
    (x, T) pair (FHL 2005, equation 10 without P(alive))."""
    r, alpha, a, b = (fit[n] for n in BGNBD_PARAMETERS)
    xs, Ts = pairs.x, pairs.t
    z = t / (alpha + Ts + t)
    return (
        (a + b + xs - 1)
        / (a - 1)
        * (
            1
            - ((alpha + Ts) / (alpha + Ts + t)) ** (r + xs)
            * hyp2f1(r + xs, b + xs, a + b + xs - 1, z)
        )
    )


def bgnbd_conditional_expected_purchases(
    fit: Fit, t, x, t_x, T, pairs: DistinctPairs | None = None
) -> np.ndarray:
    """E[Y(t) | x, t_x, T]: purchases expected in the next t weeks from a
    customer's calibration summary (FHL 2005, equation 10): the purchases
    expected if still alive, which depend on x and T alone (computed once
    per distinct pair), times P(alive)."""
    x, t_x, T = np.broadcast_arrays(
        *(np.atleast_1d(np.asarray(v, dtype=np.float64)) for v in (x, t_x, T))
    )
    pairs = pairs or DistinctPairs.of(x, T)
    expected_if_alive = bgnbd_expected_if_alive(fit, t, pairs)
    return expected_if_alive[pairs.of_summary] * bgnbd_p_alive(fit, x, t_x, T)


def bgnbd_repeat_purchase_probabilities(fit: Fit, t, most: int) -> np.ndarray:
    """P(X(t) = x) for x = 0 .. most - 1: the chance of x repeat purchases in
    t weeks from a customer's first (FHL 2005, equation 8); one row per t."""
    r, alpha, a, b = (fit[n] for n in BGNBD_PARAMETERS)
    t = np.asarray(t, dtype=np.float64)[:, None]
    x = np.arange(most, dtype=np.float64)[None, :]
    with np.errstate(divide="ignore"):
        log_stay = np.log(alpha / (alpha + t))
        log_share = np.log(t / (alpha + t))
    # log of Gamma(r + j) / (Gamma(r) j!) (alpha / (alpha + t))^r (t / (alpha + t))^j
    log_terms = gammaln(r + x) - gammaln(r) - gammaln(x + 1) + r * log_stay
    log_terms = log_terms + np.where(x > 0, x * log_share, 0.0)
    terms = np.exp(log_terms)
    alive = np.exp(betaln(a, b + x) - betaln(a, b)) * terms
    # the terms of j < x, summed: the chance of fewer than x purchases
    fewer = np.cumsum(terms, axis=1) - terms
    with np.errstate(invalid="ignore"):
        died = np.exp(betaln(a + 1, b + x - 1) - betaln(a, b)) * (1 - fewer)
    return alive + np.where(x > 0, died, 0.0)


# Nodes of the residual value's quadrature, over the purchase rate and the
# dropout chance: within RESIDUAL_TOLERANCE (relative) of 256 x 256 nodes for
# 0 to 2,000 repeat purchases at CDNow's parameters
# (tests/unit/test_clv_expectations.py); the dropout chance of a heavy buyer
# needs the more.
RATE_NODES = 48
DROPOUT_NODES = 96
RESIDUAL_TOLERANCE = 1e-4
# pairs per quadrature step: 256 x 48 x 96 doubles, about 9 MB an array
PAIRS_PER_STEP = 256


def _gauss_rule(diagonal: np.ndarray, off_diagonal: np.ndarray):
    """Nodes and weights (summing to 1) of the Gauss rule whose orthogonal
    polynomials have this three-term recurrence (Golub & Welsch 1969): the
    weights come from eigenvectors, never from a normalising constant that
    overflows for a heavy buyer's posterior."""
    nodes, vectors = eigh_tridiagonal(diagonal, off_diagonal)
    return nodes, vectors[0] ** 2


def gamma_rule(shape: float, n: int):
    """Gauss rule for a Gamma(shape, 1) variable (generalised Laguerre)."""
    i = np.arange(n, dtype=np.float64)
    alpha = shape - 1
    return _gauss_rule(2 * i + alpha + 1, np.sqrt(i[1:] * (i[1:] + alpha)))


def beta_rule(a: float, b: float, n: int):
    """Gauss rule for a Beta(a, b) variable (Jacobi, moved to [0, 1])."""
    alpha, beta = b - 1, a - 1  # Jacobi's weight (1 - t)^alpha (1 + t)^beta
    i = np.arange(1, n, dtype=np.float64)
    s = 2 * i + alpha + beta
    diagonal = np.empty(n)
    diagonal[0] = (beta - alpha) / (alpha + beta + 2)
    diagonal[1:] = (beta**2 - alpha**2) / (s * (s + 2))
    off = np.sqrt(
        4
        * i
        * (i + alpha)
        * (i + beta)
        * (i + alpha + beta)
        / (s**2 * (s + 1) * (s - 1))
    )
    nodes, weights = _gauss_rule(diagonal, off)
    return (nodes + 1) / 2, weights


def discounted_periods(
    hazard: np.ndarray, divisor: np.ndarray, rho: float, periods: int = 0
) -> np.ndarray:
    """A lifetime's discounted purchases by period, summed: sum over j >= 1 of
    rho^j (q^(j - 1) - q^j) / divisor, q = e^-hazard, which is (1 - q) /
    divisor * rho / (1 - rho q). ``hazard``: the dropout rate times a period
    (lambda p step for BG/NBD, mu step for Pareto/NBD); ``divisor``: what
    turns the dropped share into purchases (p; mu, with lambda outside);
    ``periods``: cut after so many (none: unbounded)."""
    q = np.exp(-hazard)
    series = -np.expm1(-hazard) / divisor * rho / (1 - rho * q)
    if periods:
        series = series * (1 - (rho * q) ** periods)
    return series


def bgnbd_residual_if_alive(
    fit: Fit,
    pairs: DistinctPairs,
    annual_rate: float,
    step_weeks: int,
    periods: int = 0,
) -> np.ndarray:
    """All purchases expected from now on if still alive, per distinct
    (x, T) pair, each period's discounted from its end (as
    predictions.discounted_expected_purchases).

    Alive with purchase rate lambda and dropout chance p, a customer's
    purchases by t are (1 - e^(-lambda p t)) / p in expectation (FHL 2005,
    equation 6), so the discounted periods are a geometric series:
    (1 - q) / p * rho / (1 - rho q), q = e^(-lambda p step), rho the period's
    discount. Given the summary and alive, lambda is Gamma(r + x, alpha + T)
    and p Beta(a, b + x), independent: the series is averaged over both by
    Gauss rules (RATE_NODES, DROPOUT_NODES). ``periods``: the series cut
    after so many (none: unbounded)."""
    r, alpha, a, b = (fit[n] for n in BGNBD_PARAMETERS)
    rho = (1 + annual_rate) ** (-step_weeks / 52.0)
    alive_value = np.empty(len(pairs.x))
    for count in np.unique(pairs.x):
        u, u_weight = gamma_rule(r + count, RATE_NODES)
        p, p_weight = beta_rule(a, b + count, DROPOUT_NODES)
        # a few hundred pairs at a time: a pair holds RATE_NODES x
        # DROPOUT_NODES values, and a large base has many pairs per count
        where = np.flatnonzero(pairs.x == count)
        for chunk in np.array_split(where, -(-len(where) // PAIRS_PER_STEP)):
            # rate x dropout per period, over (pair, rate node, dropout node)
            hazard = (u[None, :, None] / (alpha + pairs.t[chunk])[:, None, None]) * (
                step_weeks * p[None, None, :]
            )
            series = discounted_periods(hazard, p, rho, periods)
            alive_value[chunk] = np.einsum("kij,i,j->k", series, u_weight, p_weight)
    return alive_value
