"""What a run with transactions says about its lifetime-value models."""

from __future__ import annotations

from pathlib import Path

from customer_segmentation.engines.duckdb_limits import connect

MODEL_NAMES = {
    "bg_nbd": "BG/NBD",
    "pareto_nbd": "Pareto/NBD",
    "gamma_gamma": "Gamma-Gamma",
}
# What customer_clv loses when each model has no usable fit (a purchase
# model's loss depends on whether the other one is used).
EMPTY_WITHOUT = {
    "purchases": "customer_clv's p_alive, expected_purchases and clv are empty",
    "gamma_gamma": "customer_clv's expected_spend and clv are empty",
    "all": "customer_clv's p_alive, expected_spend and clv are empty",
}


def _loss(model: str, used: set[str]) -> str:
    """What customer_clv loses without ``model``, ``used`` the models
    whose figures it has."""
    if model == "gamma_gamma":
        return EMPTY_WITHOUT[model]
    other = next((m for m in used if m != "gamma_gamma"), None)
    if other is None:
        return EMPTY_WITHOUT["purchases"]
    return f"{MODEL_NAMES[other]} gives customer_clv's purchase figures"


# Above this (either sign), Gamma-Gamma's independence of spend and
# frequency is in doubt and the run says so.
INDEPENDENCE_LIMIT = 0.3


def lifetime_value_lines(serving: Path) -> list[str]:
    """The lifetime-value fit in a line, its holdout check in another, and
    one line per model that did not converge; none without transactions."""
    with connect(str(serving), read_only=True) as con:
        models = con.sql(
            "select model, any_value(log_likelihood), bool_and(converged),"
            " any_value(customers), any_value(fit_problem)"
            " from clv_model group by model order by model"
        ).fetchall()
        used = {
            model
            for (model,) in con.sql(
                "select distinct model from clv_model where is_used_in_clv"
            ).fetchall()
        }
        (valued,) = con.sql("select count(clv) from customer_clv").fetchone()
        holdout = con.sql(
            "select holdout_weeks, holdout_correlation, cumulative_tracking_error"
            " from clv_holdout_fit"
        ).fetchone()
        (spend_correlation,) = con.sql(
            "select max(spend_frequency_correlation) from clv_model"
            " where model = 'gamma_gamma' and converged"
        ).fetchone()
        (choice,) = con.sql(
            "select max(model_choice) from clv_model"
            " where model != 'gamma_gamma' and converged"
        ).fetchone()
    if not models:
        return []
    problems = {problem for *_, problem in models}
    if not any(converged for _, _, converged, _, _ in models) and len(problems) == 1:
        # the purchases cannot carry lifetime value: one reason for every model
        return [f"Warning: no lifetime value: {problems.pop()}; {EMPTY_WITHOUT['all']}"]
    fits = ", ".join(
        f"{MODEL_NAMES[model]} log-likelihood {likelihood:,.1f}"
        for model, likelihood, converged, _, _ in models
        if converged
    )
    lines = [f"Lifetime value: {valued} customers valued; {fits}"]
    if choice:
        lines.append(f"  purchases from {choice}")
    if holdout:
        weeks, correlation, tracking = holdout
        lines.append(
            f"  holdout of {weeks:.1f} weeks: forecast against actual purchases "
            f"correlate {correlation:.3f}; cumulative forecast {tracking:+.1%}"
        )
    if spend_correlation is not None and abs(spend_correlation) > INDEPENDENCE_LIMIT:
        lines.append(
            f"Warning: spend per purchase and purchase frequency correlate "
            f"{spend_correlation:.2f} over the repeat buyers; Gamma-Gamma assumes they "
            "do not, so expected_spend and clv lean on a doubtful assumption "
            "(clv_model.spend_frequency_correlation)"
        )
    lines += [
        f"Warning: the {MODEL_NAMES[model]} fit on {customers} customers is not "
        f"used: {problem}; {_loss(model, used)}"
        for model, _, converged, customers, problem in models
        if not converged
    ]
    return lines
