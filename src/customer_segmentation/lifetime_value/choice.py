"""Which purchase model customer_clv's figures come from: BG/NBD unless the
evidence clearly favours Pareto/NBD.

With a holdout, the evidence is each customer's squared error in the holdout
(what they bought against what the model expected of them: the expectation
is the forecast that squared error rewards). Without one, each customer's
log-likelihood (the two models have four parameters each, so no penalty
tells them apart; Vuong's test). Either way the customers' differences are
paired, and Pareto/NBD is used when it is better on average by
EVIDENCE_Z standard errors of that average. Why BG/NBD by default: its
figures are closed forms, it is the model of the published CDNow checks,
and the two usually forecast alike (FHL 2005), so a switch needs more than
noise.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from customer_segmentation.lifetime_value import fitting
from customer_segmentation.lifetime_value.predictions import (
    conditional_expected_purchases,
)

# Pareto/NBD replaces BG/NBD when better by this many standard errors of
# the customers' mean difference (5% on one side, 2.5% each, by chance).
EVIDENCE_Z = 1.96
DEFAULT_MODEL = "bg_nbd"
CHALLENGER = "pareto_nbd"
NAMES = {"bg_nbd": "BG/NBD", "pareto_nbd": "Pareto/NBD"}


@dataclass(frozen=True)
class Choice:
    """The purchase model used (None: neither is usable), why in a line,
    and each model's mean squared error per customer in the holdout."""

    model: str | None
    reason: str
    holdout_errors: dict[str, float] = field(default_factory=dict)


@dataclass(frozen=True)
class Holdout:
    """Distinct (x, t_x, T, holdout purchases) with their customers, and the
    holdout's weeks."""

    x: np.ndarray
    t_x: np.ndarray
    T: np.ndarray
    purchases: np.ndarray
    customers: np.ndarray
    weeks: float


def paired_z(differences: np.ndarray, customers: np.ndarray) -> float:
    """The customers' mean difference over its standard error (each
    distinct difference with its count of customers); 0 without spread."""
    n = float(np.sum(customers))
    mean = float(np.sum(customers * differences)) / n
    spread = float(np.sum(customers * (differences - mean) ** 2)) / max(n - 1, 1)
    if n < 2 or spread <= 0:
        return 0.0
    return mean / np.sqrt(spread / n)


def holdout_squared_errors(fit, holdout: Holdout) -> np.ndarray:
    """Per distinct row, (holdout purchases - expected)^2."""
    expected = conditional_expected_purchases(
        fit, holdout.weeks, holdout.x, holdout.t_x, holdout.T
    )
    return (holdout.purchases - expected) ** 2


def choose(fits: dict[str, object], holdout: Holdout | None, summaries) -> Choice:
    """The purchase model to use from the usable fits (model: fitting.Fit),
    by the holdout's squared errors, else by the calibration's
    log-likelihoods (``summaries``: fitting.Summaries)."""
    usable = [model for model in (DEFAULT_MODEL, CHALLENGER) if model in fits]
    if not usable:
        return Choice(None, "neither BG/NBD nor Pareto/NBD has a usable fit")
    if len(usable) == 1:
        (model,) = usable
        other = CHALLENGER if model == DEFAULT_MODEL else DEFAULT_MODEL
        return Choice(model, f"{NAMES[model]}: {NAMES[other]} has no usable fit")
    default, challenger = fits[DEFAULT_MODEL], fits[CHALLENGER]
    if holdout is not None:
        return _by_holdout(default, challenger, holdout)
    return _by_likelihood(default, challenger, summaries)


def _by_holdout(default, challenger, holdout: Holdout) -> Choice:
    errors = {
        fit.model: holdout_squared_errors(fit, holdout) for fit in (default, challenger)
    }
    means = {
        model: float(np.sum(holdout.customers * e) / np.sum(holdout.customers))
        for model, e in errors.items()
    }
    z = paired_z(errors[DEFAULT_MODEL] - errors[CHALLENGER], holdout.customers)
    model = CHALLENGER if z >= EVIDENCE_Z else DEFAULT_MODEL
    comparison = (
        f"Pareto/NBD's squared error per customer over the {holdout.weeks:g}-week "
        f"holdout, {means[CHALLENGER]:.4g} against BG/NBD's "
        f"{means[DEFAULT_MODEL]:.4g},"
    )
    return Choice(model, _reason(model, comparison, "lower", z), means)


def _by_likelihood(default, challenger, summaries) -> Choice:
    parameters = {
        fit.model: np.array(list(fit.parameters.values()))
        for fit in (default, challenger)
    }
    difference = fitting.pareto_nbd_log_likelihoods(
        parameters[CHALLENGER], summaries
    ) - fitting.bgnbd_log_likelihoods(parameters[DEFAULT_MODEL], summaries)
    z = paired_z(difference, summaries.weight)
    model = CHALLENGER if z >= EVIDENCE_Z else DEFAULT_MODEL
    comparison = (
        f"no holdout, and Pareto/NBD's log-likelihood, "
        f"{challenger.log_likelihood:,.1f} against BG/NBD's "
        f"{default.log_likelihood:,.1f},"
    )
    return Choice(model, _reason(model, comparison, "higher", z))


def _reason(model: str, comparison: str, better: str, z: float) -> str:
    verdict = "is" if model == CHALLENGER else "is not"
    return (
        f"{NAMES[model]}: {comparison} {verdict} {better} by {EVIDENCE_Z} "
        f"standard errors (z = {z:.2f})"
    )
