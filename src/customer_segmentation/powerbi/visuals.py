"""Building blocks of the report: fields, measures, visuals, slicers, filters,
in the PBIR JSON Power BI Desktop writes."""

from __future__ import annotations

from typing import NamedTuple

from customer_segmentation.powerbi.schema_urls import VISUAL_SCHEMA
from customer_segmentation.powerbi.semantic_model import (
    AGE_BAND,
    FACT,
    GENDER,
    MEASURES,
    RFM_SEGMENT,
    SEGMENT,
    Dimension,
)

DISPLAY_NAMES = {
    "customer_id": "Customer",
    "segment_name": "Segment",
    "segment_description": "Description",
    "gender": "Gender",
    "age": "Age",
    "age_band": "Age band",
    "annual_income_k": "Annual income (k$)",
    "spending_score": "Spending score",
    "income_to_spend_ratio": "Income-to-spend ratio",
    "distance_to_centroid": "Distance to centroid",
    "is_outlier": "Outlier",
    "rfm_segment": "RFM segment",
    "r_score": "Recency score",
    "f_score": "Frequency score",
    "recency_days": "Days since last purchase",
    "frequency": "Purchases",
    "monetary": "Revenue",
    "p_alive": "P(alive)",
    "expected_purchases": "Expected purchases",
    "clv": "Value over horizon",
    "p_alive_band": "P(alive)",
    "week_number": "Week",
    "standard_error": "Standard error",
    "interval_low": "90% low",
    "interval_high": "90% high",
    "repeat_purchases_group": "Repeat purchases in the calibration",
    "log_likelihood": "Log-likelihood",
    "model": "Model",
    "parameter": "Parameter",
    "value": "Estimate",
    "customers": "Customers",
    "converged": "Converged",
    "holdout_squared_error": "Holdout squared error",
    "is_used_in_clv": "Used",
    "actual_holdout_purchases": "Holdout purchases made",
    "predicted_holdout_purchases": "Holdout purchases expected",
    "predicted_holdout_purchases_low": "Expected, 90% low",
    "predicted_holdout_purchases_high": "Expected, 90% high",
    "actual_cumulative_repeat_purchases": "Repeat purchases to the end, made",
    "predicted_cumulative_repeat_purchases": "Repeat purchases to the end, expected",
    "predicted_cumulative_repeat_purchases_low": "To the end, 90% low",
    "predicted_cumulative_repeat_purchases_high": "To the end, 90% high",
}


# Whole numbers that identify or order rather than count.
def literal(value: str | bool | int) -> dict:
    """A report formatting value: text in single quotes, booleans bare, whole
    numbers with the L suffix Power BI writes."""
    if isinstance(value, bool):
        text = "true" if value else "false"
    elif isinstance(value, int):
        text = f"{value}L"
    else:
        text = "'" + value.replace("'", "''") + "'"
    return {"expr": {"Literal": {"Value": text}}}


# The most customers a visual lists: in DirectQuery the warehouse ranks them
# and returns no more (a Top N filter), whatever the customer count.
TOP_CUSTOMERS = 100


class Page(NamedTuple):
    name: str
    display_name: str
    visuals: list[dict]


def field(table: str, name: str, kind: str = "Column") -> dict:
    return {kind: {"Expression": {"SourceRef": {"Entity": table}}, "Property": name}}


def column(table: str, name: str, active: bool | None = None) -> dict:
    item = {
        "field": field(table, name),
        "queryRef": f"{table}.{name}",
        "nativeQueryRef": name,
        "displayName": DISPLAY_NAMES.get(name, name),
    }
    if active is not None:
        item["active"] = active
    return item


def label(dimension: Dimension, active: bool | None = None) -> dict:
    return column(dimension.table, dimension.label, active)


def measure(name: str) -> dict:
    if name not in {m.name for m in MEASURES}:
        raise KeyError(name)
    return {
        "field": field(FACT, name, "Measure"),
        "queryRef": f"{FACT}.{name}",
        "nativeQueryRef": name,
    }


def heat_map(measure_name: str, low: str, high: str) -> dict:
    """A matrix cell background from ``low`` to ``high`` colour by a measure's
    value (conditional formatting, "gradient"), blank cells as zero."""
    return {
        "properties": {
            "backColor": {
                "solid": {
                    "color": {
                        "expr": {
                            "FillRule": {
                                "Input": measure(measure_name)["field"],
                                "FillRule": {
                                    "linearGradient2": {
                                        "min": {"color": literal(low)["expr"]},
                                        "max": {"color": literal(high)["expr"]},
                                        "nullColoringStrategy": {
                                            "strategy": literal("asZero")["expr"]
                                        },
                                    }
                                },
                            }
                        }
                    }
                }
            }
        },
        "selector": {
            "data": [{"dataViewWildcard": {"matchingOption": 1}}],
            "metadata": f"{FACT}.{measure_name}",
        },
    }


def drill(*dimensions: Dimension) -> list[dict]:
    """A multi-field axis: the first level shows, the others are drill levels."""
    return [label(d, active=i == 0) for i, d in enumerate(dimensions)]


def visual(
    name: str,
    kind: str,
    box: tuple[int, int, int, int],
    roles: dict[str, list[dict]],
    title: str | None = None,
    sort: dict | None = None,
) -> dict:
    x, y, width, height = box
    query: dict = {
        "queryState": {role: {"projections": items} for role, items in roles.items()}
    }
    if sort:
        query["sortDefinition"] = {
            "sort": [
                {
                    "field": sort["field"],
                    "direction": sort.get("direction", "Ascending"),
                }
            ],
            "isDefaultSort": False,
        }
    body: dict = {"visualType": kind, "query": query, "drillFilterOtherVisuals": True}
    if title:
        body["visualContainerObjects"] = {
            "title": [{"properties": {"show": literal(True), "text": literal(title)}}]
        }
    return {
        "$schema": VISUAL_SCHEMA,
        "name": name,
        "position": {"x": x, "y": y, "z": 0, "width": width, "height": height},
        "visual": body,
    }


def back_button(name: str, box: tuple[int, int, int, int]) -> dict:
    """A Back button (an action button with the back icon and a Back link)."""
    x, y, width, height = box
    return {
        "$schema": VISUAL_SCHEMA,
        "name": name,
        "position": {"x": x, "y": y, "z": 0, "width": width, "height": height},
        "visual": {
            "visualType": "actionButton",
            "objects": {
                "icon": [{"properties": {"shapeType": literal("back")}}],
                "text": [
                    {
                        "properties": {
                            "show": literal(True),
                            "text": literal("Back"),
                        }
                    }
                ],
            },
            "visualContainerObjects": {
                "visualLink": [
                    {"properties": {"show": literal(True), "type": literal("Back")}}
                ]
            },
            "drillFilterOtherVisuals": True,
        },
    }


def slicer(name: str, dimension: Dimension, x: int, title: str) -> dict:
    """A dropdown slicer on a dimension, synced across every page."""
    item = visual(
        name,
        "slicer",
        (x, 10, 240, 60),
        {"Values": [label(dimension)]},
        title,
        sort={"field": field(dimension.table, dimension.label)},
    )
    item["visual"]["objects"] = {
        "data": [{"properties": {"mode": literal("Dropdown")}}]
    }
    item["visual"]["syncGroup"] = {
        "groupName": dimension.table,
        "fieldChanges": True,
        "filterChanges": True,
    }
    return item


def not_blank(name: str, dimension: Dimension) -> dict:
    """A visual filter keeping the dimension's label non-blank."""
    source = {
        "Column": {
            "Expression": {"SourceRef": {"Source": "d"}},
            "Property": dimension.label,
        }
    }
    return {
        "name": name,
        "field": field(dimension.table, dimension.label),
        "type": "Categorical",
        "filter": {
            "Version": 2,
            "From": [{"Name": "d", "Entity": dimension.table, "Type": 0}],
            "Where": [
                {
                    "Condition": {
                        "Not": {
                            "Expression": {
                                "In": {
                                    "Expressions": [source],
                                    "Values": [[{"Literal": {"Value": "null"}}]],
                                }
                            }
                        }
                    }
                }
            ],
        },
    }


def rfm_slicer() -> dict:
    """The RFM segment slicer, without the (Blank) a run without
    transactions would list (its customers have no RFM segment)."""
    item = slicer("slicerRfmSegment", RFM_SEGMENT, 20, "RFM segment")
    return with_filters(item, not_blank("rfmSegmentNotBlank", RFM_SEGMENT))


def slicers() -> list[dict]:
    return [
        slicer("slicerSegment", SEGMENT, 20, "Segment"),
        slicer("slicerGender", GENDER, 280, "Gender"),
        slicer("slicerAgeBand", AGE_BAND, 540, "Age band"),
    ]


def by(dimension: Dimension) -> dict:
    """Sort a visual by a dimension's label, which sorts by its order column."""
    return {"field": field(dimension.table, dimension.label)}


# Said on the demographic visuals: a run from transactions alone has none.


def with_filters(item: dict, *filters: dict) -> dict:
    """The visual with visual-level filters (filterConfig, beside its body)."""
    item["filterConfig"] = {"filters": list(filters)}
    return item


def top_n(
    name: str,
    count: int,
    order_by: dict,
    descending: bool = True,
    table: str = FACT,
    key: str = "customer_id",
) -> dict:
    """A visual-level Top N filter: only the ``count`` values of ``key``
    ranked first by ``order_by`` (a query expression), as Desktop writes it
    (a subquery ranked and cut at Top, and the key kept In it). In
    DirectQuery the warehouse ranks and returns at most ``count`` rows."""

    def key_of(source: str) -> dict:
        return {
            "Column": {"Expression": {"SourceRef": {"Source": source}}, "Property": key}
        }

    ranked = {
        "Version": 2,
        "From": [{"Name": "t", "Entity": table, "Type": 0}],
        "Select": [{**key_of("t"), "Name": "field"}],
        "OrderBy": [{"Direction": 2 if descending else 1, "Expression": order_by}],
        "Top": count,
    }
    return {
        "name": name,
        "field": field(table, key),
        "type": "TopN",
        "filter": {
            "Version": 2,
            "From": [
                {
                    "Name": "subquery",
                    "Expression": {"Subquery": {"Query": ranked}},
                    "Type": 2,
                },
                {"Name": "t", "Entity": table, "Type": 0},
            ],
            "Where": [
                {
                    "Condition": {
                        "In": {
                            "Expressions": [key_of("t")],
                            "Table": {"SourceRef": {"Source": "subquery"}},
                        }
                    }
                }
            ],
        },
    }


def measure_expression(name: str) -> dict:
    """A model measure as a query expression, inside a Top N's subquery."""
    return {"Measure": {"Expression": {"SourceRef": {"Source": "t"}}, "Property": name}}


def column_total(name: str) -> dict:
    """A column's sum as a query expression (one value per customer)."""
    column_ref = {
        "Column": {"Expression": {"SourceRef": {"Source": "t"}}, "Property": name}
    }
    return {"Aggregation": {"Expression": column_ref, "Function": 0}}


def card(position: int, name: str, step: int, width: int) -> dict:
    """A card showing one measure, the ``position``-th of a row of cards."""
    box = (20 + position * step, 90, width, 80)
    return visual(f"card{position}", "card", box, {"Values": [measure(name)]}, name)
