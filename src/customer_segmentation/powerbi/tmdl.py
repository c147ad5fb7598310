"""The semantic models as TMDL files (one per table, plus model, expressions
and relationships), with lineage tags that are the same on every run."""

from __future__ import annotations

import uuid

from customer_segmentation.powerbi.semantic_model import (
    AGGREGATIONS,
    AVERAGE_FORMAT,
    COUNT_FORMAT,
    CUBE,
    DIMENSIONS,
    FACT,
    ID_COLUMNS,
    IMPORT,
    MEASURES,
    RELATIONSHIPS,
    Column,
    Dimension,
    StorageMode,
    Table,
)


def tag(*names: str) -> str:
    """A lineage tag that is the same on every run, so regenerating is a no-op."""
    key = "customer-segmentation/" + "/".join(names)
    return str(uuid.uuid5(uuid.NAMESPACE_URL, key))


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


def storage_mode(table: Table, mode: StorageMode) -> str:
    """Import reads everything; DirectQuery keeps every table with a row per
    customer or per input row in the warehouse, so the imported ones hold a
    row per segment, band, run or parameter whatever the customer count."""
    if mode is IMPORT:
        return "import"
    if table.has_row_grain:
        return "directQuery"
    # Dimensions serve both the imported aggregation and the DirectQuery facts.
    return "dual" if dimension_of(table.name) else "import"


# DuckDB.Contents' arguments after the file (docs/power_bi.md).
DUCKDB_CONTENTS_ARGUMENTS = (
    '"localtoken", true, false, "single", [custom_user_agent = "customer-segmentation"]'
)


def partition_source(
    table: str, mode: StorageMode, row_grain: bool = False
) -> list[str]:
    if mode is IMPORT and row_grain:
        # One file from a DuckDB run; a folder of part files from a Spark
        # run, whose executors write these tables (docs/spark.md).
        return [
            "let",
            f'    Path = {mode.parameter} & "{table}.parquet",',
            "    Source = try Parquet.Document(File.Contents(Path)) otherwise",
            "        Table.Combine(List.Transform(Table.SelectRows(Folder.Files(Path),",
            '            each [Extension] = ".parquet")[Content], Parquet.Document))',
            "in",
            "    Source",
        ]
    if mode is IMPORT:
        return [
            "let",
            "    Source = Parquet.Document(File.Contents("
            f'{mode.parameter} & "{table}.parquet"))',
            "in",
            "    Source",
        ]
    if mode.connector == "databricks":
        host, http_path, catalog, schema = (p.name for p in mode.parameters)
        return [
            "let",
            f"    Warehouse = Databricks.Catalogs({host}, {http_path}, "
            "[Catalog = null, Database = null, EnableAutomaticProxyDiscovery = null]),",
            f'    Catalog = Warehouse{{[Name = {catalog}, Kind = "Database"]}}[Data],',
            f'    Schema = Catalog{{[Name = {schema}, Kind = "Schema"]}}[Data],',
            f'    Source = Schema{{[Name = "{table}", Kind = "Table"]}}[Data]',
            "in",
            "    Source",
        ]
    # The six parameters the connector declares, passed as its own query
    # file and tests pass them (it reads the options record without a null
    # check): the file, the MotherDuck token ("localtoken" for a local file,
    # as its README says), read-only (Power BI never takes the file's write
    # lock), no SaaS mode, one database attached, and the options record.
    return [
        "let",
        f"    Database = DuckDB.Contents({mode.parameter}, "
        f"{DUCKDB_CONTENTS_ARGUMENTS}),",
        f'    Source = Database{{[Item = "{table}"]}}[Data]',
        "in",
        "    Source",
    ]


def column_tmdl(table: Table, column: Column, mode: StorageMode) -> list[str]:
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
    if mode.is_direct_query and table.name == CUBE and column.name in AGGREGATIONS:
        summarization, base = AGGREGATIONS[column.name]
        lines += ["\t\talternateOf", f"\t\t\tsummarization: {summarization}"]
        lines.append(
            f"\t\t\tbaseColumn: {FACT}.{base}" if base else f"\t\t\tbaseTable: {FACT}"
        )
    return [*lines, ""]


def table_tmdl(table: Table, mode: StorageMode) -> str:
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
        f"\t\tmode: {storage_mode(table, mode)}",
        "\t\tsource =",
        *(
            f"\t\t\t\t{line}"
            for line in partition_source(table.name, mode, table.has_row_grain)
        ),
        "",
    ]
    return "\n".join(lines)


def model_files(tables: list[Table], mode: StorageMode) -> dict[str, str]:
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
        line
        for parameter in mode.parameters
        for line in (
            *doc_comment(
                f"{parameter.doc} Change it under Transform data > Edit parameters.",
                "",
            ),
            f'expression {parameter.name} = "{parameter.default}" meta '
            '[IsParameterQuery=true, Type="Text", IsParameterQueryRequired=true]',
            f"\tlineageTag: {tag(parameter.name)}",
            "",
            "\tannotation PBI_ResultType = Text",
            "",
        )
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
