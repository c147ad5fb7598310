"""Generate the Power BI project (PBIP) in powerbi/ from dbt's manifest and catalog.

Tables, columns, types and descriptions come from the mart contracts
(manifest.json), checked against what the warehouse really holds
(catalog.json), so the semantic model cannot drift from the published tables:
a test regenerates this folder and fails if it differs from the committed one.

    python -m customer_segmentation.powerbi --target target --out powerbi

The semantic model (TMDL) imports the published Parquet files from the
folder in the ``ParquetFolder`` parameter; the report (PBIR) has the pages of
the reference dashboard.
"""

from __future__ import annotations

import argparse
import json
import shutil
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import NamedTuple

from customer_segmentation.publish import PUBLISHED_MODELS

PROJECT = "CustomerSegments"
SCHEMAS = "https://developer.microsoft.com/json-schemas/fabric"
PBIP_SCHEMA = f"{SCHEMAS}/pbip/pbipProperties/1.0.0/schema.json"
PBISM_SCHEMA = f"{SCHEMAS}/item/semanticModel/definitionProperties/1.0.0/schema.json"
PBIR_SCHEMA = f"{SCHEMAS}/item/report/definitionProperties/2.0.0/schema.json"
VERSION_SCHEMA = f"{SCHEMAS}/item/report/definition/versionMetadata/1.0.0/schema.json"
REPORT_SCHEMA = f"{SCHEMAS}/item/report/definition/report/1.0.0/schema.json"
PAGES_SCHEMA = f"{SCHEMAS}/item/report/definition/pagesMetadata/1.0.0/schema.json"
PAGE_SCHEMA = f"{SCHEMAS}/item/report/definition/page/1.0.0/schema.json"
VISUAL_SCHEMA = f"{SCHEMAS}/item/report/definition/visualContainer/1.0.0/schema.json"

# dbt contract type -> TMDL dataType
TMDL_TYPES = {
    "varchar": "string",
    "integer": "int64",
    "bigint": "int64",
    "double": "double",
    "boolean": "boolean",
    "timestamp": "dateTime",
}
# Counts add up; every other number is already an average, share or id.
SUMMABLE = {"customers", "input_rows", "clean_customers", "rejected_rows"}
DEFAULT_PARQUET_FOLDER = "C:\\segments\\publish\\"

# Every table that carries cluster_id filters through cluster_summary.
RELATIONSHIPS = (
    ("customer_segments", "cluster_id", "cluster_summary", "cluster_id"),
    ("gender_dist", "cluster_id", "cluster_summary", "cluster_id"),
    ("age_groups", "cluster_id", "cluster_summary", "cluster_id"),
)


class Measure(NamedTuple):
    name: str
    dax: str
    format_string: str
    # The segment_overview column (the SQL home of the headline metrics)
    # the measure mirrors under no filter; a test ties the two lists.
    mirrors: str | None


# The reference dashboard's cards, on customer_segments so every slicer
# reaches them. The ratio is a ratio of averages, as in the marts.
MEASURES = (
    Measure("Total Customers", "COUNTROWS(customer_segments)", "0", "customers"),
    Measure(
        "Segments", "DISTINCTCOUNT(customer_segments[cluster_id])", "0", "segments"
    ),
    Measure(
        "Average Income (k$)",
        "AVERAGE(customer_segments[annual_income_k])",
        "0.00",
        "avg_annual_income_k",
    ),
    Measure(
        "Average Spending Score",
        "AVERAGE(customer_segments[spending_score])",
        "0.00",
        "avg_spending_score",
    ),
    Measure(
        "Income-to-Spend Ratio",
        "DIVIDE([Average Income (k$)], [Average Spending Score])",
        "0.00",
        "income_to_spend_ratio",
    ),
    Measure(
        "Female Share",
        'DIVIDE(CALCULATE([Total Customers], customer_segments[gender] = "Female"),'
        " [Total Customers])",
        "0%",
        "female_share",
    ),
    Measure(
        "Male Share",
        'DIVIDE(CALCULATE([Total Customers], customer_segments[gender] = "Male"),'
        " [Total Customers])",
        "0%",
        "male_share",
    ),
    Measure(
        "Customers in Selected Segment",
        "IF(ISFILTERED(cluster_summary[segment_name]), [Total Customers])",
        "0",
        None,
    ),
)
SORT_BY = {("age_groups", "age_band"): "age_band_order"}


@dataclass(frozen=True)
class Column:
    name: str
    data_type: str  # TMDL
    description: str


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
            contract_type = column["data_type"].lower()
            if warehouse.get(column["name"]) != contract_type:
                raise ValueError(
                    f"{name}.{column['name']}: contract says {contract_type}, the "
                    f"warehouse has {warehouse.get(column['name'])}; rebuild first"
                )
            columns.append(
                Column(column["name"], TMDL_TYPES[contract_type], column["description"])
            )
        tables.append(Table(name, node["description"], tuple(columns)))
    return tables


def doc_comment(text: str, indent: str) -> list[str]:
    """TMDL descriptions are /// lines just above the object."""
    lines = [line.rstrip() for line in text.strip().splitlines() if line.strip()]
    return [f"{indent}/// {line.strip()}" for line in lines]


def quote_name(name: str) -> str:
    return f"'{name}'" if not name.replace("_", "").isalnum() else name


def table_tmdl(table: Table) -> str:
    lines = [*doc_comment(table.description, ""), f"table {table.name}"]
    lines += [f"\tlineageTag: {tag(table.name)}", ""]
    if table.name == "customer_segments":
        for measure, dax, format_string, _ in MEASURES:
            lines += [
                f"\tmeasure {quote_name(measure)} = {dax}",
                f"\t\tformatString: {format_string}",
                f"\t\tlineageTag: {tag(table.name, 'measure', measure)}",
                "",
            ]
    for column in table.columns:
        lines += doc_comment(column.description, "\t")
        lines += [
            f"\tcolumn {column.name}",
            f"\t\tdataType: {column.data_type}",
            f"\t\tlineageTag: {tag(table.name, column.name)}",
            f"\t\tsummarizeBy: {'sum' if column.name in SUMMABLE else 'none'}",
            f"\t\tsourceColumn: {column.name}",
        ]
        if (table.name, column.name) in SORT_BY:
            lines.append(f"\t\tsortByColumn: {SORT_BY[(table.name, column.name)]}")
        lines.append("")
    lines += [
        f"\tpartition {table.name} = m",
        "\t\tmode: import",
        "\t\tsource =",
        "\t\t\t\tlet",
        "\t\t\t\t    Source = Parquet.Document(File.Contents("
        f'ParquetFolder & "{table.name}.parquet"))',
        "\t\t\t\tin",
        "\t\t\t\t    Source",
        "",
    ]
    return "\n".join(lines)


def model_files(tables: list[Table]) -> dict[str, str]:
    database = "database\n\tcompatibilityLevel: 1567\n"
    model = "\n".join(
        [
            "model Model",
            "\tculture: en-US",
            "\tdefaultPowerBIDataSourceVersion: powerBI_V3",
            "\tsourceQueryCulture: en-US",
            "\tdataAccessOptions",
            "\t\tlegacyRedirects",
            "\t\treturnErrorValuesAsNull",
            "",
            *[f"ref table {t.name}" for t in tables],
            "",
        ]
    )
    expressions = "\n".join(
        [
            "/// Folder holding the published Parquet files (publish/ after",
            "/// make run), ending with a backslash. Change it under",
            "/// Transform data > Edit parameters.",
            f'expression ParquetFolder = "{DEFAULT_PARQUET_FOLDER}" meta '
            '[IsParameterQuery=true, Type="Text", IsParameterQueryRequired=true]',
            f"\tlineageTag: {tag('ParquetFolder')}",
            "",
            "\tannotation PBI_ResultType = Text",
            "",
        ]
    )
    relationships = "\n".join(
        line
        for source, source_column, target, target_column in RELATIONSHIPS
        for line in (
            f"relationship {tag('relationship', source, target)}",
            f"\tfromColumn: {source}.{source_column}",
            f"\ttoColumn: {target}.{target_column}",
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
        files[f"definition/tables/{table.name}.tmdl"] = table_tmdl(table)
    return files


def field(table: str, name: str, kind: str = "Column") -> dict:
    return {kind: {"Expression": {"SourceRef": {"Entity": table}}, "Property": name}}


def projection(table: str, name: str, kind: str = "Column") -> dict:
    return {
        "field": field(table, name, kind),
        "queryRef": f"{table}.{name}",
        "nativeQueryRef": name,
    }


def average(table: str, name: str) -> dict:
    """A numeric column averaged per data point (scatter axes need an aggregate)."""
    column = field(table, name)
    return {
        "field": {"Aggregation": {"Expression": column, "Function": 1}},
        "queryRef": f"Avg({table}.{name})",
        "nativeQueryRef": f"Average of {name}",
    }


def measure(name: str) -> dict:
    return projection("customer_segments", name, "Measure")


def visual(name: str, kind: str, box: tuple[int, int, int, int], roles: dict) -> dict:
    x, y, width, height = box
    return {
        "$schema": VISUAL_SCHEMA,
        "name": name,
        "position": {"x": x, "y": y, "z": 0, "width": width, "height": height},
        "visual": {
            "visualType": kind,
            "query": {
                "queryState": {
                    role: {"projections": items} for role, items in roles.items()
                }
            },
            "drillFilterOtherVisuals": True,
        },
    }


def slicers() -> list[dict]:
    """Segment, gender and age band slicers, at the top of every page."""
    return [
        visual(
            "slicerSegment", "slicer", (20, 10, 300, 60),
            {"Values": [projection("cluster_summary", "segment_name")]},
        ),
        visual(
            "slicerGender", "slicer", (340, 10, 200, 60),
            {"Values": [projection("customer_segments", "gender")]},
        ),
        visual(
            "slicerAgeBand", "slicer", (560, 10, 200, 60),
            {"Values": [projection("customer_segments", "age_band")]},
        ),
    ]  # fmt: skip


def pages() -> list[tuple[str, str, list[dict]]]:
    cards = [
        visual(
            f"card{i}", "card", (20 + i * 155, 90, 145, 90), {"Values": [measure(name)]}
        )
        for i, (name, *_) in enumerate(MEASURES)
    ]
    summary_columns = [
        "segment_name", "customers", "customer_share", "avg_age",
        "avg_annual_income_k", "avg_spending_score", "income_to_spend_ratio",
    ]  # fmt: skip
    description = visual(
        "clusterDescriptions", "tableEx", (20, 200, 1240, 300),
        {"Values": [projection("cluster_summary", c) for c in summary_columns]},
    )  # fmt: skip
    spending = visual(
        "spendingBySegment", "clusteredBarChart", (20, 90, 1240, 600),
        {
            "Category": [projection("cluster_summary", "segment_name")],
            "Y": [measure("Average Spending Score")],
        },
    )  # fmt: skip
    gender = visual(
        "genderBySegment", "hundredPercentStackedBarChart", (20, 90, 1240, 600),
        {
            "Category": [projection("cluster_summary", "segment_name")],
            "Series": [projection("customer_segments", "gender")],
            "Y": [measure("Total Customers")],
        },
    )  # fmt: skip
    age = visual(
        "customersByAgeBand", "clusteredColumnChart", (20, 90, 1240, 600),
        {
            "Category": [projection("age_groups", "age_band")],
            "Series": [projection("cluster_summary", "segment_name")],
            "Y": [projection("age_groups", "customers")],
        },
    )  # fmt: skip
    scatter = visual(
        "incomeVsSpending", "scatterChart", (20, 90, 1240, 600),
        {
            "Category": [projection("customer_segments", "customer_id")],
            "Series": [projection("cluster_summary", "segment_name")],
            "X": [average("customer_segments", "annual_income_k")],
            "Y": [average("customer_segments", "spending_score")],
        },
    )  # fmt: skip
    return [
        ("segmentOverview", "Segment overview", [*slicers(), *cards, description]),
        ("spendingPatterns", "Spending patterns", [*slicers(), spending]),
        ("genderDistribution", "Gender distribution", [*slicers(), gender]),
        ("ageGroups", "Age groups", [*slicers(), age]),
        ("incomeVsSpending", "Income vs spending", [*slicers(), scatter]),
    ]


def report_files() -> dict[str, object]:
    files: dict[str, object] = {
        "definition.pbir": {
            "$schema": PBIR_SCHEMA,
            "version": "4.0",
            "datasetReference": {"byPath": {"path": f"../{PROJECT}.SemanticModel"}},
        },
        "definition/version.json": {"$schema": VERSION_SCHEMA, "version": "2.0.0"},
        "definition/report.json": {
            "$schema": REPORT_SCHEMA,
            "themeCollection": {},
            "layoutOptimization": "None",
        },
    }
    all_pages = pages()
    files["definition/pages/pages.json"] = {
        "$schema": PAGES_SCHEMA,
        "pageOrder": [name for name, _, _ in all_pages],
        "activePageName": all_pages[0][0],
    }
    for name, display_name, visuals in all_pages:
        files[f"definition/pages/{name}/page.json"] = {
            "$schema": PAGE_SCHEMA,
            "name": name,
            "displayName": display_name,
            "displayOption": "FitToPage",
            "height": 720,
            "width": 1280,
        }
        for item in visuals:
            files[f"definition/pages/{name}/visuals/{item['name']}/visual.json"] = item
    return files


def project_files(tables: list[Table]) -> dict[str, str]:
    """Every file of the project, by path relative to powerbi/."""
    as_json = lambda value: json.dumps(value, indent=2, ensure_ascii=False) + "\n"  # noqa: E731
    files = {
        f"{PROJECT}.pbip": as_json(
            {
                "$schema": PBIP_SCHEMA,
                "version": "1.0",
                "artifacts": [{"report": {"path": f"{PROJECT}.Report"}}],
                "settings": {"enableAutoRecovery": True},
            }
        ),
        ".gitignore": "**/.pbi/localSettings.json\n**/.pbi/cache.abf\n",
        f"{PROJECT}.SemanticModel/definition.pbism": as_json(
            {"$schema": PBISM_SCHEMA, "version": "4.0", "settings": {}}
        ),
    }
    for path, text in model_files(tables).items():
        files[f"{PROJECT}.SemanticModel/{path}"] = text
    for path, value in report_files().items():
        files[f"{PROJECT}.Report/{path}"] = as_json(value)
    return files


def generate(target: Path, out: Path) -> list[Path]:
    manifest = json.loads((target / "manifest.json").read_text(encoding="utf-8"))
    catalog = json.loads((target / "catalog.json").read_text(encoding="utf-8"))
    files = project_files(load_tables(manifest, catalog))
    if out.exists():
        shutil.rmtree(out)
    written = []
    for relative, text in sorted(files.items()):
        path = out / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8", newline="\n")
        written.append(path)
    return written


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--target", type=Path, default=Path("target"))
    parser.add_argument("--out", type=Path, default=Path("powerbi"))
    args = parser.parse_args(argv)
    written = generate(args.target, args.out)
    print(f"wrote {len(written)} files to {args.out}/")


if __name__ == "__main__":
    main()
