"""The lifetime-value intervals the pipeline publishes on the CDNow sample
are the delta method's, worked out here another way: the models refitted on
the published summaries, each figure's gradient in all seven log-parameters
by central differences, and gradient' covariance gradient (the two models'
covariances side by side). The pipeline sums Cholesky components in SQL
instead; a total's gradient is its customers' summed. Whether such
intervals hold the truth 90% of the time: tests/unit/test_clv_intervals.py.
"""

from __future__ import annotations

import numpy as np
import pytest
from scipy.linalg import block_diag

from customer_segmentation.lifetime_value import fitting
from customer_segmentation.lifetime_value.intervals import Z_90
from customer_segmentation.lifetime_value.predictions import (
    conditional_expected_purchases,
    discounted_expected_purchases,
)

STEP = 1e-5


def spend(p: float, q: float, gamma: float, x, m_x) -> np.ndarray:
    return p * (gamma + np.nan_to_num(m_x) * x) / (p * x + q - 1)


@pytest.fixture(scope="module")
def cdnow(cdnow_run):
    """The published customers, the refitted models, and each customer's
    figures as functions of the seven log-parameters."""
    rows = cdnow_run.query(
        "select c.customer_id, c.repeat_purchases, c.weeks_to_last_purchase,"
        " c.weeks_observed, coalesce(c.mean_repeat_spend, 'nan'),"
        " c.expected_purchases, c.expected_purchases_low, c.expected_purchases_high,"
        " c.clv, c.clv_low, c.clv_high, s.cluster_id from customer_clv as c"
        " left join customer_segments as s using (customer_id)"
        " order by c.customer_id"
    )
    columns = list(zip(*rows, strict=True))
    x, t_x, T, m_x = (np.array(c, dtype=np.float64) for c in columns[1:5])
    bgnbd = fitting.fit_bgnbd(fitting.Summaries.grouped(x, t_x, T))
    repeat = (x > 0) & (m_x > 0)
    gamma_gamma = fitting.fit_gamma_gamma(x[repeat], m_x[repeat])
    at = np.log([*bgnbd.parameters.values(), *gamma_gamma.parameters.values()])
    holdout_weeks = 39.0

    def figures(log_parameters: np.ndarray) -> dict[str, np.ndarray]:
        values = np.exp(log_parameters)
        names = dict(zip(bgnbd.parameters, values[:4], strict=True))
        fit = fitting.Fit("bg_nbd", names, 0, True, 0)
        spent = spend(*values[4:], x, m_x)
        return {
            "purchases": conditional_expected_purchases(fit, 52, x, t_x, T),
            "value": discounted_expected_purchases(fit, x, t_x, T, (52, 0.10, 4))
            * spent,
            "holdout": conditional_expected_purchases(fit, holdout_weeks, x, t_x, T),
        }

    gradients = {name: [] for name in figures(at)}
    for j in range(len(at)):
        step = np.eye(len(at))[j] * STEP
        up, down = figures(at + step), figures(at - step)
        for name in gradients:
            gradients[name].append((up[name] - down[name]) / (2 * STEP))
    names = [
        *("customer_id", "x", "t_x", "T", "m_x"),
        *("purchases", "purchases_low", "purchases_high"),
        *("value", "value_low", "value_high", "cluster_id"),
    ]
    return {
        "published": {
            name: np.array(c) for name, c in zip(names, columns, strict=True)
        },
        "point": figures(at),
        "gradient": {name: np.array(g) for name, g in gradients.items()},
        "covariance": block_diag(bgnbd.log_covariance, gamma_gamma.log_covariance),
    }


def delta_interval(point, gradient, covariance) -> tuple[np.ndarray, np.ndarray]:
    """90% interval from gradient' covariance gradient, symmetric on the log
    scale as the pipeline's."""
    variance = np.einsum("ic,ij,jc->c", gradient, covariance, gradient)
    half_width = Z_90 * np.sqrt(variance)
    spread = np.exp(half_width / point)
    return point / spread, point * spread


def test_each_customers_interval_is_the_delta_methods(cdnow):
    published = cdnow["published"]
    for figure in ("purchases", "value"):
        point = cdnow["point"][figure]
        gradient = cdnow["gradient"][figure]
        if gradient.ndim == 1:
            gradient = gradient[:, None]
        low, high = delta_interval(point, gradient, cdnow["covariance"])
        assert published[figure] == pytest.approx(point, rel=1e-6), figure
        assert published[f"{figure}_low"] == pytest.approx(low, rel=1e-4), figure
        assert published[f"{figure}_high"] == pytest.approx(high, rel=1e-4), figure
        # an interval of some width, not a point: customers' values differ by
        # about a tenth either way on CDNow's 2,357 customers
        assert 0.02 < np.median(high / point - 1) < 0.5, figure


def test_a_segments_total_carries_its_customers_moving_together(cdnow, cdnow_run):
    published = cdnow["published"]
    rows = cdnow_run.query(
        "select cluster_id, total_clv, total_clv_low, total_clv_high"
        " from cluster_summary order by cluster_id"
    )
    assert len(rows) > 1
    for cluster_id, total, low, high in rows:
        members = published["cluster_id"] == cluster_id
        point = cdnow["point"]["value"][members].sum()
        gradient = cdnow["gradient"]["value"][:, members].sum(axis=1)[:, None]
        expected_low, expected_high = delta_interval(
            np.array([point]), gradient, cdnow["covariance"]
        )
        assert total == pytest.approx(point, rel=1e-6)
        assert (low, high) == pytest.approx(
            (expected_low[0], expected_high[0]), rel=1e-5
        )
        # the customers move together: the total's half-width is not the
        # root of their squared half-widths summed (which would be narrower)
        alone = np.sqrt(np.sum(np.square(published["value_high"][members]
                                         - published["value"][members])))  # fmt: skip
        assert high - total > 2 * alone


def test_the_holdout_forecast_has_the_delta_methods_interval(cdnow, cdnow_run):
    [(predicted, low, high, actual)] = cdnow_run.query(
        "select predicted_holdout_purchases, predicted_holdout_purchases_low,"
        " predicted_holdout_purchases_high, actual_holdout_purchases"
        " from clv_holdout_fit"
    )
    point = cdnow["point"]["holdout"].sum()
    gradient = cdnow["gradient"]["holdout"].sum(axis=1)[:, None]
    expected_low, expected_high = delta_interval(
        np.array([point]), gradient, cdnow["covariance"]
    )
    assert predicted == pytest.approx(point, rel=1e-6)
    assert (low, high) == pytest.approx((expected_low[0], expected_high[0]), rel=1e-5)
    print(
        f"CDNow holdout: {predicted:,.0f} expected (90% interval {low:,.0f} to"
        f" {high:,.0f}) against {actual:,} made"
    )


def test_the_residual_value_outlasts_the_horizon(cdnow_run):
    [(horizon, residual, shorter)] = cdnow_run.query(
        "select sum(clv), sum(residual_clv),"
        " count(*) filter (where residual_clv < clv) from customer_clv"
    )
    assert shorter == 0
    print(f"CDNow: a year's value {horizon:,.0f}, residual value {residual:,.0f}")
    # on CDNow the year is about a quarter of the whole (issue 37)
    assert 0.15 < horizon / residual < 0.4


def test_the_tracking_band_ends_at_the_holdouts_cumulative_interval(cdnow_run):
    """Two ways to the same interval: the tracking's last week (Python, from
    the cohort's first purchases) and the holdout's cumulative total (SQL,
    from each customer's components)."""
    [(expected, low, high)] = cdnow_run.query(
        "select expected_cumulative_repeat_purchases, expected_cumulative_low,"
        " expected_cumulative_high from clv_tracking"
        " order by week_number desc limit 1"
    )
    [fit] = cdnow_run.query(
        "select predicted_cumulative_repeat_purchases,"
        " predicted_cumulative_repeat_purchases_low,"
        " predicted_cumulative_repeat_purchases_high from clv_holdout_fit"
    )
    assert (expected, low, high) == pytest.approx(fit, rel=1e-9)
    assert low < 4_161 < high
