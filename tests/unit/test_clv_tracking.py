"""The week grid and the cumulative expectation of the weekly tracking."""

from datetime import date

import numpy as np
import pytest

from customer_segmentation.lifetime_value import bgnbd as expect
from customer_segmentation.lifetime_value import fitting
from customer_segmentation.lifetime_value.tracking import expected_cumulative, week_ends

CDNOW = {"r": 0.243, "alpha": 4.414, "a": 0.793, "b": 2.426}
FIT = fitting.Fit("bg_nbd", CDNOW, log_likelihood=0.0, converged=True, customers=1)


def test_weeks_run_from_the_first_day_and_the_last_is_cut_at_the_data_end():
    weeks = week_ends(date(1997, 1, 1), date(1997, 1, 20))
    assert weeks == [
        (date(1997, 1, 1), date(1997, 1, 7)),
        (date(1997, 1, 8), date(1997, 1, 14)),
        (date(1997, 1, 15), date(1997, 1, 20)),
    ]
    assert len(week_ends(date(1997, 1, 1), date(1998, 6, 30))) == 78


def test_each_customer_counts_from_their_own_first_purchase():
    # 3 customers from day 0, 2 from day 10; ends on days 6 and 20
    expected = expected_cumulative(
        FIT, np.array([0, 10]), np.array([3.0, 2.0]), np.array([6, 20])
    )
    by_then = expect.bgnbd_expected_purchases(FIT, np.array([6, 20, 10]) / 7)
    assert expected == pytest.approx(
        [3 * by_then[0], 3 * by_then[1] + 2 * by_then[2]], rel=1e-12
    )
