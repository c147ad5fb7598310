"""The 90% intervals are honest: on purchases simulated from BG/NBD and
Gamma-Gamma with known parameters, the parameters' intervals hold the true
values in about 90% of samples, and so do the intervals of the figures made
from them (a customer's expected purchases and value, and a total over
every customer, made as the pipeline makes them: the shifts of
int_clv_parameter_shifts, components, summed before squaring for a total).

Each replication draws customers as the models say (FHL 2005; Fader &
Hardie 2013): a purchase rate from Gamma(r, alpha) and a chance to drop out
after each purchase from Beta(a, b), purchases as a Poisson process over 27
to 39 weeks; each repeat buyer's spend per purchase from Gamma(p, nu) with
nu from Gamma(q, gamma). The true values are CDNow's estimates. 300
replications give each coverage a standard error of about 1.7 points: an
interval that held the truth 80% of the time would reach 85% with a chance
of about 1.5%. The seed is fixed, so the test gives the same answer every
time (about 45 s).
"""

from __future__ import annotations

from collections import defaultdict

import numpy as np
import pyarrow as pa
import pytest

from customer_segmentation.lifetime_value import fitting
from customer_segmentation.lifetime_value.bgnbd import (
    bgnbd_conditional_expected_purchases as expected_purchases,
)
from customer_segmentation.lifetime_value.components import (
    parameter_shifts,
    shifted_fits,
)
from customer_segmentation.lifetime_value.intervals import (
    bounds,
    component,
    interval_90,
)
from customer_segmentation.lifetime_value.tables import CLV_MODEL_SCHEMA, _model_rows

BGNBD = {"r": 0.243, "alpha": 4.414, "a": 0.793, "b": 2.426}
GAMMA_GAMMA = {"p": 6.25, "q": 3.74, "gamma": 15.44}
CUSTOMERS = 3_000
REPLICATIONS = 300
HORIZON_WEEKS = 52
# customers whose figures are checked: (x, t_x, T, m_x)
PANEL = np.array(
    [[0, 0.0, 39.0, np.nan], [2, 30.43, 38.86, 40.0], [7, 35.0, 39.0, 25.0],
     [1, 5.0, 39.0, 60.0], [15, 38.0, 39.0, 30.0]]
)  # fmt: skip


def simulate(rng: np.random.Generator, customers: int) -> tuple[np.ndarray, ...]:
    """(x, t_x, T, m_x) for customers drawn from BG/NBD and Gamma-Gamma."""
    weeks = rng.uniform(27, 39, customers)
    rate = rng.gamma(BGNBD["r"], 1 / BGNBD["alpha"], customers)
    dropout = rng.beta(BGNBD["a"], BGNBD["b"], customers)
    clock = np.zeros(customers)
    x, t_x = np.zeros(customers), np.zeros(customers)
    alive = np.ones(customers, dtype=bool)
    while alive.any():
        clock = clock + rng.exponential(1 / rate)
        bought = alive & (clock <= weeks)
        x[bought] += 1
        t_x[bought] = clock[bought]
        alive = bought & (rng.random(customers) >= dropout)
    spend_rate = rng.gamma(GAMMA_GAMMA["q"], 1 / GAMMA_GAMMA["gamma"], customers)
    repeat = x > 0
    m_x = np.full(customers, np.nan)
    # the mean of x spends drawn from Gamma(p, nu): Gamma(p x, nu) / x
    m_x[repeat] = (
        rng.gamma(GAMMA_GAMMA["p"] * x[repeat], 1 / spend_rate[repeat]) / x[repeat]
    )
    return x, t_x, weeks, m_x


def covers(fit: fitting.Fit, truth: dict[str, float]) -> dict[str, bool]:
    """Whether each parameter's 90% interval holds its true value."""
    held = {}
    for name, value in truth.items():
        low, high = interval_90(fit[name], fit.log_errors[name])
        held[name] = low <= value <= high
    return held


def spend(parameters: dict[str, float], x: np.ndarray, m_x: np.ndarray) -> np.ndarray:
    """Gamma-Gamma's expected spend per purchase (Fader & Hardie 2013,
    equation 5), written here apart from the pipeline's SQL."""
    p, q, gamma = (parameters[name] for name in ("p", "q", "gamma"))
    return p * (gamma + np.nan_to_num(m_x) * x) / (p * x + q - 1)


def figures_covered(
    bgnbd: fitting.Fit, gamma_gamma: fitting.Fit, x, t_x, weeks, m_x
) -> dict[str, bool]:
    """Whether the 90% intervals of the panel's expected purchases and
    values, and of the totals over the sample's customers, hold the figures
    the true parameters give."""
    models = pa.Table.from_pylist(
        _model_rows(bgnbd) + _model_rows(gamma_gamma), schema=CLV_MODEL_SCHEMA
    )
    shifts = parameter_shifts(models)
    panel = {name: PANEL[:, i] for i, name in enumerate(("x", "t_x", "T", "m_x"))}
    customers = {"x": x, "t_x": t_x, "T": weeks, "m_x": m_x}

    def purchases(fit, who):
        return expected_purchases(fit, HORIZON_WEEKS, who["x"], who["t_x"], who["T"])

    held = {}
    for label, who in (("customer", panel), ("total", customers)):
        truth = purchases(fitting.Fit("bg_nbd", BGNBD, 0.0, True, 0), who)
        true_value = truth * spend(GAMMA_GAMMA, who["x"], who["m_x"])
        point = purchases(bgnbd, who)
        spent = spend(gamma_gamma.parameters, who["x"], who["m_x"])
        along_purchases = [
            component(purchases(up, who), purchases(down, who))
            for up, down in shifted_fits(bgnbd, shifts)
        ]
        along_spend = [
            point * component(spend(up.parameters, who["x"], who["m_x"]),
                              spend(down.parameters, who["x"], who["m_x"]))
            for up, down in shifted_fits(gamma_gamma, shifts)
        ]  # fmt: skip
        value_components = [c * spent for c in along_purchases] + along_spend
        for figure, estimate, comps, true in (
            ("purchases", point, along_purchases, truth),
            ("value", point * spent, value_components, true_value),
        ):
            if label == "total":
                estimate, true = estimate.sum(), true.sum()
                comps = [c.sum() for c in comps]
            low, high = bounds(estimate, np.array(comps))
            inside = (low <= true) & (true <= high)
            for i, hit in enumerate(np.atleast_1d(inside)):
                held[f"{label}{i if label == 'customer' else ''} {figure}"] = hit
    return held


@pytest.mark.slow
def test_90_percent_intervals_hold_the_true_figures_90_percent_of_the_time():
    rng = np.random.default_rng(2005)
    hits: dict[str, int] = defaultdict(int)
    for _ in range(REPLICATIONS):
        x, t_x, weeks, m_x = simulate(rng, CUSTOMERS)
        bgnbd = fitting.fit_bgnbd(fitting.Summaries.grouped(x, t_x, weeks))
        repeat = x > 0
        spend_fit = fitting.fit_gamma_gamma(x[repeat], m_x[repeat])
        assert bgnbd.converged and spend_fit.converged
        held = {
            **covers(bgnbd, BGNBD),
            **covers(spend_fit, GAMMA_GAMMA),
            **figures_covered(bgnbd, spend_fit, x, t_x, weeks, m_x),
        }
        for name, hit in held.items():
            hits[name] += bool(hit)
    coverage = {name: round(hit / REPLICATIONS, 3) for name, hit in hits.items()}
    print(f"90% interval coverage over {REPLICATIONS} replications:")
    for name, share in coverage.items():
        print(f"  {name:<20} {share:.3f}")
    assert len(coverage) == 7 + 2 * len(PANEL) + 2
    assert all(0.85 <= share <= 0.95 for share in coverage.values()), coverage
