"""The report pages, one function each, and the report's definition/ folder."""

from __future__ import annotations

from customer_segmentation.powerbi.schema_urls import (
    PAGE_SCHEMA,
    PAGES_SCHEMA,
    REPORT_SCHEMA,
    VERSION_SCHEMA,
)
from customer_segmentation.powerbi.semantic_model import (
    AGE_BAND,
    FACT,
    GENDER,
    RFM_SEGMENT,
    SEGMENT,
)
from customer_segmentation.powerbi.value_pages import (
    lifetime_value,
    lifetime_value_model,
)
from customer_segmentation.powerbi.visuals import (
    Page,
    back_button,
    by,
    card,
    column,
    column_total,
    drill,
    field,
    heat_map,
    label,
    measure,
    rfm_slicer,
    slicers,
    top_n,
    visual,
    with_filters,
)

NO_DEMOGRAPHICS = " (all Unknown when the run had transactions only)"
CARDS = (
    "Customers",
    "Segments",
    "Average Income (k$)",
    "Average Spending Score",
    "Income-to-Spend Ratio",
    "Female Share",
    "Male Share",
)
SEGMENT_TABLE = (
    "Customers",
    "Customer Share",
    "Average Age",
    "Average Income (k$)",
    "Average Spending Score",
    "Income-to-Spend Ratio",
)
DRILL_THROUGH_COLUMNS = (
    "age",
    "annual_income_k",
    "spending_score",
    "income_to_spend_ratio",
    "distance_to_centroid",
    "is_outlier",
)
DRILL_THROUGH_PAGE = "customerList"
LISTED_CUSTOMERS = 500


FULL_PAGE = (20, 90, 1240, 610)


def segment_overview() -> Page:
    cards = [card(i, name, 177, 167) for i, name in enumerate(CARDS)]
    segment_table = visual(
        "segmentDescriptions",
        "tableEx",
        (20, 200, 1240, 500),
        {
            "Values": [
                label(SEGMENT),
                column(SEGMENT.table, "segment_description"),
                *(measure(name) for name in SEGMENT_TABLE),
            ]
        },
        "Segments and what sets them apart",
        sort=by(SEGMENT),
    )
    return Page(
        "segmentOverview", "Segment overview", [*slicers(), *cards, segment_table]
    )


def spending_patterns() -> Page:
    spending = visual(
        "spendingBySegment",
        "clusteredBarChart",
        FULL_PAGE,
        {
            "Category": drill(SEGMENT, AGE_BAND),
            "Y": [measure("Average Spending Score")],
        },
        "Average spending score by segment (drill down to age band)",
        sort=by(SEGMENT),
    )
    return Page("spendingPatterns", "Spending patterns", [*slicers(), spending])


def gender_distribution() -> Page:
    gender = visual(
        "genderBySegment",
        "hundredPercentStackedBarChart",
        FULL_PAGE,
        {
            "Category": [label(SEGMENT)],
            "Series": [label(GENDER)],
            "Y": [measure("Customers")],
        },
        f"Gender mix of each segment{NO_DEMOGRAPHICS}",
        sort=by(SEGMENT),
    )
    return Page("genderDistribution", "Gender distribution", [*slicers(), gender])


def age_groups() -> Page:
    age = visual(
        "customersByAgeBand",
        "clusteredColumnChart",
        FULL_PAGE,
        {
            "Category": [label(AGE_BAND)],
            "Series": [label(SEGMENT)],
            "Y": [measure("Customers")],
        },
        f"Customers by age band and segment{NO_DEMOGRAPHICS}",
        sort=by(AGE_BAND),
    )
    return Page("ageGroups", "Age groups", [*slicers(), age])


def income_vs_spending() -> Page:
    # One bubble per segment and age band, not per customer: in DirectQuery a
    # point per customer would ask DuckDB for every customer, past the row
    # limit from a million on; the customer list pages through them instead.
    scatter = visual(
        "incomeVsSpending",
        "scatterChart",
        FULL_PAGE,
        {
            "Category": [label(AGE_BAND)],
            "Series": [label(SEGMENT)],
            "X": [measure("Average Income (k$)")],
            "Y": [measure("Average Spending Score")],
            "Size": [measure("Customers")],
        },
        "Average income against spending score, one bubble per segment and age "
        "band (size: customers)",
    )
    return Page("incomeVsSpending", "Income vs spending", [*slicers(), scatter])


def segment_drill_down() -> Page:
    values = (
        "Customers",
        "Average Age",
        "Average Income (k$)",
        "Average Spending Score",
    )
    drill_down = visual(
        "segmentDrillDown",
        "pivotTable",
        FULL_PAGE,
        {
            # every level answered by segment_cube (customers: Customer list)
            "Rows": [
                label(SEGMENT, active=True),
                label(AGE_BAND, active=False),
                label(GENDER, active=False),
            ],
            "Values": [measure(name) for name in values],
        },
        "Segment, then age band, then gender: expand a row to drill down",
        sort=by(SEGMENT),
    )
    return Page("segmentDrillDown", "Segment drill-down", [*slicers(), drill_down])


def rfm_segments() -> Page:
    rfm_grid = visual(
        "rfmGrid",
        "pivotTable",
        (20, 90, 610, 610),
        {
            "Rows": [column("rfm_grid", "r_score")],
            "Columns": [column("rfm_grid", "f_score")],
            "Values": [measure("Grid Customers")],
        },
        "Customers per recency (rows) x frequency (columns) score, 5 = best",
        # recency 5 (most recent) on top, as the RFM grid is read
        sort={"field": field("rfm_grid", "r_score"), "direction": "Descending"},
    )
    # the R x F heat map: darker cells hold more customers
    rfm_grid["visual"]["objects"] = {
        "values": [heat_map("Grid Customers", "#F7FBFF", "#08519C")]
    }
    rfm_revenue = visual(
        "rfmRevenueShare",
        "clusteredBarChart",
        (650, 90, 610, 610),
        {"Category": [label(RFM_SEGMENT)], "Y": [measure("Revenue Share")]},
        "Share of revenue by RFM segment",
        sort=by(RFM_SEGMENT),
    )
    return Page("rfmSegments", "RFM segments", [rfm_slicer(), rfm_grid, rfm_revenue])


def customer_list() -> Page:
    customers = visual(
        "customerList",
        "tableEx",
        (20, 180, 1240, 520),
        {
            "Values": [
                column(FACT, "customer_id"),
                label(SEGMENT),
                label(GENDER),
                label(AGE_BAND),
                *(column(FACT, c) for c in DRILL_THROUGH_COLUMNS),
            ]
        },
        f"The {LISTED_CUSTOMERS} customers of the selection farthest from "
        "their segment's centre",
        sort={"field": field(FACT, "distance_to_centroid"), "direction": "Descending"},
    )
    with_filters(
        customers,
        top_n(
            "farthestCustomers", LISTED_CUSTOMERS, column_total("distance_to_centroid")
        ),
    )
    selection = ("Customers", "Average Income (k$)", "Average Spending Score")
    selection_cards = [card(i, name, 250, 240) for i, name in enumerate(selection)]
    # Desktop adds this button when a page becomes a drill-through target;
    # in the service it is the only way back to where the user came from
    back = back_button("backButton", (1120, 90, 140, 80))
    return Page(
        DRILL_THROUGH_PAGE,
        "Customer list",
        [*slicers(), *selection_cards, back, customers],
    )


def pages() -> list[Page]:
    """The report's pages, in the order they show."""
    return [
        segment_overview(),
        spending_patterns(),
        gender_distribution(),
        age_groups(),
        income_vs_spending(),
        segment_drill_down(),
        rfm_segments(),
        lifetime_value(),
        lifetime_value_model(),
        customer_list(),
    ]


def drill_through(page: Page) -> dict:
    """Right-click a segment in any visual > Drill through > Customer list:
    the page opens filtered to that segment, with the gender and age band
    selected there (the filter context flows with it).

    Bound to the segment alone: Power BI offers a drill-through only from
    visuals that carry every bound field, and every visual that shows a
    segment carries this one."""
    filters = [
        {
            "name": f"drill_{dimension.table}",
            "field": field(dimension.table, dimension.label),
            "type": "Categorical",
            "howCreated": "Drillthrough",
        }
        for dimension in (SEGMENT,)
    ]
    return {
        "type": "Drillthrough",
        "visibility": "HiddenInViewMode",
        "filterConfig": {"filters": filters},
        "pageBinding": {
            "name": f"{page.name}Binding",
            "type": "Drillthrough",
            "parameters": [
                {
                    "name": f"{f['name']}Parameter",
                    "boundFilter": f["name"],
                    "fieldExpr": f["field"],
                }
                for f in filters
            ],
        },
    }


def report_definition() -> dict[str, object]:
    """The report's definition/ folder: the same for both storage modes."""
    files: dict[str, object] = {
        "version.json": {"$schema": VERSION_SCHEMA, "version": "2.0.0"},
        "report.json": {
            "$schema": REPORT_SCHEMA,
            "themeCollection": {},
            "settings": {"defaultDrillFilterOtherVisuals": True},
        },
    }
    all_pages = pages()
    files["pages/pages.json"] = {
        "$schema": PAGES_SCHEMA,
        "pageOrder": [page.name for page in all_pages],
        "activePageName": all_pages[0].name,
    }
    for page in all_pages:
        page_file = {
            "$schema": PAGE_SCHEMA,
            "name": page.name,
            "displayName": page.display_name,
            "displayOption": "FitToPage",
            "height": 720,
            "width": 1280,
        }
        if page.name == DRILL_THROUGH_PAGE:
            page_file |= drill_through(page)
        files[f"pages/{page.name}/page.json"] = page_file
        for item in page.visuals:
            files[f"pages/{page.name}/visuals/{item['name']}/visual.json"] = item
    return files
