"""The purchase model used (lifetime_value.choice): Pareto/NBD when the evidence
clearly favours it, BG/NBD otherwise, on customers simulated from each
model with known parameters."""

from __future__ import annotations

import numpy as np
import pytest
from clv_simulation import bg_nbd, pareto_nbd
from scipy import stats

from customer_segmentation.lifetime_value import fitting
from customer_segmentation.lifetime_value.choice import (
    EVIDENCE_Z,
    Holdout,
    choose,
    paired_z,
)

HOLDOUT_WEEKS = 39.0


def fitted(simulated) -> tuple[dict[str, fitting.Fit], Holdout, fitting.Summaries]:
    x, t_x, T, later = simulated
    summaries = fitting.Summaries.grouped(x, t_x, T)
    fits = {
        f.model: f
        for f in (fitting.fit_bgnbd(summaries), fitting.fit_pareto_nbd(summaries))
    }
    rows, customers = np.unique(
        np.column_stack([x, t_x, T, later]), axis=0, return_counts=True
    )
    holdout = Holdout(*rows.T, customers.astype(np.float64), HOLDOUT_WEEKS)
    return fits, holdout, summaries


@pytest.fixture(scope="module")
def from_pareto_nbd():
    # short lifetimes against steady buying: where the two models part
    return fitted(pareto_nbd(np.random.default_rng(0), 20_000, (2.0, 10.0, 1.5, 30.0)))


@pytest.fixture(scope="module")
def from_bg_nbd():
    return fitted(bg_nbd(np.random.default_rng(0), 20_000, (1.0, 5.0, 0.5, 1.0)))


def test_a_holdout_that_clearly_favours_pareto_nbd_switches_to_it(from_pareto_nbd):
    fits, holdout, summaries = from_pareto_nbd
    choice = choose(fits, holdout, summaries)
    print(choice.reason)
    assert choice.model == "pareto_nbd"
    assert choice.holdout_errors["pareto_nbd"] < choice.holdout_errors["bg_nbd"]
    assert "holdout" in choice.reason


def test_without_a_holdout_the_likelihoods_decide(from_pareto_nbd, from_bg_nbd):
    fits, _, summaries = from_pareto_nbd
    assert choose(fits, None, summaries).model == "pareto_nbd"
    fits, _, summaries = from_bg_nbd
    assert choose(fits, None, summaries).model == "bg_nbd"


def test_bg_nbd_customers_keep_bg_nbd(from_bg_nbd):
    fits, holdout, summaries = from_bg_nbd
    choice = choose(fits, holdout, summaries)
    assert choice.model == "bg_nbd"
    assert choice.holdout_errors["bg_nbd"] < choice.holdout_errors["pareto_nbd"]


def test_a_lower_error_within_the_noise_does_not_switch():
    # 3,000 BG/NBD customers with CDNow's parameters, where Pareto/NBD's
    # holdout error happens to be the lower: not by enough to switch
    fits, holdout, summaries = fitted(
        bg_nbd(np.random.default_rng(3), 3_000, (0.24, 4.4, 0.79, 2.43))
    )
    choice = choose(fits, holdout, summaries)
    print(choice.reason)
    assert choice.holdout_errors["pareto_nbd"] < choice.holdout_errors["bg_nbd"]
    assert choice.model == "bg_nbd"
    assert f"is not lower by {EVIDENCE_Z}" in choice.reason


def test_the_only_usable_fit_is_used_and_none_gives_none(from_bg_nbd):
    fits, holdout, summaries = from_bg_nbd
    only = choose({"pareto_nbd": fits["pareto_nbd"]}, holdout, summaries)
    assert only.model == "pareto_nbd"
    assert "BG/NBD has no usable fit" in only.reason
    assert choose({}, holdout, summaries).model is None


def test_the_paired_z_is_the_paired_t_statistic():
    rng = np.random.default_rng(7)
    distinct = rng.normal(0.1, 1.0, 50)
    customers = rng.integers(1, 6, 50).astype(np.float64)
    each = np.repeat(distinct, customers.astype(int))
    expected = stats.ttest_1samp(each, 0.0).statistic
    assert paired_z(distinct, customers) == pytest.approx(expected, rel=1e-12)
