"""Generate the Power BI projects (PBIP) in powerbi/ from dbt's manifest and catalog.

Tables, columns, types and descriptions come from the mart contracts
(manifest.json), checked against what the warehouse really holds
(catalog.json), so the semantic models cannot drift from the published
tables: a test regenerates this folder and fails if it differs from the
committed one.

    python -m customer_segmentation.powerbi --target target --out powerbi

Two projects share one report definition and one star schema:

- ``CustomerSegments`` imports the published Parquet files (folder in the
  ``ParquetFolder`` parameter); no driver needed.
- ``CustomerSegmentsDirectQuery`` reads ``segments.duckdb`` (path in the
  ``DuckDbFile`` parameter) through the DuckDB connector: the customer table
  in DirectQuery, the dimensions in Dual, and ``segment_cube`` imported as an
  aggregation of the customer table, so cards and bars never scan it.

Slicers, axes and drill-through read the dimensions (``dim_segment``,
``dim_gender``, ``dim_age_band``), which filter every fact in one direction;
every number a visual shows is an explicit measure.
"""

from __future__ import annotations

import argparse
import json
import os
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import NamedTuple

from customer_segmentation.messages import first_few, plural
from customer_segmentation.ownership import (
    Manifest,
    digest_bytes,
    is_unchanged,
    read_manifest,
)
from customer_segmentation.publish import PUBLISHED_MODELS, SERVING_DATABASE

PROJECT = "CustomerSegments"
SCHEMAS = "https://developer.microsoft.com/json-schemas/fabric"
# The newest versions Power BI Desktop writes (see docs/power_bi.md).
PBIP_SCHEMA = f"{SCHEMAS}/pbip/pbipProperties/1.0.0/schema.json"
PLATFORM_SCHEMA = f"{SCHEMAS}/gitIntegration/platformProperties/2.1.0/schema.json"
PBISM_SCHEMA = f"{SCHEMAS}/item/semanticModel/definitionProperties/1.0.0/schema.json"
PBIR_SCHEMA = f"{SCHEMAS}/item/report/definitionProperties/2.0.0/schema.json"
DEFINITION = f"{SCHEMAS}/item/report/definition"
VERSION_SCHEMA = f"{DEFINITION}/versionMetadata/1.0.0/schema.json"
REPORT_SCHEMA = f"{DEFINITION}/report/3.3.0/schema.json"
PAGES_SCHEMA = f"{DEFINITION}/pagesMetadata/1.1.0/schema.json"
PAGE_SCHEMA = f"{DEFINITION}/page/2.1.0/schema.json"
VISUAL_SCHEMA = f"{DEFINITION}/visualContainer/2.9.0/schema.json"

# dbt contract type -> TMDL dataType
TMDL_TYPES = {
    "varchar": "string",
    "integer": "int64",
    "bigint": "int64",
    "double": "double",
    "boolean": "boolean",
    "timestamp": "dateTime",
    "date": "dateTime",
    # Power BI's fixed decimal number keeps exactly four places: amounts stay
    # exact, as in the warehouse
    "decimal(38,4)": "decimal",
}
DEFAULT_PARQUET_FOLDER = "C:\\segments\\publish\\"
DEFAULT_DUCKDB_FILE = f"{DEFAULT_PARQUET_FOLDER}{SERVING_DATABASE}"

FACT = "customer_segments"
CUBE = "segment_cube"


class Dimension(NamedTuple):
    table: str
    key: str
    label: str  # the column slicers and axes show
    sort_by: str


DIMENSIONS = (
    Dimension("dim_segment", "cluster_id", "segment_name", "cluster_id"),
    Dimension("dim_gender", "gender", "gender", "gender_order"),
    Dimension("dim_age_band", "age_band", "age_band", "age_band_order"),
    Dimension("dim_rfm_segment", "rfm_segment", "rfm_segment", "rfm_segment_order"),
)
SEGMENT, GENDER, AGE_BAND, RFM_SEGMENT = DIMENSIONS
# The dimensions of the customer pages' slicers and of the drill-through.
CUSTOMER_DIMENSIONS = (SEGMENT, GENDER, AGE_BAND)


class Relationship(NamedTuple):
    """Many rows of `table` to one row of `dimension`; the dimension filters
    the table, never the other way (single direction)."""

    table: str
    dimension: Dimension


# Every table that carries a dimension's key relates to it.
RELATIONSHIPS = tuple(
    Relationship(table, dimension)
    for table, keys in (
        (FACT, ("cluster_id", "gender", "age_band", "rfm_segment")),
        (CUBE, ("cluster_id", "gender", "age_band")),
        ("rfm_segment_summary", ("rfm_segment",)),
        ("rfm_grid", ("rfm_segment",)),
        ("cluster_summary", ("cluster_id",)),
        ("gender_dist", ("cluster_id", "gender")),
        ("age_groups", ("cluster_id", "age_band")),
    )
    for dimension in DIMENSIONS
    if dimension.key in keys
)


class Measure(NamedTuple):
    name: str
    dax: str
    format_string: str
    # The mart column (table, column) that defines the same number in SQL
    # under no filter; a test ties the two, so a metric has one definition.
    mirrors: tuple[str, str]


def average(column: str) -> str:
    """The mean over customers with a value, as SQL's avg() computes it:
    buyers without a customer record have no age or income and must not
    pull the average down. Both parts are answered by segment_cube's
    total and count columns in DirectQuery."""
    return f"DIVIDE(SUM({FACT}[{column}]), COUNT({FACT}[{column}]))"


def share_of_customers(condition: str) -> str:
    """The share of the selected customers meeting ``condition``: 0%, not
    blank, where none does (a Male slicer shows Female Share 0%)."""
    return (
        f"DIVIDE(COALESCE(CALCULATE([Customers], KEEPFILTERS({condition})), 0),"
        " [Customers])"
    )


COUNT_FORMAT = "#,0"
AVERAGE_FORMAT = "#,0.00"
SHARE_FORMAT = "0%"

# On customer_segments; written as totals over customers so that the
# DirectQuery model's aggregation (segment_cube) can answer them. A filter
# fixed inside CALCULATE is wrapped in KEEPFILTERS, so it narrows the user's
# selection instead of replacing it; REMOVEFILTERS removes one on purpose.
MEASURES = (
    Measure(
        "Customers",
        f"COUNTROWS({FACT})",
        COUNT_FORMAT,
        ("segment_overview", "customers"),
    ),
    Measure(
        "Segments",
        "COUNTROWS(FILTER(VALUES(dim_segment[cluster_id]), NOT ISBLANK([Customers])))",
        COUNT_FORMAT,
        ("segment_overview", "segments"),
    ),
    Measure(
        "Customer Share",
        "DIVIDE([Customers], CALCULATE([Customers], REMOVEFILTERS(dim_segment)))",
        SHARE_FORMAT,
        ("cluster_summary", "customer_share"),
    ),
    Measure(
        "Average Age",
        average("age"),
        "#,0.0",
        ("cluster_summary", "avg_age"),
    ),
    Measure(
        "Average Income (k$)",
        average("annual_income_k"),
        AVERAGE_FORMAT,
        ("segment_overview", "avg_annual_income_k"),
    ),
    Measure(
        "Average Spending Score",
        average("spending_score"),
        AVERAGE_FORMAT,
        ("segment_overview", "avg_spending_score"),
    ),
    Measure(
        "Income-to-Spend Ratio",
        "DIVIDE([Average Income (k$)], [Average Spending Score])",
        AVERAGE_FORMAT,
        ("segment_overview", "income_to_spend_ratio"),
    ),
    Measure(
        "Female Share",
        share_of_customers('dim_gender[gender] = "Female"'),
        SHARE_FORMAT,
        ("segment_overview", "female_share"),
    ),
    Measure(
        "Male Share",
        share_of_customers('dim_gender[gender] = "Male"'),
        SHARE_FORMAT,
        ("segment_overview", "male_share"),
    ),
    # Purchase behaviour, from a transactions file (blank without one).
    Measure(
        "Revenue",
        f"SUM({FACT}[monetary])",
        AVERAGE_FORMAT,
        ("transaction_audit", "monetary_total"),
    ),
    Measure(
        "Revenue Share",
        "DIVIDE([Revenue], CALCULATE([Revenue], REMOVEFILTERS(dim_rfm_segment)))",
        "0.0%",
        ("rfm_segment_summary", "revenue_share"),
    ),
    Measure(
        "Average Recency (days)",
        average("recency_days"),
        "#,0",
        ("cluster_summary", "avg_recency_days"),
    ),
    Measure(
        "Average Purchases",
        average("frequency"),
        "#,0.0",
        ("cluster_summary", "avg_frequency"),
    ),
    Measure(
        "Grid Customers",
        "SUM(rfm_grid[customers])",
        COUNT_FORMAT,
        ("rfm_grid", "customers"),
    ),
)

# segment_cube's totals as Power BI aggregations of customer_segments:
# (summarization, base column, or None to count the table's rows).
AGGREGATIONS = {
    "customers": ("count", None),
    "total_age": ("sum", "age"),
    "customers_with_age": ("count", "age"),
    "total_annual_income_k": ("sum", "annual_income_k"),
    "customers_with_annual_income_k": ("count", "annual_income_k"),
    "total_spending_score": ("sum", "spending_score"),
    "customers_with_spending_score": ("count", "spending_score"),
    "total_recency_days": ("sum", "recency_days"),
    "customers_with_recency_days": ("count", "recency_days"),
    "total_frequency": ("sum", "frequency"),
    "customers_with_frequency": ("count", "frequency"),
    "total_monetary": ("sum", "monetary"),
}

# How the report names the columns it shows.
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
}
# Whole numbers that identify or order rather than count.
ID_COLUMNS = {"cluster_id", "k", "model_run_id", "previous_model_run_id"}


class Mode(NamedTuple):
    project: str
    parameter: str  # the Power Query parameter holding the path
    default_path: str
    parameter_doc: str


IMPORT = Mode(
    PROJECT,
    "ParquetFolder",
    DEFAULT_PARQUET_FOLDER,
    "Folder holding the published Parquet files (publish/ after make run), "
    "ending with a backslash.",
)
DIRECT_QUERY = Mode(
    f"{PROJECT}DirectQuery",
    "DuckDbFile",
    DEFAULT_DUCKDB_FILE,
    "Full path of the published segments.duckdb (publish\\segments.duckdb "
    "after make run).",
)
MODES = (IMPORT, DIRECT_QUERY)


@dataclass(frozen=True)
class Column:
    name: str
    data_type: str  # TMDL
    description: str
    contract_type: str = ""  # dbt's, where TMDL's is coarser (date, timestamp)


@dataclass(frozen=True)
class Table:
    name: str
    description: str
    columns: tuple[Column, ...]


def tag(*names: str) -> str:
    """A lineage tag that is the same on every run, so regenerating is a no-op."""
    key = "customer-segmentation/" + "/".join(names)
    return str(uuid.uuid5(uuid.NAMESPACE_URL, key))


def load_tables(manifest: dict, catalog: dict) -> list[Table]:
    """The published marts from the manifest, types checked against the catalog."""
    tables = []
    for name in PUBLISHED_MODELS:
        unique_id = f"model.customer_segmentation.{name}"
        node = manifest["nodes"][unique_id]
        warehouse = {
            c.lower(): v["type"].lower()
            for c, v in catalog["nodes"][unique_id]["columns"].items()
        }
        columns = []
        for column in node["columns"].values():
            contract_type = column["data_type"].lower().replace(" ", "")
            if warehouse.get(column["name"]) != contract_type:
                raise ValueError(
                    f"{name}.{column['name']}: contract says {contract_type}, the "
                    f"warehouse has {warehouse.get(column['name'])}; rebuild first"
                )
            columns.append(
                Column(
                    column["name"],
                    TMDL_TYPES[contract_type],
                    column["description"],
                    contract_type,
                )
            )
        tables.append(Table(name, node["description"], tuple(columns)))
    return tables


def doc_comment(text: str, indent: str) -> list[str]:
    """TMDL descriptions are /// lines just above the object."""
    lines = [line.rstrip() for line in text.strip().splitlines() if line.strip()]
    return [f"{indent}/// {line.strip()}" for line in lines]


def quote_name(name: str) -> str:
    return f"'{name}'" if not name.replace("_", "").isalnum() else name


# Dates and times as ISO, the same for every culture.
DATE_FORMATS = {"date": "yyyy-mm-dd", "timestamp": "yyyy-mm-dd hh:nn:ss"}


def column_format(column: Column) -> str | None:
    """Shares as %, averages with two decimals, counts with thousands
    separators, dates as ISO."""
    if column.contract_type in DATE_FORMATS:
        return DATE_FORMATS[column.contract_type]
    if column.data_type == "double":
        share = "share" in column.name.split("_")
        return "0.0%" if share else AVERAGE_FORMAT
    if column.data_type == "decimal":
        return AVERAGE_FORMAT
    if column.data_type == "int64":
        if column.name in ID_COLUMNS or column.name.endswith("_order"):
            return "0"
        if column.name in {"r_score", "f_score", "m_score", "score"}:
            return "0"
        return COUNT_FORMAT
    return None


def dimension_of(table: str) -> Dimension | None:
    return next((d for d in DIMENSIONS if d.table == table), None)


def hidden_columns(table: str) -> set[str]:
    """Keys a dimension owns are hidden on the tables that point at it, so a
    report built by hand also slices through the dimensions."""
    return {r.dimension.key for r in RELATIONSHIPS if r.table == table} | (
        {"segment_name"} if table in {FACT, CUBE} else set()
    )


def storage_mode(table: str, mode: Mode) -> str:
    if mode is IMPORT:
        return "import"
    if table == FACT:
        return "directQuery"
    # Dimensions serve both the imported aggregation and the DirectQuery fact.
    return "dual" if dimension_of(table) else "import"


def partition_source(table: str, mode: Mode) -> list[str]:
    if mode is IMPORT:
        return [
            "let",
            "    Source = Parquet.Document(File.Contents("
            f'{mode.parameter} & "{table}.parquet"))',
            "in",
            "    Source",
        ]
    # The connector asks for a MotherDuck token even for a local file;
    # "localtoken" is what it accepts there. true: open read-only, so
    # Power BI never takes the file's write lock.
    return [
        "let",
        f'    Database = DuckDB.Contents({mode.parameter}, "localtoken", true),',
        f'    Source = Database{{[Item = "{table}"]}}[Data]',
        "in",
        "    Source",
    ]


def column_tmdl(table: Table, column: Column, mode: Mode) -> list[str]:
    lines = [*doc_comment(column.description, "\t"), f"\tcolumn {column.name}"]
    lines += [
        f"\t\tdataType: {column.data_type}",
        f"\t\tlineageTag: {tag(table.name, column.name)}",
        # Every number a visual shows is a measure: no implicit sums.
        "\t\tsummarizeBy: none",
        f"\t\tsourceColumn: {column.name}",
    ]
    format_string = column_format(column)
    if format_string:
        lines.append(f"\t\tformatString: {format_string}")
    if column.name in hidden_columns(table.name):
        lines.append("\t\tisHidden")
    dimension = dimension_of(table.name)
    if dimension and column.name == dimension.label != dimension.sort_by:
        lines.append(f"\t\tsortByColumn: {dimension.sort_by}")
    if mode is DIRECT_QUERY and table.name == CUBE and column.name in AGGREGATIONS:
        summarization, base = AGGREGATIONS[column.name]
        lines += ["\t\talternateOf", f"\t\t\tsummarization: {summarization}"]
        lines.append(
            f"\t\t\tbaseColumn: {FACT}.{base}" if base else f"\t\t\tbaseTable: {FACT}"
        )
    return [*lines, ""]


def table_tmdl(table: Table, mode: Mode) -> str:
    lines = [*doc_comment(table.description, ""), f"table {table.name}"]
    lines.append(f"\tlineageTag: {tag(table.name)}")
    if table.name == CUBE:
        # An aggregation table is never queried directly; the report reads
        # customer_segments' measures and Power BI answers from here.
        lines.append("\tisHidden")
    lines.append("")
    if table.name == FACT:
        for measure in MEASURES:
            lines += [
                f"\tmeasure {quote_name(measure.name)} = {measure.dax}",
                f"\t\tformatString: {measure.format_string}",
                f"\t\tlineageTag: {tag(table.name, 'measure', measure.name)}",
                "",
            ]
    for column in table.columns:
        lines += column_tmdl(table, column, mode)
    lines += [
        f"\tpartition {table.name} = m",
        f"\t\tmode: {storage_mode(table.name, mode)}",
        "\t\tsource =",
        *(f"\t\t\t\t{line}" for line in partition_source(table.name, mode)),
        "",
    ]
    return "\n".join(lines)


def model_files(tables: list[Table], mode: Mode) -> dict[str, str]:
    database = "database\n\tcompatibilityLevel: 1567\n"
    model = "\n".join(
        [
            "model Model",
            "\tculture: en-US",
            "\tdefaultPowerBIDataSourceVersion: powerBI_V3",
            "\tdiscourageImplicitMeasures",
            "\tsourceQueryCulture: en-US",
            "\tdataAccessOptions",
            "\t\tlegacyRedirects",
            "\t\treturnErrorValuesAsNull",
            "",
            # no hidden date table per date column (Desktop's auto date/time)
            "\tannotation __PBI_TimeIntelligenceEnabled = 0",
            "",
            *[f"ref table {t.name}" for t in tables],
            "",
        ]
    )
    expressions = "\n".join(
        [
            *doc_comment(
                f"{mode.parameter_doc} Change it under Transform data > Edit "
                "parameters.",
                "",
            ),
            f'expression {mode.parameter} = "{mode.default_path}" meta '
            '[IsParameterQuery=true, Type="Text", IsParameterQueryRequired=true]',
            f"\tlineageTag: {tag(mode.parameter)}",
            "",
            "\tannotation PBI_ResultType = Text",
            "",
        ]
    )
    relationships = "\n".join(
        line
        for table, dimension in RELATIONSHIPS
        for line in (
            f"relationship {tag('relationship', table, dimension.table)}",
            "\tcrossFilteringBehavior: oneDirection",
            f"\tfromColumn: {table}.{dimension.key}",
            f"\ttoColumn: {dimension.table}.{dimension.key}",
            "",
        )
    )
    files = {
        "definition/database.tmdl": database,
        "definition/model.tmdl": model,
        "definition/expressions.tmdl": expressions,
        "definition/relationships.tmdl": relationships,
    }
    for table in tables:
        files[f"definition/tables/{table.name}.tmdl"] = table_tmdl(table, mode)
    return files


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
        name, "slicer", (x, 10, 240, 60), {"Values": [label(dimension)]}, title,
        sort={"field": field(dimension.table, dimension.label)},
    )  # fmt: skip
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
    source = {"Column": {"Expression": {"SourceRef": {"Source": "d"}},
                         "Property": dimension.label}}  # fmt: skip
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
    item["filterConfig"] = {"filters": [not_blank("rfmSegmentNotBlank", RFM_SEGMENT)]}
    return item


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


def card(position: int, name: str, step: int, width: int) -> dict:
    box = (20 + position * step, 90, width, 80)
    return visual(f"card{position}", "card", box, {"Values": [measure(name)]}, name)


class Page(NamedTuple):
    name: str
    display_name: str
    visuals: list[dict]


def pages() -> list[Page]:
    cards = [card(i, name, 177, 167) for i, name in enumerate(CARDS)]
    segment_table = visual(
        "segmentDescriptions", "tableEx", (20, 200, 1240, 500),
        {
            "Values": [
                label(SEGMENT), column(SEGMENT.table, "segment_description"),
                *(measure(name) for name in SEGMENT_TABLE),
            ]
        },
        "Segments and what sets them apart", sort=by(SEGMENT),
    )  # fmt: skip
    spending = visual(
        "spendingBySegment", "clusteredBarChart", (20, 90, 1240, 610),
        {
            "Category": drill(SEGMENT, AGE_BAND),
            "Y": [measure("Average Spending Score")],
        },
        "Average spending score by segment (drill down to age band)",
        sort=by(SEGMENT),
    )  # fmt: skip
    gender = visual(
        "genderBySegment", "hundredPercentStackedBarChart", (20, 90, 1240, 610),
        {
            "Category": [label(SEGMENT)],
            "Series": [label(GENDER)],
            "Y": [measure("Customers")],
        },
        f"Gender mix of each segment{NO_DEMOGRAPHICS}", sort=by(SEGMENT),
    )  # fmt: skip
    age = visual(
        "customersByAgeBand", "clusteredColumnChart", (20, 90, 1240, 610),
        {
            "Category": [label(AGE_BAND)],
            "Series": [label(SEGMENT)],
            "Y": [measure("Customers")],
        },
        f"Customers by age band and segment{NO_DEMOGRAPHICS}", sort=by(AGE_BAND),
    )  # fmt: skip
    rfm_grid = visual(
        "rfmGrid", "pivotTable", (20, 90, 610, 610),
        {
            "Rows": [column("rfm_grid", "r_score")],
            "Columns": [column("rfm_grid", "f_score")],
            "Values": [measure("Grid Customers")],
        },
        "Customers per recency (rows) x frequency (columns) score, 5 = best",
        # recency 5 (most recent) on top, as the RFM grid is read
        sort={"field": field("rfm_grid", "r_score"), "direction": "Descending"},
    )  # fmt: skip
    # the R x F heat map: darker cells hold more customers
    rfm_grid["visual"]["objects"] = {
        "values": [heat_map("Grid Customers", "#F7FBFF", "#08519C")]
    }
    rfm_revenue = visual(
        "rfmRevenueShare", "clusteredBarChart", (650, 90, 610, 610),
        {
            "Category": [label(RFM_SEGMENT)],
            "Y": [measure("Revenue Share")],
        },
        "Share of revenue by RFM segment", sort=by(RFM_SEGMENT),
    )  # fmt: skip
    # One bubble per segment and age band, not per customer: in DirectQuery a
    # point per customer would ask DuckDB for every customer, past the row
    # limit from a million on; the customer list pages through them instead.
    scatter = visual(
        "incomeVsSpending", "scatterChart", (20, 90, 1240, 610),
        {
            "Category": [label(AGE_BAND)],
            "Series": [label(SEGMENT)],
            "X": [measure("Average Income (k$)")],
            "Y": [measure("Average Spending Score")],
            "Size": [measure("Customers")],
        },
        "Average income against spending score, one bubble per segment and age "
        "band (size: customers)",
    )  # fmt: skip
    drill_down = visual(
        "segmentDrillDown", "pivotTable", (20, 90, 1240, 610),
        {
            "Rows": [
                label(SEGMENT, active=True), label(AGE_BAND, active=False),
                column(FACT, "customer_id", active=False),
            ],
            "Values": [
                measure(name)
                for name in ("Customers", "Average Age", "Average Income (k$)",
                             "Average Spending Score")
            ],
        },
        "Segment, then age band, then customer: expand a row to drill down",
        sort=by(SEGMENT),
    )  # fmt: skip
    customer_list = visual(
        "customerList", "tableEx", (20, 180, 1240, 520),
        {
            "Values": [
                column(FACT, "customer_id"), label(SEGMENT), label(GENDER),
                label(AGE_BAND), *(column(FACT, c) for c in DRILL_THROUGH_COLUMNS),
            ]
        },
        "Customers of the selection", sort={"field": field(FACT, "customer_id")},
    )  # fmt: skip
    selection = ("Customers", "Average Income (k$)", "Average Spending Score")
    selection_cards = [card(i, name, 250, 240) for i, name in enumerate(selection)]
    # Desktop adds this button when a page becomes a drill-through target;
    # in the service it is the only way back to where the user came from
    back = back_button("backButton", (1120, 90, 140, 80))
    return [
        Page(
            "segmentOverview", "Segment overview", [*slicers(), *cards, segment_table]
        ),
        Page("spendingPatterns", "Spending patterns", [*slicers(), spending]),
        Page("genderDistribution", "Gender distribution", [*slicers(), gender]),
        Page("ageGroups", "Age groups", [*slicers(), age]),
        Page("incomeVsSpending", "Income vs spending", [*slicers(), scatter]),
        Page("segmentDrillDown", "Segment drill-down", [*slicers(), drill_down]),
        Page(
            "rfmSegments",
            "RFM segments",
            [rfm_slicer(), rfm_grid, rfm_revenue],
        ),
        Page(
            DRILL_THROUGH_PAGE,
            "Customer list",
            [*slicers(), *selection_cards, back, customer_list],
        ),
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


def platform(kind: str, mode: Mode) -> dict:
    return {
        "$schema": PLATFORM_SCHEMA,
        "metadata": {"type": kind, "displayName": mode.project},
        "config": {"version": "2.0", "logicalId": tag("item", kind, mode.project)},
    }


def as_json(value: object) -> str:
    return json.dumps(value, indent=2, ensure_ascii=False) + "\n"


def project_files(tables: list[Table]) -> dict[str, str]:
    """Every file of both projects, by path relative to powerbi/."""
    files = {".gitignore": "**/.pbi/localSettings.json\n**/.pbi/cache.abf\n"}
    definition = report_definition()
    for mode in MODES:
        report, model = f"{mode.project}.Report", f"{mode.project}.SemanticModel"
        files[f"{mode.project}.pbip"] = as_json(
            {
                "$schema": PBIP_SCHEMA,
                "version": "1.0",
                "artifacts": [{"report": {"path": report}}],
                "settings": {"enableAutoRecovery": True},
            }
        )
        files[f"{model}/.platform"] = as_json(platform("SemanticModel", mode))
        files[f"{model}/definition.pbism"] = as_json(
            {"$schema": PBISM_SCHEMA, "version": "4.2", "settings": {}}
        )
        for path, text in model_files(tables, mode).items():
            files[f"{model}/{path}"] = text
        files[f"{report}/.platform"] = as_json(platform("Report", mode))
        files[f"{report}/definition.pbir"] = as_json(
            {
                "$schema": PBIR_SCHEMA,
                "version": "4.0",
                "datasetReference": {"byPath": {"path": f"../{model}"}},
            }
        )
        for path, value in definition.items():
            files[f"{report}/definition/{path}"] = as_json(value)
    return files


MANIFEST_FILE = ".customer-segmentation-manifest"
MANIFEST_OWNER = "customer-segmentation Power BI projects"


class EditedFiles(Exception):
    """Generated files that were changed since: regenerating would lose the edits."""


def with_manifest(files: dict[str, str]) -> dict[str, str]:
    """The files plus the manifest that lists them (one home of ownership)."""
    listed = {path: digest_bytes(text.encode("utf-8")) for path, text in files.items()}
    manifest = Manifest(MANIFEST_OWNER, listed)
    return {**files, MANIFEST_FILE: manifest.to_text()}


def conflicts(out: Path, files: dict[str, str], previous: Manifest | None) -> list[str]:
    """Files the write would overwrite that it cannot vouch for.

    A file is overwritten only when it already holds the new text, or the
    previous manifest lists it unchanged.
    """
    clashes = []
    for relative, text in files.items():
        path = out / relative
        if relative == MANIFEST_FILE or not os.path.lexists(path):
            continue
        if path.is_file() and not path.is_symlink():
            if path.read_bytes() == text.encode("utf-8"):
                continue
            listed = previous.files.get(relative) if previous else None
            if listed and is_unchanged(out, relative, listed):
                continue
        clashes.append(relative)
    return clashes


def generate(target: Path, out: Path) -> list[Path]:
    """Write both projects into ``out``, touching only what this generator owns.

    Edited generated files (Power BI Desktop saves into them) stop the
    write before anything is written; files it never generated are left
    alone; files it generated before and no longer does are removed only
    when unchanged.
    """
    manifest = json.loads((target / "manifest.json").read_text(encoding="utf-8"))
    catalog = json.loads((target / "catalog.json").read_text(encoding="utf-8"))
    files = with_manifest(project_files(load_tables(manifest, catalog)))
    previous = read_manifest(out, MANIFEST_FILE, MANIFEST_OWNER)
    edited = conflicts(out, files, previous)
    if edited:
        raise EditedFiles(
            f"{out}: {plural(len(edited), 'file')} changed since this generator "
            f"wrote them ({first_few(edited)}); regenerating would overwrite "
            "your edits (Power BI Desktop saves into these files). Copy them "
            "elsewhere, restore the generated files (git checkout), and run "
            "again. Nothing was written."
        )
    written = []
    for relative, text in sorted(files.items()):
        path = out / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8", newline="\n")
        written.append(path)
    for relative in sorted(set(previous.files) - set(files) if previous else ()):
        if is_unchanged(out, relative, previous.files[relative]):
            (out / relative).unlink()  # generated before, no longer
    return written


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--target", type=Path, default=Path("target"))
    parser.add_argument("--out", type=Path, default=Path("powerbi"))
    args = parser.parse_args(argv)
    try:
        written = generate(args.target, args.out)
    except EditedFiles as error:
        raise SystemExit(f"powerbi: error: {error}") from None
    print(f"wrote {len(written)} files to {args.out}/")


if __name__ == "__main__":
    main()
