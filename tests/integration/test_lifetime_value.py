"""Lifetime value in the warehouse: the published CDNow results, reproduced
by a real run of the pipeline on the CDNow sample (calibration to
1997-09-30, holdout to 1998-06-30), and the CLV tables on other runs.

The figures are Fader, Hardie & Lee (2005) and Fader & Hardie's notes, to
the precision their spreadsheets give; see tests/unit/test_clv.py for the
library alone.
"""

from __future__ import annotations

import hashlib
import math
from datetime import date, timedelta

import numpy as np
import pytest
from customer_files import write_csv
from pipeline_runs import require_success, run_pipeline, shuffled_copy

PUBLISHED_BGNBD = {"r": 0.2425945, "alpha": 4.4136019, "a": 0.7929199, "b": 2.4258881}
PUBLISHED_GAMMA_GAMMA = {"p": 6.2496, "q": 3.7442, "gamma": 15.4435}
CLV_TABLES = (
    "customer_clv",
    "clv_model",
    "clv_holdout",
    "clv_holdout_fit",
    "clv_tracking",
)


def model(run, name: str) -> dict[str, object]:
    rows = run.query(
        "select parameter, value, log_likelihood, customers, converged "
        f"from clv_model where model = '{name}'"
    )
    return {
        "parameters": {parameter: value for parameter, value, *_ in rows},
        "log_likelihood": rows[0][2],
        "customers": rows[0][3],
        "converged": all(row[4] for row in rows),
    }


def test_bgnbd_reproduces_the_published_parameters(cdnow_run):
    fit = model(cdnow_run, "bg_nbd")
    assert fit["converged"] and fit["customers"] == 2357
    for name, value in PUBLISHED_BGNBD.items():
        assert fit["parameters"][name] == pytest.approx(value, rel=1e-3), name
    assert fit["log_likelihood"] == pytest.approx(-9582.429, abs=0.01)


def test_pareto_nbd_is_beside_it_with_the_published_likelihood(cdnow_run):
    fit = model(cdnow_run, "pareto_nbd")
    assert fit["converged"]
    assert fit["log_likelihood"] == pytest.approx(-9594.976, abs=0.01)
    assert set(fit["parameters"]) == {"r", "alpha", "s", "beta"}


def test_gamma_gamma_reproduces_the_published_fit_on_the_repeat_buyers(cdnow_run):
    fit = model(cdnow_run, "gamma_gamma")
    assert fit["converged"] and fit["customers"] == 946
    for name, value in PUBLISHED_GAMMA_GAMMA.items():
        assert fit["parameters"][name] == pytest.approx(value, rel=1e-3), name
    assert fit["log_likelihood"] == pytest.approx(-4055.918, abs=0.01)


def test_each_parameter_is_published_with_its_standard_error_and_interval(
    cdnow_run,
):
    """BG/NBD's errors as lifetimes prints them for this sample, Gamma-Gamma's
    as an independent Hessian gives them (tests/unit/test_clv.py); each 90%
    interval symmetric on the log scale: exp(log value -+ 1.645 se / value)."""
    rows = cdnow_run.query(
        "select model, parameter, value, standard_error, interval_low,"
        " interval_high from clv_model where model in ('bg_nbd', 'gamma_gamma')"
    )
    errors = {(m, p): se for m, p, _, se, *_ in rows}
    expected = {
        ("bg_nbd", "r"): 0.012557,
        ("bg_nbd", "alpha"): 0.378221,
        ("bg_nbd", "a"): 0.185719,
        ("bg_nbd", "b"): 0.705345,
        ("gamma_gamma", "p"): 1.190,
        ("gamma_gamma", "q"): 0.290,
        ("gamma_gamma", "gamma"): 4.159,
    }
    assert errors == pytest.approx(expected, rel=2e-3)
    for _, _, value, error, low, high in rows:
        assert low < value < high
        assert math.log(high / value) == pytest.approx(1.6448536 * error / value)
        assert math.log(value / low) == pytest.approx(1.6448536 * error / value)


def test_the_calibration_summary_follows_the_papers(cdnow_run):
    (customers, repeaters, repeats, calibration_end, holdout_end) = cdnow_run.query(
        "select count(*), count(*) filter (where repeat_purchases > 0),"
        " sum(repeat_purchases), any_value(calibration_end_date),"
        " any_value(holdout_end_date) from customer_clv"
    )[0]
    assert (customers, repeaters, repeats) == (2357, 946, 2457)
    assert (calibration_end, holdout_end) == (date(1997, 9, 30), date(1998, 6, 30))
    # customer 1 bought on 1997-01-01 ($29.33), 01-18 ($29.73), 08-02
    # ($14.96) and, after the calibration, 12-12: the first purchase is left
    # out of the mean spend, the holdout's too
    (mean_spend, repeats, holdout) = cdnow_run.query(
        "select mean_repeat_spend, repeat_purchases, holdout_repeat_purchases"
        " from customer_clv where customer_id = '1'"
    )[0]
    assert (mean_spend, repeats, holdout) == (pytest.approx((29.73 + 14.96) / 2), 2, 1)


def test_a_customer_with_two_repeats_is_forecast_as_in_the_paper(cdnow_run):
    # x = 2, t_x = 30.43, T = 38.86: 1.226 purchases in the next 39 weeks
    rows = cdnow_run.query(
        "select expected_holdout_purchases from customer_clv"
        " where repeat_purchases = 2 and round(weeks_to_last_purchase, 2) = 30.43"
        " and round(weeks_observed, 2) = 38.86"
    )
    assert rows
    assert {round(value, 3) for (value,) in rows} == {1.226}


def test_the_holdout_matches_the_published_evaluation(cdnow_run):
    fit = dict(
        zip(
            (
                "holdout_weeks",
                "customers",
                "calibration_repeat_purchases",
                "actual_holdout_purchases",
                "holdout_correlation",
                "actual_cumulative_repeat_purchases",
                "predicted_cumulative_repeat_purchases",
                "cumulative_tracking_error",
                "histogram_chi_square",
            ),
            cdnow_run.query(
                "select holdout_weeks, customers, calibration_repeat_purchases,"
                " actual_holdout_purchases, holdout_correlation,"
                " actual_cumulative_repeat_purchases,"
                " predicted_cumulative_repeat_purchases, cumulative_tracking_error,"
                " histogram_chi_square from clv_holdout_fit"
            )[0],
            strict=True,
        )
    )
    assert fit["holdout_weeks"] == 39
    assert fit["customers"] == 2357
    assert fit["calibration_repeat_purchases"] == 2457
    assert fit["actual_holdout_purchases"] == 1882
    assert fit["holdout_correlation"] == pytest.approx(0.626, abs=5e-4)
    assert fit["histogram_chi_square"] == pytest.approx(4.82, abs=5e-3)
    # week 78: 4,339 repeat purchases; each customer's weeks counted to the
    # holdout's last day as weeks_observed is (see docs/lifetime_value.md)
    assert fit["actual_cumulative_repeat_purchases"] == 4339
    assert fit["predicted_cumulative_repeat_purchases"] == pytest.approx(4161, abs=0.5)
    assert fit["cumulative_tracking_error"] == pytest.approx(-0.041, abs=5e-4)


def test_the_weekly_tracking_follows_the_paper_to_week_78(cdnow_run):
    """FHL 2005, figure 4: 39 calibration weeks from 1997-01-01 and 39 of
    holdout, cumulative repeat purchases made and expected."""
    weeks = cdnow_run.query(
        "select week_number, week_start_date, week_end_date, is_holdout,"
        " actual_repeat_purchases, actual_cumulative_repeat_purchases,"
        " expected_repeat_purchases, expected_cumulative_repeat_purchases"
        " from clv_tracking order by week_number"
    )
    assert [w[0] for w in weeks] == list(range(1, 79))
    assert (weeks[0][1], weeks[-1][2]) == (date(1997, 1, 1), date(1998, 6, 30))
    assert [w[3] for w in weeks] == [False] * 39 + [True] * 39
    # the calibration's 2,457 repeat purchases, then the holdout's
    assert weeks[38][5] == 2457
    (week_78,) = [w for w in weeks if w[0] == 78]
    assert week_78[5] == 4339
    assert week_78[7] == pytest.approx(4161, abs=0.5)
    ((predicted,),) = cdnow_run.query(
        "select predicted_cumulative_repeat_purchases from clv_holdout_fit"
    )
    assert week_78[7] == pytest.approx(predicted, rel=1e-12)
    # the weeks add up to the cumulative figures
    assert sum(w[4] for w in weeks) == week_78[5]
    assert sum(w[6] for w in weeks) == pytest.approx(week_78[7], rel=1e-12)
    assert all(w[6] > 0 for w in weeks)


def test_the_holdout_by_calibration_purchases(cdnow_run):
    groups = {
        group: (customers, actual, predicted)
        for group, customers, actual, predicted in cdnow_run.query(
            "select repeat_purchases_group, customers,"
            " actual_mean_holdout_purchases, predicted_mean_holdout_purchases"
            " from clv_holdout order by group_order"
        )
    }
    assert list(groups) == ["0", "1", "2", "3", "4", "5", "6", "7+"]
    assert [c for c, _, _ in groups.values()] == [1411, 439, 214, 100, 62, 38, 29, 64]
    _, actual, predicted = groups["0"]
    assert (round(predicted, 3), round(actual, 3)) == (0.225, 0.237)


def test_no_published_figure_is_nan_or_infinite(cdnow_run, transactions_run):
    for run in (cdnow_run, transactions_run):
        for table in CLV_TABLES:
            columns = [
                name
                for name, kind in run.query(
                    "select column_name, data_type from information_schema.columns"
                    f" where table_name = '{table}'"
                )
                if kind == "DOUBLE"
            ]
            for column in columns:
                for (value,) in run.query(f"select {column} from {table}"):
                    assert value is None or math.isfinite(value), (table, column)


def test_expected_spend_is_the_papers_from_the_published_parameters(cdnow_run):
    parameters = model(cdnow_run, "gamma_gamma")["parameters"]
    p, q, gamma = (parameters[name] for name in ("p", "q", "gamma"))
    rows = cdnow_run.query(
        "select repeat_purchases, mean_repeat_spend, expected_spend from customer_clv"
    )
    for x, m_x, spend in rows:
        # Fader & Hardie 2013, equation 5; without a repeat purchase the
        # population's mean p gamma / (q - 1)
        meant = p * (gamma + (m_x or 0) * x) / (p * x + q - 1)
        assert spend == pytest.approx(meant, rel=1e-12)


def test_value_is_expected_purchases_times_spend_discounted(cdnow_run):
    rows = cdnow_run.query(
        "select expected_purchases, expected_spend, clv from customer_clv"
    )
    # discounting over the 52 weeks: value is below the undiscounted product,
    # and by less than a year's 10% rate
    for purchases, spend, value in rows:
        assert purchases * spend / 1.10 <= value <= purchases * spend + 1e-9
    # the horizon is published beside the value it bounds
    assert cdnow_run.query("select distinct horizon_weeks from customer_clv") == [(52,)]


def test_without_a_holdout_the_evaluation_tables_are_empty(transactions_run):
    assert transactions_run.query("select count(*) from clv_holdout") == [(0,)]
    assert transactions_run.query("select count(*) from clv_holdout_fit") == [(0,)]
    customers = transactions_run.query(
        "select count(*) from customer_clv where holdout_end_date is null"
    )
    assert customers == transactions_run.query("select count(*) from customer_rfm")


def test_without_transactions_the_clv_tables_exist_empty(reference_run):
    for table in (*CLV_TABLES, "clv_alive_bands"):
        assert reference_run.query(f"select count(*) from {table}") == [(0,)], table


def purchase_rows(
    rng: np.random.Generator,
    customer: int,
    typical: float,
    first_day: int,
    rate: float,
    drop: float,
) -> list[list[str]]:
    """A buyer as BG/NBD has them: purchases at ``rate`` a day from
    ``first_day``, each followed by a chance ``drop`` of leaving; each
    spend near ``typical``."""
    rows, day = [], first_day
    while day < 300:
        amount = max(round(typical * np.exp(rng.normal(0, 0.1)), 2), 0.01)
        stamp = date(2025, 1, 1) + timedelta(days=day)
        rows.append([str(customer), stamp.isoformat(), f"{amount:.2f}"])
        if rng.random() < drop:
            break
        day += 1 + int(rng.exponential(1 / rate))
    return rows


def spread_spend_rows(seed: int) -> list[list[str]]:
    """Buyers whose spend per purchase is spread so widely (log-normal, sd 3
    across customers) that Gamma-Gamma puts q below 1: no finite expected
    spend."""
    rng = np.random.default_rng(seed)
    rows = []
    for customer in range(1, 301):
        typical = np.exp(rng.normal(3.0, 3.0))
        day, rate, drop = (
            int(rng.integers(0, 100)),
            rng.gamma(2.0, 1 / 40),
            rng.beta(2, 6),
        )
        rows += purchase_rows(rng, customer, typical, day, rate, drop)
    return rows


def frequent_big_spender_rows(seed: int) -> list[list[str]]:
    """Buyers who spend more per purchase the more purchases they make:
    what Gamma-Gamma assumes away."""
    rng = np.random.default_rng(seed)
    rows = []
    for customer in range(1, 301):
        day, rate, drop = (
            int(rng.integers(0, 100)),
            rng.gamma(2.0, 1 / 40),
            rng.beta(2, 6),
        )
        bought = purchase_rows(rng, customer, 1.0, day, rate, drop)
        rows += [[c, stamp, f"{10.0 * len(bought):.2f}"] for c, stamp, _ in bought]
    return rows


def test_spend_that_follows_frequency_is_warned_of_in_one_line(tmp_path, cdnow_run):
    rows = frequent_big_spender_rows(11)
    transactions = write_csv(
        tmp_path / "together.csv", ["customer_id", "purchase_date", "amount"], rows
    )
    run = require_success(run_pipeline(tmp_path / "work", transactions=transactions))
    ((correlation,),) = run.query(
        "select distinct spend_frequency_correlation from clv_model"
        " where model = 'gamma_gamma'"
    )
    assert correlation > 0.3
    warnings = [line for line in run.stdout.splitlines() if "Warning: spend" in line]
    assert warnings == [
        f"Warning: spend per purchase and purchase frequency correlate "
        f"{correlation:.2f} over the repeat buyers; Gamma-Gamma assumes they do "
        "not, so expected_spend and clv lean on a doubtful assumption "
        "(clv_model.spend_frequency_correlation)"
    ]
    # CDNow's 0.11 is fine: published, no warning
    correlations = dict(
        cdnow_run.query(
            "select model, max(spend_frequency_correlation) from clv_model"
            " group by model"
        )
    )
    assert correlations["gamma_gamma"] == pytest.approx(0.114, abs=0.001)
    assert correlations["bg_nbd"] is None and correlations["pareto_nbd"] is None
    assert "Warning: spend per purchase" not in cdnow_run.stdout


def test_a_fit_without_a_finite_mean_spend_is_named_and_publishes_no_value(tmp_path):
    rows = spread_spend_rows(7)
    transactions = write_csv(
        tmp_path / "spread.csv", ["customer_id", "purchase_date", "amount"], rows
    )
    run = require_success(run_pipeline(tmp_path / "work", transactions=transactions))
    ((converged, q),) = run.query(
        "select bool_and(converged), max(value) filter (where parameter = 'q')"
        " from clv_model where model = 'gamma_gamma'"
    )
    assert not converged and q < 1
    assert run.query(
        "select count(*), count(p_alive), count(expected_spend), count(clv)"
        " from customer_clv"
    ) == [(300, 300, 0, 0)]
    # named in one line (Pareto/NBD, only compared, may warn on its own line)
    warnings = [line for line in run.stdout.splitlines() if "Gamma-Gamma" in line]
    assert len(warnings) == 1, run.stdout
    assert warnings[0].startswith("Warning: the Gamma-Gamma fit on 216 customers")
    assert "expected_spend and clv are empty" in warnings[0]


def test_the_same_transactions_in_another_order_give_the_same_fit(
    cdnow_run, cdnow_transactions, tmp_path
):
    shuffled = shuffled_copy(cdnow_transactions, tmp_path / "shuffled.csv", seed=3)
    run = require_success(
        run_pipeline(
            tmp_path / "work",
            transactions=shuffled,
            dbt_vars="{clv_calibration_end: '1997-09-30'}",
        )
    )
    # the fit and every customer's figures are the same, to the bit
    for sql in (
        "select * from clv_model order by model, parameter",
        "select * from customer_clv order by customer_id",
    ):
        assert run.query(sql) == cdnow_run.query(sql), sql
    # sums of floats over customers taken in another order may differ in
    # their last bit, never more
    for sql in (
        "select * from clv_holdout order by group_order",
        "select * from clv_holdout_fit",
        "select * from clv_alive_bands order by band_order",
    ):
        for shuffled_row, row in zip(run.query(sql), cdnow_run.query(sql), strict=True):
            for shuffled_value, value in zip(shuffled_row, row, strict=True):
                if isinstance(value, float):
                    assert shuffled_value == pytest.approx(value, rel=1e-12), sql
                else:
                    assert shuffled_value == value, sql


def test_lifetime_value_can_be_left_out(transactions_run, tmp_path):
    run = require_success(
        run_pipeline(
            tmp_path / "work", transactions="demo", dbt_vars="{lifetime_value: false}"
        )
    )
    for table in (*CLV_TABLES, "clv_alive_bands"):
        assert run.query(f"select count(*) from {table}") == [(0,)], table
    assert run.query("select count(clv), count(p_alive) from customer_segments") == [
        (0, 0)
    ]
    assert "Lifetime value" not in run.stdout
    # everything else as with it
    for sql in (
        "select * from customer_rfm order by customer_id",
        "select customer_id, cluster_id from customer_segments order by customer_id",
    ):
        assert run.query(sql) == transactions_run.query(sql), sql


def one_time_buyers(folder) -> tuple[object, str]:
    """300 customers who each bought once in 2024, and the file's hash."""
    rng = np.random.default_rng(11)
    rows = [
        [
            str(customer),
            (date(2024, 1, 1) + timedelta(days=int(rng.integers(0, 360)))).isoformat(),
            f"{rng.integers(5, 100)}.00",
        ]
        for customer in range(1, 301)
    ]
    path = write_csv(
        folder / "once.csv", ["customer_id", "purchase_date", "amount"], rows
    )
    return path, hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.mark.parametrize(
    ("calibration_end", "reason"),
    [
        (None, "no customer bought again by 2024-12-"),
        (
            "2020-01-01",
            "var clv_calibration_end 2020-01-01 is before the first purchase",
        ),
        ("2030-01-01", "var clv_calibration_end 2030-01-01 is on or after the last"),
    ],
)
def test_purchases_that_cannot_carry_lifetime_value_say_so_in_one_line(
    tmp_path, calibration_end, reason
):
    # issue 34: a traceback, bounds called converged, or empty tables unsaid
    transactions, digest = one_time_buyers(tmp_path)
    dbt_vars = (
        f"{{clv_calibration_end: '{calibration_end}'}}" if calibration_end else None
    )
    run = require_success(
        run_pipeline(tmp_path / "work", transactions=transactions, dbt_vars=dbt_vars)
    )

    problems = run.query(
        "select distinct converged, value is null, fit_problem from clv_model"
    )
    assert len(problems) == 1 and problems[0][:2] == (False, True), problems
    assert problems[0][2].startswith(reason)
    assert run.query("select distinct model from clv_model order by 1") == [
        ("bg_nbd",),
        ("gamma_gamma",),
        ("pareto_nbd",),
    ]
    assert run.query("select count(*), count(clv) from customer_clv")[0][1] == 0
    warnings = [line for line in run.stdout.splitlines() if "lifetime value" in line]
    assert warnings == [
        f"Warning: no lifetime value: {problems[0][2]}; customer_clv's p_alive, "
        "expected_spend and clv are empty"
    ]
    for noise in ("Traceback", "RuntimeWarning", "ZeroDivisionError"):
        assert noise not in run.stdout + run.stderr
    assert hashlib.sha256(transactions.read_bytes()).hexdigest() == digest


def purchase_models(run) -> dict[str, tuple]:
    """Per purchase model: (is_used_in_clv, holdout_squared_error,
    model_choice, log_likelihood)."""
    return {
        model: rest
        for model, *rest in run.query(
            "select distinct model, is_used_in_clv, holdout_squared_error,"
            " model_choice, log_likelihood from clv_model"
            " where model != 'gamma_gamma'"
        )
    }


def test_cdnow_keeps_bg_nbd_for_pareto_nbd_is_not_clearly_better(cdnow_run):
    models = purchase_models(cdnow_run)
    (bg_used, bg_error, reason, _), (pareto_used, pareto_error, same, _) = (
        models["bg_nbd"],
        models["pareto_nbd"],
    )
    assert bg_used and not pareto_used and reason == same
    # BG/NBD's error is each customer's published forecast against what they did
    ((published,),) = cdnow_run.query(
        "select avg(power(holdout_repeat_purchases - expected_holdout_purchases, 2))"
        " from customer_clv"
    )
    assert bg_error == pytest.approx(published, rel=1e-9)
    assert pareto_error < bg_error  # lower, but within the noise
    z = float(reason.rsplit("z = ", 1)[1].rstrip(")"))
    assert 0 < z < 1.96
    assert reason.startswith("BG/NBD: Pareto/NBD's squared error per customer")
    assert f"  purchases from {reason}" in cdnow_run.stdout.splitlines()
    ((used,),) = cdnow_run.query(
        "select list(distinct model order by model) from clv_model where is_used_in_clv"
    )
    assert used == ["bg_nbd", "gamma_gamma"]


def test_the_demo_values_customers_with_pareto_nbd_which_fits_it_far_better(
    transactions_run,
):
    # the demo's buyers leave at any time, not only after a purchase: without
    # a holdout, Pareto/NBD's log-likelihood is higher by many standard errors
    models = purchase_models(transactions_run)
    assert models["pareto_nbd"][0] and not models["bg_nbd"][0]
    reason = models["pareto_nbd"][2]
    assert reason.startswith("Pareto/NBD: no holdout, and Pareto/NBD's log-likelihood")
    assert float(reason.rsplit("z = ", 1)[1].rstrip(")")) >= 1.96
    assert models["pareto_nbd"][3] > models["bg_nbd"][3]
    # Pareto/NBD lets a customer without a repeat purchase leave: P(alive) < 1
    (row,) = transactions_run.query(
        "select count(*), count(clv_low), count(expected_purchases_low),"
        " max(p_alive) filter (where repeat_purchases = 0)"
        " from customer_clv"
    )
    customers, with_value_interval, with_purchase_interval, one_timer_alive = row
    assert customers == with_value_interval == with_purchase_interval > 0
    assert one_timer_alive < 1
    ((segments_without,),) = transactions_run.query(
        "select count(*) from cluster_summary where total_clv_low is null"
    )
    assert segments_without == 0
