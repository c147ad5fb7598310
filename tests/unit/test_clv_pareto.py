"""Pareto/NBD's expectations (pareto, through predictions) against
the same figures worked out from the model's definition: the individual
likelihood of (lambda, mu) integrated over their gamma priors numerically.

The priors' shapes are below one on CDNow, so their densities are infinite
at zero; the integrals run over w = (alpha lambda)^r and v = (beta mu)^s,
where the prior's mass is e^(-w^(1/r)) dw / Gamma(r + 1): smooth, and to
50 rates' worth of the prior (e^-50 left out)."""

from __future__ import annotations

import math

import duckdb
import numpy as np
import pytest
from clv_simulation import pareto_nbd
from scipy import integrate, stats

from customer_segmentation.engines.rows import DuckDBRows
from customer_segmentation.lifetime_value import fitting, pareto
from customer_segmentation.lifetime_value import predictions as predict
from customer_segmentation.lifetime_value.bgnbd import RESIDUAL_TOLERANCE
from customer_segmentation.lifetime_value.components import (
    expectation_components,
    parameter_shifts,
)
from customer_segmentation.lifetime_value.intervals import Z_90
from customer_segmentation.lifetime_value.tables import (
    ClvSettings,
    fitted_models,
    purchase_fit,
)

# CDNow's Pareto/NBD estimates (the project's fit, log-likelihood -9,595)
CDNOW = fitting.Fit(
    "pareto_nbd",
    {"r": 0.5533, "alpha": 10.5777, "s": 0.6062, "beta": 11.6686},
    0.0,
    True,
    2357,
)
# (x, t_x, T): no repeats, the note's customer, a frequent one, a lapsed one
CUSTOMERS = [(0, 0.0, 38.86), (2, 30.43, 38.86), (7, 20.0, 38.86), (1, 2.0, 30.0)]


def posterior(fit: fitting.Fit, x, t_x, T, of_alive) -> tuple[float, float]:
    """(P(alive), E[of_alive(lambda, mu) and alive]) from the definition."""
    r, alpha, s, beta = (fit[n] for n in fitting.PARETO_NBD_PARAMETERS)

    def rates(w, v):
        return w ** (1 / r) / alpha, v ** (1 / s) / beta

    def alive(lam, mu):
        return lam**x * math.exp(-(lam + mu) * T)

    def likelihood(lam, mu):
        left = math.exp(-(lam + mu) * t_x) - math.exp(-(lam + mu) * T)
        return alive(lam, mu) + lam**x * mu / (lam + mu) * left

    def mean(f):
        def integrand(v, w):
            lam, mu = rates(w, v)
            return f(lam, mu) * math.exp(-(w ** (1 / r)) - v ** (1 / s))

        value, _ = integrate.dblquad(
            integrand, 0, 50**r, 0, 50**s, epsabs=0, epsrel=1e-10
        )
        return value

    whole = mean(likelihood)
    return mean(alive) / whole, mean(
        lambda la, mu: alive(la, mu) * of_alive(la, mu)
    ) / whole


@pytest.mark.parametrize("x, t_x, T", CUSTOMERS)
def test_p_alive_and_the_next_39_weeks_follow_the_definition(x, t_x, T):
    def next_39_weeks(lam, mu):
        return lam / mu * -math.expm1(-mu * 39)

    p_alive, expected = posterior(CDNOW, x, t_x, T, next_39_weeks)
    assert predict.p_alive(CDNOW, x, t_x, T)[0] == pytest.approx(p_alive, rel=1e-8)
    shown = predict.conditional_expected_purchases(CDNOW, 39, x, t_x, T)
    assert shown[0] == pytest.approx(expected, rel=1e-8)


@pytest.mark.parametrize("x, t_x, T", CUSTOMERS)
def test_the_residual_is_every_discounted_period_without_end(x, t_x, T):
    rho = 1.10 ** (-4 / 52)

    def discounted(lam, mu):
        q = math.exp(-mu * 4)
        return lam / mu * (1 - q) * rho / (1 - rho * q)

    _, expected = posterior(CDNOW, x, t_x, T, discounted)
    shown = predict.residual_discounted_purchases(CDNOW, x, t_x, T, 0.10, 4)
    assert shown[0] == pytest.approx(expected, rel=RESIDUAL_TOLERANCE)


def test_cut_at_the_horizon_the_residual_is_the_horizon_figure():
    x, t_x, T = np.array(CUSTOMERS, dtype=np.float64).T
    cut = predict.residual_discounted_purchases(CDNOW, x, t_x, T, 0.10, 4, periods=13)
    horizon = predict.discounted_expected_purchases(CDNOW, x, t_x, T, (52, 0.10, 4))
    assert cut == pytest.approx(horizon, rel=1e-6)


def test_purchases_from_the_first_follow_the_definition():
    r, alpha, s, beta = (CDNOW[n] for n in fitting.PARETO_NBD_PARAMETERS)
    for t in (5.0, 39.0, 78.0):
        # E[X(t)] = E[lambda] E[(1 - e^(-mu t)) / mu] over the priors
        staying, _ = integrate.quad(
            lambda mu, t=t: (
                -np.expm1(-mu * t) / mu * stats.gamma.pdf(mu, s, scale=1 / beta)
            ),
            0,
            np.inf,
            epsrel=1e-11,
            limit=200,
        )
        shown = predict.expected_purchases(CDNOW, [t])[0]
        assert shown == pytest.approx(r / alpha * staying, rel=1e-7)


def test_the_chance_of_each_count_follows_the_definition():
    # P(X(t) = x) = E over lambda, mu of e^(-mu t) Poisson(x; lambda t) +
    # the integral over tau < t of mu e^(-mu tau) Poisson(x; lambda tau):
    # integrated here over the lifetime's density in mu directly
    r, alpha, s, beta = (CDNOW[n] for n in fitting.PARETO_NBD_PARAMETERS)
    for t in (10.0, 38.86, 150.0):
        shown = predict.repeat_purchase_probabilities(CDNOW, [t], 7)[0]
        for count in range(7):
            nbd = stats.nbinom(r, alpha / (alpha + t)).pmf(count)
            stayed = (beta / (beta + t)) ** s * nbd
            left, _ = integrate.quad(
                lambda tau, count=count: (
                    s
                    * beta**s
                    / (beta + tau) ** (s + 1)
                    * stats.nbinom(r, alpha / (alpha + tau)).pmf(count)
                ),
                0,
                t,
                epsabs=0,
                epsrel=1e-12,
                limit=200,
            )
            assert shown[count] == pytest.approx(stayed + left, rel=1e-10, abs=1e-14)
        assert shown.sum() < 1


def test_the_dropout_rule_holds_the_stated_tolerance(monkeypatch):
    x, t_x, T = np.array(CUSTOMERS, dtype=np.float64).T
    figure = predict.residual_discounted_purchases(CDNOW, x, t_x, T, 0.10, 4)
    monkeypatch.setattr(pareto, "DROPOUT_NODES", 256)
    finer = predict.residual_discounted_purchases(CDNOW, x, t_x, T, 0.10, 4)
    assert np.abs(figure / finer - 1).max() < RESIDUAL_TOLERANCE


def test_when_pareto_nbd_is_used_its_components_are_the_delta_method():
    # 5,000 Pareto/NBD customers, no holdout: the likelihoods pick it, and
    # each figure's components give gradient' covariance gradient, the
    # gradient here by central differences in the four log-parameters
    x, t_x, T, _ = pareto_nbd(np.random.default_rng(3), 5_000, (2.0, 10.0, 1.5, 30.0))
    con = duckdb.connect()
    con.execute(
        "create table summaries as select unnest($1) as repeat_purchases,"
        " unnest($2) as weeks_to_last_purchase, unnest($3) as weeks_observed,"
        " cast(null as double) as mean_repeat_spend,"
        " date '2024-12-31' as calibration_end_date,"
        " cast(null as date) as holdout_end_date",
        [x.astype(int).tolist(), t_x.tolist(), T.tolist()],
    )
    rows = DuckDBRows(con.table("summaries"))
    models = fitted_models(rows)
    fit = purchase_fit(models)
    assert fit.model == "pareto_nbd"
    components = expectation_components(
        rows, models, parameter_shifts(models), ClvSettings()
    ).to_pylist()
    some = sorted(
        {(r["repeat_purchases"], r["weeks_to_last_purchase"]) for r in components}
    )[::997]
    at = np.log(list(fit.parameters.values()))
    for count, last in some:
        half_width = np.sqrt(
            sum(
                r["expected_purchases"] ** 2
                for r in components
                if (r["repeat_purchases"], r["weeks_to_last_purchase"]) == (count, last)
            )
        )

        def purchases(log_parameters, count=count, last=last):
            shifted = fitting.Fit(
                "pareto_nbd",
                dict(zip(fit.parameters, np.exp(log_parameters), strict=True)),
                0,
                True,
                0,
            )
            return predict.conditional_expected_purchases(
                shifted, 52, count, last, 39.0
            )[0]

        gradient = np.array(
            [
                (purchases(at + step) - purchases(at - step)) / 2e-5
                for step in np.eye(4) * 1e-5
            ]
        )
        delta = Z_90 * np.sqrt(gradient @ fit.log_covariance @ gradient)
        assert half_width == pytest.approx(delta, rel=1e-3), (count, last)
