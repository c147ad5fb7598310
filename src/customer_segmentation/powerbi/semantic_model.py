"""What the semantic models hold: the published tables from the dbt contracts,
the dimensions and their relationships, the measures and aggregations, and
the two storage modes."""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

from customer_segmentation.publishing.publish import (
    ROW_GRAIN_KEYS,
    SERVING_DATABASE,
    published_models,
)

PROJECT = "CustomerSegments"

# dbt contract type -> TMDL dataType
TMDL_TYPES = {
    "string": "string",
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
# Contract types DuckDB's catalog spells otherwise (string is the spelling
# Spark also reads, see docs/spark.md)
CATALOG_SPELLING = {"string": "varchar"}
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
        ("customer_rfm", ("rfm_segment",)),
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


def share_of_selection(measure: str, dimension: Dimension) -> str:
    """The row's share of what the slicers select (ALLSELECTED keeps their
    selection and drops only the visual's own grouping on ``dimension``):
    with two of five segments selected the two shares add up to 100%; 0%,
    not blank, where the row has none."""
    return (
        f"DIVIDE(COALESCE([{measure}], 0), "
        f"CALCULATE([{measure}], ALLSELECTED({dimension.table})))"
    )


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
# selection instead of replacing it; a share's denominator is ALLSELECTED,
# what the slicers select.
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
        share_of_selection("Customers", SEGMENT),
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
        share_of_selection("Revenue", RFM_SEGMENT),
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
    # Lifetime value, from a transactions file (blank without one): clv is
    # the value of the next clv_horizon_weeks (52 by default), not a
    # lifetime's, and the names say so.
    Measure(
        "Value Over Horizon",
        f"SUM({FACT}[clv])",
        AVERAGE_FORMAT,
        ("cluster_summary", "total_clv"),
    ),
    Measure(
        "Average Value Over Horizon",
        average("clv"),
        AVERAGE_FORMAT,
        ("cluster_summary", "avg_clv"),
    ),
    Measure(
        "Average P(alive)",
        average("p_alive"),
        SHARE_FORMAT,
        ("cluster_summary", "avg_p_alive"),
    ),
    Measure(
        "Customers by P(alive)",
        "SUM(clv_alive_bands[customers])",
        COUNT_FORMAT,
        ("clv_alive_bands", "customers"),
    ),
    Measure(
        "Holdout Purchases",
        "SUM(clv_holdout[actual_holdout_purchases])",
        COUNT_FORMAT,
        ("clv_holdout_fit", "actual_holdout_purchases"),
    ),
    Measure(
        "Holdout Forecast",
        "SUM(clv_holdout[predicted_holdout_purchases])",
        AVERAGE_FORMAT,
        ("clv_holdout_fit", "predicted_holdout_purchases"),
    ),
    Measure(
        "Repeat Purchases Made",
        "SUM(clv_tracking[actual_repeat_purchases])",
        COUNT_FORMAT,
        ("clv_tracking", "actual_repeat_purchases"),
    ),
    Measure(
        "Repeat Purchases Expected",
        "SUM(clv_tracking[expected_repeat_purchases])",
        AVERAGE_FORMAT,
        ("clv_tracking", "expected_repeat_purchases"),
    ),
    # The cumulative tracking: a week's cumulative figure, and over several
    # weeks the last one's (the interval of a cumulative total is its own)
    *(
        Measure(
            name,
            f"MAX(clv_tracking[{column}])",
            AVERAGE_FORMAT,
            ("clv_tracking", column),
        )
        for name, column in (
            ("Cumulative Repeat Purchases Made", "actual_cumulative_repeat_purchases"),
            (
                "Cumulative Repeat Purchases Expected",
                "expected_cumulative_repeat_purchases",
            ),
            ("Cumulative Expected, 90% Low", "expected_cumulative_low"),
            ("Cumulative Expected, 90% High", "expected_cumulative_high"),
        )
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
    "total_p_alive": ("sum", "p_alive"),
    "customers_with_p_alive": ("count", "p_alive"),
    "total_clv": ("sum", "clv"),
    "customers_with_clv": ("count", "clv"),
}

# How the report names the columns it shows.
ID_COLUMNS = {"cluster_id", "k", "model_run_id", "previous_model_run_id"}


class Parameter(NamedTuple):
    """A Power Query parameter the partitions read (Transform data > Edit
    parameters)."""

    name: str
    default: str
    doc: str


class StorageMode(NamedTuple):
    project: str
    connector: str  # parquet, duckdb or databricks
    parameters: tuple[Parameter, ...]

    @property
    def parameter(self) -> str:
        """The first parameter: the path or host every partition names."""
        return self.parameters[0].name

    @property
    def is_direct_query(self) -> bool:
        """The customer table stays in the warehouse; the cube answers totals."""
        return self.connector != "parquet"


IMPORT = StorageMode(
    PROJECT,
    "parquet",
    (
        Parameter(
            "ParquetFolder",
            DEFAULT_PARQUET_FOLDER,
            "Folder holding the published Parquet files (publish/ after make "
            "run), ending with a backslash.",
        ),
    ),
)
DIRECT_QUERY = StorageMode(
    f"{PROJECT}DirectQuery",
    "duckdb",
    (
        Parameter(
            "DuckDbFile",
            DEFAULT_DUCKDB_FILE,
            "Full path of the published segments.duckdb (publish\\segments.duckdb "
            "after make run).",
        ),
    ),
)
# The marts built by `dbt build --target databricks` (docs/spark.md), read
# live through Power BI's Databricks connector.
DATABRICKS = StorageMode(
    f"{PROJECT}Databricks",
    "databricks",
    (
        Parameter(
            "DatabricksHost",
            "adb-0000000000000000.0.azuredatabricks.net",
            "Server hostname of the Databricks SQL warehouse (Connection details).",
        ),
        Parameter(
            "DatabricksHttpPath",
            "/sql/1.0/warehouses/0000000000000000",
            "HTTP path of the Databricks SQL warehouse (Connection details).",
        ),
        Parameter(
            "DatabricksCatalog",
            "main",
            "Unity Catalog catalog dbt built the marts in (DATABRICKS_CATALOG).",
        ),
        Parameter(
            "DatabricksSchema",
            "segments",
            "Schema dbt built the marts in (DATABRICKS_SCHEMA).",
        ),
    ),
)
MODES = (IMPORT, DIRECT_QUERY, DATABRICKS)


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

    @property
    def has_row_grain(self) -> bool:
        """A row per customer or per input row: its size follows the data."""
        return any(column.name in ROW_GRAIN_KEYS for column in self.columns)


def load_tables(manifest: dict, catalog: dict) -> list[Table]:
    """The published marts from the manifest, types checked against the catalog."""
    tables = []
    for name in published_models(manifest):
        unique_id = f"model.customer_segmentation.{name}"
        node = manifest["nodes"][unique_id]
        warehouse = {
            c.lower(): v["type"].lower()
            for c, v in catalog["nodes"][unique_id]["columns"].items()
        }
        columns = []
        for column in node["columns"].values():
            contract_type = column["data_type"].lower().replace(" ", "")
            expected = CATALOG_SPELLING.get(contract_type, contract_type)
            if warehouse.get(column["name"]) != expected:
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
