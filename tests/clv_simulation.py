"""Customers simulated from the "buy till you die" models with known
parameters, with a calibration and a holdout, for tests that must tell a
right fit or choice from a wrong one."""

from __future__ import annotations

import numpy as np


def _purchases(
    rng: np.random.Generator, rate: np.ndarray, ends, weeks: float, holdout: float
):
    """(x, t_x, holdout purchases) of Poisson purchases at ``rate`` until
    each customer's end: ``ends`` gives, per purchase made, whether the
    customer is still there after it (BG/NBD), or is the time they leave
    (Pareto/NBD, an array)."""
    customers = len(rate)
    x, t_x, later = (np.zeros(customers) for _ in range(3))
    clock = np.zeros(customers)
    buying = np.ones(customers, dtype=bool)
    last = weeks + holdout
    while buying.any():
        clock = clock + rng.exponential(1 / rate)
        limit = ends if isinstance(ends, np.ndarray) else last
        bought = buying & (clock <= np.minimum(limit, last))
        in_calibration = bought & (clock <= weeks)
        x += in_calibration
        t_x = np.where(in_calibration, clock, t_x)
        later += bought & (clock > weeks)
        buying = bought if isinstance(ends, np.ndarray) else ends(bought)
    return x, t_x, later


def pareto_nbd(
    rng: np.random.Generator,
    customers: int,
    parameters: tuple[float, float, float, float],
    weeks: float = 39.0,
    holdout: float = 39.0,
) -> tuple[np.ndarray, ...]:
    """(x, t_x, T, holdout purchases) of customers from Pareto/NBD (r,
    alpha, s, beta): a Poisson rate and an exponential lifetime each."""
    r, alpha, s, beta = parameters
    rate = rng.gamma(r, 1 / alpha, customers)
    lifetime = rng.exponential(1 / rng.gamma(s, 1 / beta, customers))
    x, t_x, later = _purchases(rng, rate, lifetime, weeks, holdout)
    return x, t_x, np.full(customers, weeks), later


def bg_nbd(
    rng: np.random.Generator,
    customers: int,
    parameters: tuple[float, float, float, float],
    weeks: float = 39.0,
    holdout: float = 39.0,
) -> tuple[np.ndarray, ...]:
    """(x, t_x, T, holdout purchases) of customers from BG/NBD (r, alpha,
    a, b): a Poisson rate and a chance of leaving after each purchase."""
    r, alpha, a, b = parameters
    rate = rng.gamma(r, 1 / alpha, customers)
    dropout = rng.beta(a, b, customers)

    def stays(bought: np.ndarray) -> np.ndarray:
        return bought & (rng.random(customers) >= dropout)

    x, t_x, later = _purchases(rng, rate, stays, weeks, holdout)
    return x, t_x, np.full(customers, weeks), later
