"""What a fitted Pareto/NBD expects of each customer (Fader & Hardie 2005,
"A Note on Deriving the Pareto/NBD Model and Related Expressions"), in the
same parts as bgnbd's BG/NBD: P(alive), purchases in the next
weeks if alive, purchases from the first, the chance of each count, and
every purchase from now on discounted, if alive.

Given a customer's summary and that they are alive, the purchase rate
lambda is Gamma(r + x, alpha + T) and the dropout rate mu Gamma(s, beta + T),
independent: the likelihood's "alive at T" part is lambda^x e^(-(lambda +
mu) T), which leaves the priors' shapes for mu unchanged.
"""

from __future__ import annotations

import numpy as np
from scipy.special import gammaln

from customer_segmentation.lifetime_value.bgnbd import (
    DROPOUT_NODES,
    discounted_periods,
    gamma_rule,
)
from customer_segmentation.lifetime_value.fitting import (
    PARETO_NBD_PARAMETERS,
    DistinctPairs,
    Fit,
    _log_difference,
    _pareto_log_term,
)

# Gauss-Legendre nodes over the weeks before t at which a customer who has
# left by t left (P(X(t) = x)): within 1e-10 of SciPy's adaptive quadrature
# (tests/unit/test_clv_pareto.py).
DEPARTURE_NODES = 64


def _parameters(fit: Fit) -> tuple[float, float, float, float]:
    r, alpha, s, beta = (float(fit[n]) for n in PARETO_NBD_PARAMETERS)
    return r, alpha, s, beta


def pareto_p_alive(fit: Fit, x, t_x, T) -> np.ndarray:
    """P(still active | x, t_x, T) (equation 11): the likelihood's "alive at
    T" part over the whole likelihood (fitting.pareto_nbd_log_likelihoods)."""
    params = np.array(_parameters(fit))
    r, alpha, s, beta = params
    x, t_x, T = np.broadcast_arrays(
        *(np.atleast_1d(np.asarray(v, dtype=np.float64)) for v in (x, t_x, T))
    )
    log_at = _pareto_log_term(params, DistinctPairs.of(x, t_x))
    log_at_end = _pareto_log_term(params, DistinctPairs.of(x, T))
    with np.errstate(divide="ignore", invalid="ignore"):
        died = np.log(s / (r + s + x)) + _log_difference(log_at, log_at_end)
    died = np.where(log_at > log_at_end, died, -np.inf)
    alive = -(r + x) * np.log(alpha + T) - s * np.log(beta + T)
    return np.exp(alive - np.logaddexp(alive, died))


def _weeks_staying(s: float, rate, t) -> np.ndarray:
    """The mean of (1 - e^(-mu t)) / mu over mu ~ Gamma(s, rate): how many
    of the next t weeks a customer stays, rate / (s - 1) (1 - (rate / (rate
    + t))^(s - 1)), and rate log(1 + t / rate) at s = 1."""
    rate = np.asarray(rate, dtype=np.float64)
    if abs(s - 1) < 1e-9:
        return rate * np.log1p(t / rate)
    return rate / (s - 1) * -np.expm1((s - 1) * np.log(rate / (rate + t)))


def pareto_expected_if_alive(fit: Fit, t, pairs: DistinctPairs) -> np.ndarray:
    """Purchases expected in the next t weeks if still alive, per distinct
    (x, T) pair (equation 18 without P(alive)): the posterior mean rate times
    the weeks expected to stay."""
    r, alpha, s, beta = _parameters(fit)
    rate = (r + pairs.x) / (alpha + pairs.t)
    return rate * _weeks_staying(s, beta + pairs.t, t)


def pareto_expected_purchases(fit: Fit, t) -> np.ndarray:
    """E[X(t)] (equation 17): purchases expected in t weeks from the first."""
    r, alpha, s, beta = _parameters(fit)
    t = np.asarray(t, dtype=np.float64)
    return r / alpha * _weeks_staying(s, np.full_like(t, beta), t)


def pareto_residual_if_alive(
    fit: Fit,
    pairs: DistinctPairs,
    annual_rate: float,
    step_weeks: int,
    periods: int = 0,
) -> np.ndarray:
    """All purchases expected from now on if still alive, per distinct
    (x, T) pair, each period's discounted from its end. Alive with rates
    lambda and mu, a period's purchases are lambda / mu (e^(-mu t_(j-1)) -
    e^(-mu t_j)): a geometric series (1 - q) / mu * rho / (1 - rho q), q =
    e^(-mu step). lambda's posterior mean factors out, and mu's average is a
    Gauss rule (DROPOUT_NODES). ``periods``: the series cut after so many."""
    r, alpha, s, beta = _parameters(fit)
    rho = (1 + annual_rate) ** (-step_weeks / 52.0)
    nodes, weights = gamma_rule(s, DROPOUT_NODES)
    mu = nodes[None, :] / (beta + pairs.t)[:, None]
    series = discounted_periods(mu * step_weeks, mu, rho, periods)
    return (r + pairs.x) / (alpha + pairs.t) * (series @ weights)


def _negative_binomial(r: float, alpha: float, t: np.ndarray, x: np.ndarray):
    """P(x purchases in t weeks) with a Gamma(r, alpha) Poisson rate and no
    dropout; t and x broadcast."""
    with np.errstate(divide="ignore"):
        share = np.where(x > 0, x * np.log(t / (alpha + t)), 0.0)
    return np.exp(
        gammaln(r + x)
        - gammaln(r)
        - gammaln(x + 1)
        + r * np.log(alpha / (alpha + t))
        + share
    )


def pareto_repeat_purchase_probabilities(fit: Fit, t, most: int) -> np.ndarray:
    """P(X(t) = x) for x = 0 .. most - 1, one row per t: still there at t,
    the counts of t weeks, (beta / (beta + t))^s NB(x; t); left at tau < t,
    those of tau weeks, weighted by the density of leaving there,
    s beta^s / (beta + tau)^(s + 1) (a Gauss-Legendre rule over tau)."""
    r, alpha, s, beta = _parameters(fit)
    t = np.asarray(t, dtype=np.float64)[:, None, None]
    x = np.arange(most, dtype=np.float64)[None, None, :]
    nodes, weights = np.polynomial.legendre.leggauss(DEPARTURE_NODES)
    tau = t * (nodes[None, :, None] + 1) / 2  # (t, node, 1)
    leaving = s * beta**s / (beta + tau) ** (s + 1)
    left = (
        np.sum(
            weights[None, :, None] * leaving * _negative_binomial(r, alpha, tau, x),
            axis=1,
        )
        * t[:, 0]
        / 2
    )
    stayed = (beta / (beta + t[:, 0])) ** s * _negative_binomial(
        r, alpha, t[:, 0], x[0]
    )
    return stayed + left
