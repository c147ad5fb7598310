"""The lifetime-value pages: what customers are worth, and the models
behind it (blank without a transactions file)."""

from __future__ import annotations

from customer_segmentation.powerbi.semantic_model import FACT, RFM_SEGMENT, SEGMENT
from customer_segmentation.powerbi.visuals import (
    TOP_CUSTOMERS,
    Page,
    by,
    card,
    column,
    field,
    label,
    measure,
    measure_expression,
    slicers,
    top_n,
    visual,
    with_filters,
)


def lifetime_value() -> Page:
    """Who will buy again and what they are worth, per customer and segment
    (blank without a transactions file)."""
    headline = ("Value Over Horizon", "Average Value Over Horizon", "Average P(alive)")
    cards = [card(i, name, 250, 240) for i, name in enumerate(headline)]
    by_segment = visual(
        "valueBySegment",
        "clusteredBarChart",
        (20, 180, 610, 250),
        {"Category": [label(SEGMENT)], "Y": [measure("Value Over Horizon")]},
        "Value over the horizon by segment",
        sort=by(SEGMENT),
    )
    by_rfm = visual(
        "valueByRfmSegment",
        "clusteredBarChart",
        (650, 180, 610, 250),
        {"Category": [label(RFM_SEGMENT)], "Y": [measure("Value Over Horizon")]},
        "Value over the horizon by RFM segment",
        sort=by(RFM_SEGMENT),
    )
    top = visual(
        "topCustomersByValue",
        "tableEx",
        (20, 450, 1240, 250),
        {
            "Values": [
                column(FACT, "customer_id"),
                label(SEGMENT),
                label(RFM_SEGMENT),
                *(column(FACT, c) for c in ("clv", "p_alive", "expected_purchases")),
            ]
        },
        f"The {TOP_CUSTOMERS} customers of highest value over the horizon",
        sort={"field": field(FACT, "clv"), "direction": "Descending"},
    )
    with_filters(
        top,
        top_n(
            "topCustomersByLifetimeValue",
            TOP_CUSTOMERS,
            measure_expression("Value Over Horizon"),
        ),
    )
    return Page(
        "lifetimeValue",
        "Lifetime value",
        [*slicers(), *cards, by_segment, by_rfm, top],
    )


def tracking_and_intervals() -> tuple[dict, dict]:
    """The cumulative tracking with the expectation's 90% interval, and the
    holdout forecast with its interval against what happened, as a table of
    its one row (an interval's ends do not add up). Each segment's interval
    is cluster_summary's: a table of segments would answer to a segment
    slicer but not to the gender and age ones, so it is not on this
    slicer-free page."""
    tracking = visual(
        "weeklyTracking",
        "lineChart",
        (860, 90, 400, 300),
        {
            "Category": [column("clv_tracking", "week_number")],
            "Y": [
                measure(name)
                for name in (
                    "Cumulative Repeat Purchases Made",
                    "Cumulative Repeat Purchases Expected",
                    "Cumulative Expected, 90% Low",
                    "Cumulative Expected, 90% High",
                )
            ],
        },
        "Repeat purchases to each week: made, and expected with its 90% interval",
        sort={"field": field("clv_tracking", "week_number")},
    )
    forecast = visual(
        "holdoutForecastInterval",
        "tableEx",
        (20, 410, 1240, 140),
        {
            "Values": [
                column("clv_holdout_fit", name)
                for name in (
                    "actual_holdout_purchases",
                    "predicted_holdout_purchases",
                    "predicted_holdout_purchases_low",
                    "predicted_holdout_purchases_high",
                    "actual_cumulative_repeat_purchases",
                    "predicted_cumulative_repeat_purchases",
                    "predicted_cumulative_repeat_purchases_low",
                    "predicted_cumulative_repeat_purchases_high",
                )
            ]
        },
        "Holdout forecast with its 90% interval, against what happened",
        sort={"field": field("clv_holdout_fit", "predicted_holdout_purchases")},
    )
    return tracking, forecast


def lifetime_value_model() -> Page:
    """The lifetime-value models themselves: how many customers are likely
    still active, the weekly tracking of repeat purchases made against
    expected (with the expectation's 90% interval), the holdout forecast
    with its interval, the fitted parameters with theirs, and, when var
    clv_calibration_end holds data out, the forecast against what happened.
    Whole-population tables: no customer slicer applies to them."""
    alive = visual(
        "customersByPAlive",
        "clusteredColumnChart",
        (20, 90, 400, 300),
        {
            "Category": [column("clv_alive_bands", "p_alive_band")],
            "Y": [measure("Customers by P(alive)")],
        },
        "Customers by chance of still being active",
        sort={"field": field("clv_alive_bands", "band_order")},
    )
    holdout = visual(
        "holdoutFit",
        "clusteredColumnChart",
        (440, 90, 400, 300),
        {
            "Category": [column("clv_holdout", "repeat_purchases_group")],
            "Y": [measure("Holdout Purchases"), measure("Holdout Forecast")],
        },
        "Holdout: actual and forecast purchases by calibration purchases",
        sort={"field": field("clv_holdout", "group_order")},
    )
    tracking, forecast = tracking_and_intervals()
    parameters = visual(
        "modelParameters",
        "tableEx",
        (20, 570, 1240, 140),
        {
            "Values": [
                column("clv_model", name)
                for name in (
                    "model",
                    "parameter",
                    "value",
                    "standard_error",
                    "interval_low",
                    "interval_high",
                    "log_likelihood",
                    "holdout_squared_error",
                    "customers",
                    "converged",
                    "is_used_in_clv",
                )
            ]
        },
        "Fitted parameters (Used: the models the values come from)",
        sort={"field": field("clv_model", "model")},
    )
    return Page(
        "lifetimeValueModel",
        "Lifetime value model",
        [alive, holdout, tracking, forecast, parameters],
    )
