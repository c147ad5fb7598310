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
    headline = ("Lifetime Value", "Average Lifetime Value", "Average P(alive)")
    cards = [card(i, name, 250, 240) for i, name in enumerate(headline)]
    by_segment = visual(
        "valueBySegment",
        "clusteredBarChart",
        (20, 180, 610, 250),
        {"Category": [label(SEGMENT)], "Y": [measure("Lifetime Value")]},
        "Lifetime value by segment",
        sort=by(SEGMENT),
    )
    by_rfm = visual(
        "valueByRfmSegment",
        "clusteredBarChart",
        (650, 180, 610, 250),
        {"Category": [label(RFM_SEGMENT)], "Y": [measure("Lifetime Value")]},
        "Lifetime value by RFM segment",
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
        f"The {TOP_CUSTOMERS} customers of highest lifetime value",
        sort={"field": field(FACT, "clv"), "direction": "Descending"},
    )
    with_filters(
        top,
        top_n(
            "topCustomersByLifetimeValue",
            TOP_CUSTOMERS,
            measure_expression("Lifetime Value"),
        ),
    )
    return Page(
        "lifetimeValue",
        "Lifetime value",
        [*slicers(), *cards, by_segment, by_rfm, top],
    )


def lifetime_value_model() -> Page:
    """The lifetime-value models themselves: how many customers are likely
    still active, the weekly tracking of repeat purchases made against
    expected, the fitted parameters with their 90% intervals, and, when var
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
    tracking = visual(
        "weeklyTracking",
        "lineChart",
        (860, 90, 400, 300),
        {
            "Category": [column("clv_tracking", "week_number")],
            "Y": [
                measure("Repeat Purchases Made"),
                measure("Repeat Purchases Expected"),
            ],
        },
        "Repeat purchases week by week: made and expected",
        sort={"field": field("clv_tracking", "week_number")},
    )
    parameters = visual(
        "modelParameters",
        "tableEx",
        (20, 410, 1240, 290),
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
                    "customers",
                    "converged",
                )
            ]
        },
        "Fitted parameters (BG/NBD and Gamma-Gamma give the values)",
        sort={"field": field("clv_model", "model")},
    )
    return Page(
        "lifetimeValueModel",
        "Lifetime value model",
        [alive, holdout, tracking, parameters],
    )
