"""One Vega-Lite spec per chart, made with Altair. ``cube`` and ``customers``
are named datasets the page refills as the user filters."""

from __future__ import annotations

import altair as alt

from customer_segmentation.dashboard.data import DashboardData

# The page's panel; PNGs get a fixed width (page.PNG_WIDTH).
WIDTH = "container"


def segment_color(data: DashboardData) -> alt.Color:
    names = [s["segment_name"] for s in data.segments]
    return alt.Color(
        "segment_name:N",
        title="Segment",
        scale=alt.Scale(domain=names, scheme="tableau10"),
        sort=names,
    )


def scatter_chart(data: DashboardData) -> alt.LayerChart | alt.Chart:
    if data.has_demographics:
        x = alt.X("annual_income_k:Q", title="Annual income (k$)")
        y = alt.Y("spending_score:Q", title="Spending score (1-100)")
        title = "Income vs spending score (crosses: centroids)"
    else:
        # transactions alone: behaviour is what the segments were fitted on
        x = alt.X("recency_days:Q", title="Days since last purchase")
        y = alt.Y("monetary:Q", title="Total spent", scale=alt.Scale(type="symlog"))
        title = "Recency vs money spent"
    points = (
        alt.Chart(alt.Data(name="customers"))
        .mark_circle(size=45, opacity=0.75)
        .encode(
            x=x,
            y=y,
            color=segment_color(data),
            tooltip=["customer_id:N", "segment_name:N", x.shorthand, y.shorthand],
        )
    )
    centroids = (
        alt.Chart(alt.Data(values=data.centroids))
        .mark_point(shape="cross", size=220, filled=True, color="black")
        .encode(
            x="avg_annual_income_k:Q",
            y="avg_spending_score:Q",
            tooltip=["segment_name:N", "avg_annual_income_k:Q", "avg_spending_score:Q"],
        )
    )
    chart = points + centroids if data.has_demographics else points
    return chart.properties(width=WIDTH, height=300, title=title)


def spending_chart(data: DashboardData) -> alt.Chart:
    names = [s["segment_name"] for s in data.segments]
    return (
        alt.Chart(alt.Data(name="cube"))
        .transform_aggregate(
            score_sum="sum(score_sum)",
            score_n="sum(score_n)",
            groupby=["segment_name"],
        )
        # over the customers with a score, as avg() in the marts
        .transform_calculate(avg_spending_score="datum.score_sum / datum.score_n")
        .mark_bar()
        .encode(
            y=alt.Y("segment_name:N", sort=names, title=None),
            x=alt.X("avg_spending_score:Q", title="Average spending score"),
            color=segment_color(data),
            tooltip=[
                "segment_name:N",
                alt.Tooltip("avg_spending_score:Q", format=".2f"),
                "customers:Q",
            ],
        )
        .properties(width=WIDTH, height=200, title="Average spending score by segment")
    )


def gender_chart(data: DashboardData) -> alt.Chart:
    names = [s["segment_name"] for s in data.segments]
    return (
        alt.Chart(alt.Data(name="cube"))
        .mark_bar()
        .encode(
            y=alt.Y("segment_name:N", sort=names, title=None),
            x=alt.X("sum(customers):Q", stack="normalize", title="Share of segment"),
            color=alt.Color(
                "gender:N",
                title="Gender",
                scale=alt.Scale(scheme="set2"),
                legend=alt.Legend(labelLimit=200),
            ),
            detail="segment_name:N",
            tooltip=[
                "segment_name:N",
                "gender:N",
                alt.Tooltip("sum(customers):Q", title="customers"),
            ],
        )
        .properties(
            width=WIDTH,
            height=200,
            title="Gender distribution by segment"
            + ("" if data.has_demographics else " (no demographics: all Unknown)"),
        )
    )


def age_chart(data: DashboardData) -> alt.Chart:
    return (
        alt.Chart(alt.Data(name="cube"))
        .mark_bar()
        .encode(
            x=alt.X(
                "age_band:N",
                sort=data.age_bands,
                title="Age band",
                axis=alt.Axis(labelAngle=0),
            ),
            y=alt.Y("sum(customers):Q", title="Customers"),
            color=segment_color(data),
            tooltip=[
                "age_band:N",
                "segment_name:N",
                alt.Tooltip("sum(customers):Q", title="customers"),
            ],
        )
        .properties(
            width=WIDTH,
            height=240,
            title="Customers by age band and segment"
            + ("" if data.has_demographics else " (no demographics: no ages)"),
        )
    )


def elbow_chart(data: DashboardData) -> alt.LayerChart:
    elbow = (
        alt.Chart(alt.Data(values=data.elbow))
        .mark_line(point=True)
        .encode(
            x=alt.X("k:O", title="Number of segments (k)"),
            y=alt.Y("inertia:Q", title="Inertia"),
            tooltip=[
                "k:O",
                alt.Tooltip("inertia:Q", format=".1f"),
                alt.Tooltip("silhouette:Q", format=".3f"),
            ],
        )
    )
    chosen = (
        alt.Chart(alt.Data(values=[p for p in data.elbow if p["is_chosen"]]))
        .mark_point(size=300, color="crimson", strokeWidth=3)
        .encode(x="k:O", y="inertia:Q")
    )
    return (elbow + chosen).properties(
        width=WIDTH, height=240, title="Elbow curve (circled: chosen k)"
    )


def rfm_grid_chart(data: DashboardData) -> alt.LayerChart:
    """The R x F heat map, each cell labelled with its named RFM segment."""
    missing = "" if data.has_transactions else " (no transactions in this run)"
    cells = alt.Chart(alt.Data(values=data.rfm_grid)).encode(
        x=alt.X("f_score:O", title="Frequency score (5 = most purchases)"),
        y=alt.Y(
            "r_score:O", sort="descending", title="Recency score (5 = most recent)"
        ),
    )
    heat = cells.mark_rect().encode(
        color=alt.Color(
            "customers:Q", title="Customers", scale=alt.Scale(scheme="blues")
        ),
        tooltip=[
            "rfm_segment:N",
            "r_score:O",
            "f_score:O",
            alt.Tooltip("customers:Q", format=","),
            alt.Tooltip("revenue:Q", format=",.2f"),
        ],
    )
    labels = cells.mark_text(fontSize=9, lineBreak=" ").encode(text="rfm_segment:N")
    return (heat + labels).properties(
        width=WIDTH,
        height=260,
        title=f"Customers per recency x frequency cell{missing}",
    )


def rfm_revenue_chart(data: DashboardData) -> alt.Chart:
    missing = "" if data.has_transactions else " (no transactions in this run)"
    order = [row["rfm_segment"] for row in data.rfm_summary]
    return (
        alt.Chart(alt.Data(values=data.rfm_summary))
        .mark_bar()
        .encode(
            y=alt.Y("rfm_segment:N", sort=order, title=None),
            x=alt.X(
                "revenue_share:Q", title="Share of revenue", axis=alt.Axis(format="%")
            ),
            tooltip=[
                "rfm_segment:N",
                alt.Tooltip("customers:Q", format=","),
                alt.Tooltip("revenue:Q", format=",.2f"),
                alt.Tooltip("revenue_share:Q", format=".1%"),
            ],
        )
        .properties(
            width=WIDTH, height=260, title=f"Revenue share by RFM segment{missing}"
        )
    )


def clv_value_chart(data: DashboardData) -> alt.LayerChart:
    """Value over the horizon by segment: where the expected revenue sits,
    with each total's 90% interval."""
    missing = "" if data.has_clv else " (no lifetime value in this run)"
    horizon = (
        f"the next {data.clv_horizon_weeks} weeks"
        if data.clv_horizon_weeks
        else "the horizon"
    )
    order = [row["segment_name"] for row in data.clv_segments]
    base = alt.Chart(alt.Data(values=data.clv_segments)).encode(
        y=alt.Y("segment_name:N", sort=order, title=None),
        tooltip=[
            "segment_name:N",
            alt.Tooltip("customers:Q", format=","),
            alt.Tooltip("total_clv:Q", format=",.0f", title="value"),
            alt.Tooltip("total_clv_low:Q", format=",.0f", title="90% interval from"),
            alt.Tooltip("total_clv_high:Q", format=",.0f", title="90% interval to"),
            alt.Tooltip("avg_clv:Q", format=",.2f", title="average value"),
            alt.Tooltip("avg_p_alive:Q", format=".0%", title="average P(alive)"),
        ],
    )
    bars = base.mark_bar().encode(
        x=alt.X("total_clv:Q", title=f"Value over {horizon} (90% interval)")
    )
    interval = base.mark_rule(color="black").encode(
        x="total_clv_low:Q", x2="total_clv_high:Q"
    )
    return (bars + interval).properties(
        width=WIDTH, height=260, title=f"Value over {horizon} by segment{missing}"
    )


def clv_alive_chart(data: DashboardData) -> alt.Chart:
    """How many customers are likely still active."""
    missing = "" if data.has_clv else " (no lifetime value in this run)"
    order = [row["p_alive_band"] for row in data.clv_alive]
    return (
        alt.Chart(alt.Data(values=data.clv_alive))
        .mark_bar()
        .encode(
            x=alt.X("p_alive_band:N", sort=order, title="P(alive)"),
            y=alt.Y("customers:Q", title="Customers"),
            tooltip=["p_alive_band:N", alt.Tooltip("customers:Q", format=",")],
        )
        .properties(
            width=WIDTH,
            height=260,
            title=f"Customers by chance of still being active{missing}",
        )
    )


def clv_holdout_chart(data: DashboardData) -> alt.Chart:
    """The holdout check: forecast against actual purchases per customer."""
    order = sorted(
        {(r["group_order"], r["repeat_purchases_group"]) for r in data.clv_holdout}
    )
    encoding = {
        "x": alt.X(
            "repeat_purchases_group:N",
            sort=[group for _, group in order],
            title="Repeat purchases in the calibration",
        ),
        "y": alt.Y("mean_purchases:Q", title="Holdout purchases per customer"),
        "tooltip": [
            "repeat_purchases_group:N",
            "series:N",
            alt.Tooltip("mean_purchases:Q", format=".3f"),
        ],
    }
    if data.clv_holdout:
        # side by side, coloured; over no rows the offset and the legend
        # have no size and the image cannot be drawn
        encoding["xOffset"] = "series:N"
        encoding["color"] = alt.Color("series:N", title=None)
    missing = "" if data.clv_holdout else " (no holdout in this run)"
    return (
        alt.Chart(alt.Data(values=data.clv_holdout))
        .mark_bar()
        .encode(**encoding)
        .properties(
            width=WIDTH,
            height=260,
            title=f"Holdout: forecast against actual{missing}",
        )
    )


def clv_tracking_chart(data: DashboardData) -> alt.LayerChart:
    """The weekly tracking: cumulative repeat purchases made and expected,
    with the calibration's end marked where the data go on past it."""
    encoding = {
        "x": alt.X("week_number:Q", title="Week from the first purchase"),
        "y": alt.Y("repeat_purchases:Q", title="Repeat purchases, cumulative"),
        "tooltip": [
            "week_number:Q",
            "series:N",
            alt.Tooltip("repeat_purchases:Q", format=",.0f"),
        ],
    }
    if data.clv_tracking:
        # over no rows a legend has no size and the image cannot be drawn
        encoding["color"] = alt.Color("series:N", title=None)
    lines = alt.Chart(alt.Data(values=data.clv_tracking)).mark_line().encode(**encoding)
    # the expectation's 90% interval, from the parameters' uncertainty
    expected = [r for r in data.clv_tracking if r["low"] is not None]
    band = (
        alt.Chart(alt.Data(values=expected))
        .mark_area(opacity=0.25, color="gray")
        .encode(x="week_number:Q", y="low:Q", y2="high:Q")
    )
    calibration = [r["week_number"] for r in data.clv_tracking if not r["is_holdout"]]
    holdout = any(r["is_holdout"] for r in data.clv_tracking)
    end = [{"week_number": max(calibration)}] if holdout and calibration else []
    rule = (
        alt.Chart(alt.Data(values=end))
        .mark_rule(strokeDash=[4, 4], color="gray")
        .encode(x="week_number:Q")
    )
    missing = "" if data.clv_tracking else " (no purchase model fitted in this run)"
    layers = [lines]
    if expected:  # a layer over no rows has no extent to draw on
        layers.insert(0, band)
    if end:
        layers.append(rule)
    return alt.layer(*layers).properties(
        width=WIDTH,
        height=260,
        title=f"Repeat purchases week by week: made against expected (grey: its"
        f" 90% interval){missing}",
    )


# Chart name (the page's panel and the PNG's file name) -> its spec.
CHARTS = {
    "scatter": scatter_chart,
    "spending": spending_chart,
    "gender": gender_chart,
    "age": age_chart,
    "elbow": elbow_chart,
    "rfm_grid": rfm_grid_chart,
    "rfm_revenue": rfm_revenue_chart,
    "clv_value": clv_value_chart,
    "clv_alive": clv_alive_chart,
    "clv_holdout": clv_holdout_chart,
    "clv_tracking": clv_tracking_chart,
}


def chart_specs(data: DashboardData) -> dict[str, dict]:
    """Every chart's Vega-Lite spec, by name."""
    return {name: chart(data).to_dict() for name, chart in CHARTS.items()}
