"""The residual value's quadrature (predictions.residual_discounted_purchases):
cut at the horizon it gives the hypergeometric figure over the same
periods, and its node counts hold RESIDUAL_TOLERANCE against many more."""

from __future__ import annotations

import numpy as np
import pytest

from customer_segmentation.lifetime_value import bgnbd as expect
from customer_segmentation.lifetime_value import fitting
from customer_segmentation.lifetime_value import predictions as predict

CDNOW = fitting.Fit(
    "bg_nbd",
    {"r": 0.2425945, "alpha": 4.4136019, "a": 0.7929199, "b": 2.4258881},
    0.0,
    True,
    2357,
)
# (x, t_x, T): no repeats, the paper's customer, a lapsed one, heavy buyers
X = np.array([0, 2, 1, 7, 30, 200, 2000], dtype=np.float64)
T_X = np.array([0.0, 30.43, 2.0, 35.0, 38.0, 38.5, 38.8])
T = np.full(len(X), 38.86)


def test_cut_at_the_horizon_it_is_the_discounted_horizon_figure():
    moderate = X < 1000  # the hypergeometric series fails past that
    cut = predict.residual_discounted_purchases(CDNOW, X, T_X, T, 0.10, 4, periods=13)[
        moderate
    ]
    horizon = predict.discounted_expected_purchases(
        CDNOW, X[moderate], T_X[moderate], T[moderate], (52, 0.10, 4)
    )
    assert cut == pytest.approx(horizon, rel=1e-6)


def test_the_node_counts_hold_the_stated_tolerance(monkeypatch):
    figure = predict.residual_discounted_purchases(CDNOW, X, T_X, T, 0.10, 4)
    monkeypatch.setattr(expect, "RATE_NODES", 256)
    monkeypatch.setattr(expect, "DROPOUT_NODES", 256)
    finer = predict.residual_discounted_purchases(CDNOW, X, T_X, T, 0.10, 4)
    error = np.abs(figure / finer - 1)
    print(f"residual value's relative error against 256 x 256 nodes: {error.max():.1e}")
    assert error.max() < expect.RESIDUAL_TOLERANCE
    assert np.all(np.isfinite(figure))


def test_the_residual_outlasts_the_horizon_and_a_lower_rate_raises_it():
    horizon = predict.discounted_expected_purchases(
        CDNOW, X[:5], T_X[:5], T[:5], (52, 0.10, 4)
    )
    residual = predict.residual_discounted_purchases(
        CDNOW, X[:5], T_X[:5], T[:5], 0.10, 4
    )
    assert np.all(residual > horizon)
    cheaper = predict.residual_discounted_purchases(
        CDNOW, X[:5], T_X[:5], T[:5], 0.05, 4
    )
    assert np.all(cheaper > residual)


def test_the_gauss_rules_give_the_moments_of_their_distributions():
    # Gamma(k, 1) has mean k and variance k; Beta(a, b) mean a / (a + b)
    for shape in (0.24, 3.0, 2_000.0):
        nodes, weights = expect.gamma_rule(shape, 48)
        assert weights.sum() == pytest.approx(1.0)
        assert nodes @ weights == pytest.approx(shape)
        assert (nodes - shape) ** 2 @ weights == pytest.approx(shape)
    for a, b in ((0.79, 2.43), (0.79, 2_002.0)):
        nodes, weights = expect.beta_rule(a, b, 96)
        assert np.all((nodes > 0) & (nodes < 1))
        assert nodes @ weights == pytest.approx(a / (a + b))
