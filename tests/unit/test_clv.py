"""The lifetime-value models reproduce the published CDNow results.

Fader, Hardie & Lee (2005) and Fader & Hardie's notes fit the CDNow 1/10th
sample with calibration to 1997-09-30 (39 weeks); the figures below are
theirs, to the precision their spreadsheets give. The summary here is a
test's own reading of the file: one purchase per customer-day with a
positive amount after the first line, weeks as days / 7.
"""

from __future__ import annotations

import math
from collections import defaultdict
from datetime import date

import numpy as np
import pytest
from clv_simulation import pareto_nbd
from pipeline_runs import CDNOW_FILE

from customer_segmentation.lifetime_value import bgnbd as expect
from customer_segmentation.lifetime_value import fitting
from customer_segmentation.lifetime_value.intervals import log_covariance
from customer_segmentation.lifetime_value.tables import (
    MIN_REPEAT_BUYERS,
    PurchaseWindow,
    data_problem,
    fit_problem,
)

CALIBRATION_END = date(1997, 9, 30)


@pytest.fixture(scope="module")
def cdnow() -> dict[str, np.ndarray]:
    if not CDNOW_FILE.is_file():
        pytest.skip(
            f"CDNow sample {CDNOW_FILE} is absent; it lives beside the checkout "
            "in ../shared and is never copied into the repo"
        )
    spend: dict[str, dict[date, float]] = defaultdict(lambda: defaultdict(float))
    for line in CDNOW_FILE.read_text(encoding="ascii").splitlines():
        _, customer, day, _, amount = line.split()
        spend[customer][date(int(day[:4]), int(day[4:6]), int(day[6:]))] += float(
            amount
        )
    x, t_x, T, m_x = [], [], [], []
    for days in spend.values():
        first = min(days)
        repeats = sorted(
            d for d, a in days.items() if first < d <= CALIBRATION_END and a > 0
        )
        x.append(len(repeats))
        t_x.append(((repeats[-1] if repeats else first) - first).days / 7)
        T.append((CALIBRATION_END - first).days / 7)
        m_x.append(np.mean([days[d] for d in repeats]) if repeats else np.nan)
    return {k: np.array(v) for k, v in (("x", x), ("t_x", t_x), ("T", T), ("m_x", m_x))}


@pytest.fixture(scope="module")
def bgnbd(cdnow) -> fitting.Fit:
    return fitting.fit_bgnbd(
        fitting.Summaries.grouped(cdnow["x"], cdnow["t_x"], cdnow["T"])
    )


def test_bgnbd_reproduces_the_published_parameters(bgnbd):
    published = {"r": 0.2425945, "alpha": 4.4136019, "a": 0.7929199, "b": 2.4258881}
    assert bgnbd.converged
    assert bgnbd.customers == 2357
    for name, value in published.items():
        assert bgnbd[name] == pytest.approx(value, rel=1e-3), name
    assert bgnbd.log_likelihood == pytest.approx(-9582.429, abs=0.01)


def test_pareto_nbd_reproduces_the_published_fit(cdnow):
    fit = fitting.fit_pareto_nbd(
        fitting.Summaries.grouped(cdnow["x"], cdnow["t_x"], cdnow["T"])
    )
    assert fit.converged
    assert fit.log_likelihood == pytest.approx(-9594.976, abs=0.01)
    published = {"r": 0.553, "alpha": 10.578, "s": 0.606, "beta": 11.669}
    for name, value in published.items():
        assert fit[name] == pytest.approx(value, rel=2e-3), name


def test_gamma_gamma_reproduces_the_published_fit_on_the_repeat_buyers(cdnow):
    repeat = cdnow["x"] > 0
    fit = fitting.fit_gamma_gamma(cdnow["x"][repeat], cdnow["m_x"][repeat])
    assert fit.customers == 946
    assert fit.converged
    published = {"p": 6.2496, "q": 3.7442, "gamma": 15.4435}
    for name, value in published.items():
        assert fit[name] == pytest.approx(value, rel=1e-3), name
    assert fit.log_likelihood == pytest.approx(-4055.918, abs=0.01)


def test_bgnbd_expectations_match_the_paper(bgnbd):
    # a customer with 2 repeat purchases, the last at week 30.43 of 38.86
    conditional = expect.bgnbd_conditional_expected_purchases(
        bgnbd, 39, 2, 30.43, 38.86
    )
    assert conditional == pytest.approx(1.226, abs=5e-4)
    expected = expect.bgnbd_expected_purchases(bgnbd, [1, 3, 32, 78])
    assert expected == pytest.approx([0.0532, 0.1506, 1.0437, 1.8576], rel=1e-3)


def test_one_time_buyers_are_alive_as_far_as_the_data_tell(bgnbd):
    assert expect.bgnbd_p_alive(bgnbd, 0, 0.0, 30.0) == 1.0


def test_a_gamma_gamma_without_a_finite_mean_is_not_converged():
    # spends so spread out (log-normal, sd 3) that the fit puts q below 1:
    # the population's mean spend is infinite, so the fit is not usable
    rng = np.random.default_rng(7)
    x = np.full(400, 3.0)
    m_x = np.exp(rng.normal(0, 3.0, size=400))
    fit = fitting.fit_gamma_gamma(x, m_x)
    assert fit["q"] < 1
    assert not fit.converged


def test_grouping_identical_summaries_changes_nothing(cdnow):
    x, t_x, T = cdnow["x"], cdnow["t_x"], cdnow["T"]
    grouped = fitting.Summaries.grouped(x, t_x, T)
    ungrouped = fitting.Summaries(x, t_x, T, np.ones_like(x))
    params = np.array([0.25, 4.4, 0.8, 2.4])
    assert len(grouped.x) < len(x)
    assert np.sum(grouped.weight * fitting.bgnbd_log_likelihoods(params, grouped)) == (
        pytest.approx(
            np.sum(fitting.bgnbd_log_likelihoods(params, ungrouped)), rel=1e-12
        )
    )


def test_the_analytic_gradients_match_finite_differences(cdnow):
    from scipy.optimize import approx_fprime

    summaries = fitting.Summaries.grouped(cdnow["x"], cdnow["t_x"], cdnow["T"])
    params = np.array([0.3, 5.0, 0.9, 2.0])
    _, gradient = fitting.bgnbd_negative_with_gradient(params, summaries)
    numeric = approx_fprime(
        params, lambda p: fitting.bgnbd_negative_with_gradient(p, summaries)[0], 1e-7
    )
    assert gradient == pytest.approx(numeric, rel=1e-4)
    repeat = cdnow["x"] > 0
    x, m_x = cdnow["x"][repeat], cdnow["m_x"][repeat]
    params = np.array([5.0, 3.0, 12.0])
    _, gradient = fitting.gamma_gamma_negative_with_gradient(
        params, x, m_x, np.ones_like(x)
    )
    numeric = approx_fprime(
        params,
        lambda p: -np.sum(fitting.gamma_gamma_log_likelihoods(p, x, m_x)),
        1e-7,
    )
    assert gradient == pytest.approx(numeric, rel=1e-4)


def natural_scale_errors(negative_log_likelihood, estimates: np.ndarray) -> np.ndarray:
    """An independent check of lifetime_value.intervals: the Hessian in the parameters
    themselves (not their logs), by Richardson-extrapolated second
    differences of the likelihood with steps relative to each estimate."""

    def second_differences(step: float) -> np.ndarray:
        n = len(estimates)
        h = estimates * step
        hessian = np.empty((n, n))
        for i in range(n):
            for j in range(n):
                ei, ej = np.eye(n)[i] * h[i], np.eye(n)[j] * h[j]
                hessian[i, j] = (
                    negative_log_likelihood(estimates + ei + ej)
                    - negative_log_likelihood(estimates + ei - ej)
                    - negative_log_likelihood(estimates - ei + ej)
                    + negative_log_likelihood(estimates - ei - ej)
                ) / (4 * h[i] * h[j])
        return hessian

    hessian = (4 * second_differences(1e-3) - second_differences(2e-3)) / 3
    return np.sqrt(np.diag(np.linalg.inv(hessian)))


def published_errors(fit: fitting.Fit) -> np.ndarray:
    return np.array([fit[name] * fit.log_errors[name] for name in fit.parameters])


def test_bgnbd_standard_errors_agree_with_an_independent_hessian(cdnow, bgnbd):
    summaries = fitting.Summaries.grouped(cdnow["x"], cdnow["t_x"], cdnow["T"])
    estimates = np.array(list(bgnbd.parameters.values()))
    independent = natural_scale_errors(
        lambda p: (
            -np.sum(summaries.weight * fitting.bgnbd_log_likelihoods(p, summaries))
        ),
        estimates,
    )
    print("BG/NBD standard errors", published_errors(bgnbd), independent)
    assert published_errors(bgnbd) == pytest.approx(independent, rel=0.02)
    # and they are those lifetimes prints for this sample
    assert published_errors(bgnbd) == pytest.approx(
        [0.0126, 0.378, 0.186, 0.705], rel=0.01
    )


def test_gamma_gamma_standard_errors_agree_with_an_independent_hessian(cdnow):
    repeat = cdnow["x"] > 0
    x, m_x = cdnow["x"][repeat], cdnow["m_x"][repeat]
    fit = fitting.fit_gamma_gamma(x, m_x)
    estimates = np.array(list(fit.parameters.values()))
    independent = natural_scale_errors(
        lambda p: -np.sum(fitting.gamma_gamma_log_likelihoods(p, x, m_x)), estimates
    )
    print("Gamma-Gamma standard errors", published_errors(fit), independent)
    assert published_errors(fit) == pytest.approx(independent, rel=0.02)


def test_pareto_nbd_standard_errors_agree_with_an_independent_hessian(cdnow):
    summaries = fitting.Summaries.grouped(cdnow["x"], cdnow["t_x"], cdnow["T"])
    fit = fitting.fit_pareto_nbd(summaries)
    estimates = np.array(list(fit.parameters.values()))
    independent = natural_scale_errors(
        lambda p: (
            -np.sum(summaries.weight * fitting.pareto_nbd_log_likelihoods(p, summaries))
        ),
        estimates,
    )
    assert published_errors(fit) == pytest.approx(independent, rel=0.02)


def test_a_fit_is_at_least_as_likely_as_the_truth_and_never_stops_at_its_start():
    # 3,000 customers from Pareto/NBD: on the total likelihood, L-BFGS-B's
    # first step leapt to the bounds and the search stopped at its start
    # (every parameter 1, 943 log-likelihood points short) calling it a success
    truth = (2.0, 10.0, 3.0, 10.0)
    x, t_x, weeks, _ = pareto_nbd(np.random.default_rng(1), 3_000, truth)
    summaries = fitting.Summaries.grouped(x, t_x, weeks)
    fit = fitting.fit_pareto_nbd(summaries)
    at_truth = fitting.pareto_nbd_log_likelihoods(np.array(truth), summaries)
    assert fit.converged
    assert fit.log_likelihood >= float(at_truth @ summaries.weight)


def test_a_likelihood_that_cannot_be_inverted_has_no_standard_errors():
    flat = np.zeros((2, 2))
    assert np.isnan(log_covariance(flat)).all()
    saddle = np.array([[1.0, 0.0], [0.0, -1.0]])
    assert np.isnan(log_covariance(saddle)).all()


def test_a_fit_on_the_bounds_of_its_search_is_not_converged():
    # issue 34: r = 2e-9 with a = b = 1 was published as converged
    at_bound = fitting.Fit(
        "bg_nbd", {"r": math.exp(-20), "alpha": 1.0, "a": 1.0, "b": 1.0}, -0.0, True, 9
    )
    assert "ran to the bounds of the search (r = 2.06e-09)" in fit_problem(at_bound)
    inside = fitting.Fit(
        "bg_nbd", {"r": 0.24, "alpha": 4.4, "a": 0.79, "b": 2.4}, -9.0, True, 9
    )
    assert fit_problem(inside) is None
    assert fit_problem(fitting.Fit("bg_nbd", inside.parameters, -9.0, False, 9)) == (
        "the optimiser did not converge"
    )


@pytest.mark.parametrize(
    ("end", "repeat_buyers", "problem"),
    [
        (None, 0, "no customer bought again by 2024-12-20: the models need"),
        (
            None,
            9,
            "only 9 customers bought again by 2024-12-20: the models need at least 10",
        ),
        (date(2024, 6, 30), 3, "only 3 customers bought again by 2024-06-30 (var clv_"),
        (
            date(2023, 12, 31),
            50,
            "var clv_calibration_end 2023-12-31 is before the first",
        ),
        (
            date(2024, 12, 20),
            50,
            "var clv_calibration_end 2024-12-20 is on or after the last",
        ),
        (None, MIN_REPEAT_BUYERS, None),
    ],
)
def test_purchases_that_cannot_carry_lifetime_value_are_named(
    end, repeat_buyers, problem
):
    window = PurchaseWindow(date(2024, 1, 2), date(2024, 12, 20), end)
    found = data_problem(window, repeat_buyers)
    assert found == problem or found.startswith(problem)
