"""The run's lifetime-value lines name the purchase model used, and what a
failed fit costs customer_clv given the model that took over."""

from __future__ import annotations

import duckdb

from customer_segmentation.lifetime_value.report import lifetime_value_lines

CHOICE = "Pareto/NBD: BG/NBD has no usable fit"


def serving(tmp_path, rows: list[tuple]) -> object:
    path = tmp_path / "segments.duckdb"
    with duckdb.connect(str(path)) as con:
        con.execute(
            "create table clv_model (model varchar, parameter varchar,"
            " log_likelihood double, converged boolean, customers bigint,"
            " fit_problem varchar, is_used_in_clv boolean,"
            " spend_frequency_correlation double, model_choice varchar)"
        )
        con.executemany(
            "insert into clv_model values (?, 'r', ?, ?, 100, ?, ?, null, ?)", rows
        )
        con.execute("create table customer_clv as select 1.0 as clv")
        con.execute(
            "create table clv_holdout_fit (holdout_weeks double,"
            " holdout_correlation double, cumulative_tracking_error double)"
        )
    return path


def test_a_failed_bg_nbd_hands_the_purchases_to_pareto_nbd(tmp_path):
    path = serving(
        tmp_path,
        [
            ("bg_nbd", -10.0, False, "the optimiser did not converge", False, CHOICE),
            ("pareto_nbd", -9.0, True, None, True, CHOICE),
            ("gamma_gamma", -5.0, True, None, True, None),
        ],
    )
    lines = lifetime_value_lines(path)
    assert f"  purchases from {CHOICE}" in lines
    assert lines[-1] == (
        "Warning: the BG/NBD fit on 100 customers is not used: the optimiser did"
        " not converge; Pareto/NBD gives customer_clv's purchase figures"
    )


def test_without_either_purchase_model_the_purchase_figures_are_empty(tmp_path):
    path = serving(
        tmp_path,
        [
            ("bg_nbd", -10.0, False, "its estimates are not finite", False, None),
            ("pareto_nbd", -9.0, False, "the optimiser did not converge", False, None),
            ("gamma_gamma", -5.0, True, None, True, None),
        ],
    )
    lines = lifetime_value_lines(path)
    assert not any(line.startswith("  purchases from") for line in lines)
    assert lines[-2:] == [
        "Warning: the BG/NBD fit on 100 customers is not used: its estimates are"
        " not finite; customer_clv's p_alive, expected_purchases and clv are empty",
        "Warning: the Pareto/NBD fit on 100 customers is not used: the optimiser"
        " did not converge; customer_clv's p_alive, expected_purchases and clv"
        " are empty",
    ]
