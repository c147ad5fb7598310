"""The Power BI project: generated from the contracts, parseable, consistent."""

import copy
import json
import re
from pathlib import Path

import duckdb
import pytest
from pipeline_runs import PUBLISHED_MODELS, REPO
from tmdl_parser import TmdlParser

from customer_segmentation.powerbi import MEASURES, PROJECT, load_tables, project_files

POWERBI = REPO / "powerbi"
MODEL = POWERBI / f"{PROJECT}.SemanticModel"
REPORT = POWERBI / f"{PROJECT}.Report"
SCHEMA_PREFIX = "https://developer.microsoft.com/json-schemas/fabric/"
DUCKDB_TO_TMDL = {
    "VARCHAR": "string",
    "INTEGER": "int64",
    "BIGINT": "int64",
    "DOUBLE": "double",
    "BOOLEAN": "boolean",
    "TIMESTAMP": "dateTime",
}


def committed_files() -> dict[str, str]:
    return {
        str(p.relative_to(POWERBI)): p.read_text(encoding="utf-8")
        for p in sorted(POWERBI.rglob("*"))
        if p.is_file()
    }


def test_powerbi_folder_matches_the_contracts(docs_target):
    tables = load_tables(docs_target["manifest"], docs_target["catalog"])
    generated = project_files(tables)
    stale = sorted(
        set(generated.items()) ^ set(committed_files().items()), key=lambda kv: kv[0]
    )
    assert not stale, (
        "powerbi/ is out of date with the mart contracts; run `make powerbi`. "
        f"Differs: {sorted({path for path, _ in stale})}"
    )


def test_a_contract_change_would_be_caught(docs_target):
    manifest = copy.deepcopy(docs_target["manifest"])
    catalog = copy.deepcopy(docs_target["catalog"])
    node = "model.customer_segmentation.cluster_summary"
    del manifest["nodes"][node]["columns"]["avg_age"]
    del catalog["nodes"][node]["columns"]["avg_age"]
    assert project_files(load_tables(manifest, catalog)) != committed_files()

    catalog = copy.deepcopy(docs_target["catalog"])
    catalog["nodes"][node]["columns"]["customers"]["type"] = "VARCHAR"
    with pytest.raises(ValueError, match=r"cluster_summary\.customers"):
        load_tables(docs_target["manifest"], catalog)


def parsed_tables() -> dict[str, dict]:
    tables = {}
    for path in sorted((MODEL / "definition" / "tables").glob("*.tmdl")):
        parsed = TmdlParser(str(path)).parse()
        tables[parsed["name"]] = parsed
    return tables


def test_every_tmdl_file_parses_into_the_published_model():
    definition = MODEL / "definition"
    for path in definition.rglob("*.tmdl"):
        assert TmdlParser(str(path)).parse(), f"{path} parsed to nothing"
    tables = parsed_tables()
    assert sorted(tables) == sorted(PUBLISHED_MODELS)
    for table in tables.values():
        assert table["type"] == "table"
        assert table["partitions"][0]["mode"] == "import"
        assert "ParquetFolder" in table["partitions"][0]["source"]
        for column in table["columns"]:
            assert column["sourceColumn"] == column["name"]
            assert column["dataType"] in set(DUCKDB_TO_TMDL.values())
    measures = {
        m["name"]: m["expression"] for m in tables["customer_segments"]["measures"]
    }
    assert sorted(measures) == sorted(m.name for m in MEASURES)
    assert measures["Income-to-Spend Ratio"] == (
        "DIVIDE([Average Income (k$)], [Average Spending Score])"
    )
    relationships = TmdlParser(str(definition / "relationships.tmdl")).parse()
    links = {
        (r["fromTable"], r["fromColumnName"], r["toTable"], r["toColumnName"])
        for r in relationships["relationships"]
    }
    assert links == {
        (table, "cluster_id", "cluster_summary", "cluster_id")
        for table in (
            "customer_segments",
            "gender_dist",
            "age_groups",
        )
    }
    expressions = (definition / "expressions.tmdl").read_text(encoding="utf-8")
    assert "expression ParquetFolder" in expressions
    assert "IsParameterQuery=true" in expressions


def test_every_column_carries_its_description(docs_target):
    for name in PUBLISHED_MODELS:
        text = (MODEL / "definition" / "tables" / f"{name}.tmdl").read_text()
        node = docs_target["manifest"]["nodes"][f"model.customer_segmentation.{name}"]
        for column, spec in node["columns"].items():
            block = re.search(rf"((?:\t///[^\n]*\n)+)\tcolumn {column}\n", text)
            assert block, f"{name}.{column} has no /// description"
            first_line = spec["description"].strip().splitlines()[0].strip()
            assert first_line in block.group(1)


def test_tmdl_columns_exist_in_the_published_parquet_with_matching_types(demo_run):
    with duckdb.connect() as con:
        for name, table in parsed_tables().items():
            parquet = demo_run.publish_dir / f"{name}.parquet"
            described = con.execute(
                "describe select * from read_parquet(?)", [str(parquet)]
            ).fetchall()
            published = {column: DUCKDB_TO_TMDL[kind] for column, kind, *_ in described}
            model = {c["name"]: c["dataType"] for c in table["columns"]}
            assert model == published, name


def load_json(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


def assert_schema(document: dict, kind: str) -> None:
    assert re.fullmatch(
        re.escape(SCHEMA_PREFIX) + kind + r"/\d+\.\d+\.\d+/schema\.json",
        document["$schema"],
    ), document["$schema"]


def test_the_project_files_power_bi_desktop_requires_are_well_formed():
    pbip = load_json(POWERBI / f"{PROJECT}.pbip")
    assert_schema(pbip, "pbip/pbipProperties")
    assert {"version", "artifacts"} <= pbip.keys()
    assert (POWERBI / pbip["artifacts"][0]["report"]["path"]).is_dir()

    pbism = load_json(MODEL / "definition.pbism")
    assert_schema(pbism, "item/semanticModel/definitionProperties")
    assert "version" in pbism

    pbir = load_json(REPORT / "definition.pbir")
    assert_schema(pbir, "item/report/definitionProperties")
    assert "version" in pbir
    assert (REPORT / pbir["datasetReference"]["byPath"]["path"]).resolve() == MODEL

    version = load_json(REPORT / "definition" / "version.json")
    assert_schema(version, "item/report/definition/versionMetadata")
    assert re.fullmatch(r"[1-9]\d*\.\d+\.0", version["version"])

    report = load_json(REPORT / "definition" / "report.json")
    assert_schema(report, "item/report/definition/report")
    assert {"themeCollection", "layoutOptimization"} <= report.keys()


def model_fields() -> set[tuple[str, str]]:
    fields = set()
    for name, table in parsed_tables().items():
        fields |= {(name, c["name"]) for c in table["columns"]}
        fields |= {(name, m["name"]) for m in table.get("measures", [])}
    return fields


def fields_of(node) -> list[tuple[str, str]]:
    """Every (table, column or measure) a visual's query refers to."""
    found = []
    if isinstance(node, dict):
        if (
            "Property" in node
            and "Expression" in node
            and "SourceRef" in node["Expression"]
        ):
            found.append((node["Expression"]["SourceRef"]["Entity"], node["Property"]))
        for value in node.values():
            found += fields_of(value)
    elif isinstance(node, list):
        for value in node:
            found += fields_of(value)
    return found


def test_pages_and_visuals_refer_to_real_fields():
    pages_dir = REPORT / "definition" / "pages"
    pages = load_json(pages_dir / "pages.json")
    assert_schema(pages, "item/report/definition/pagesMetadata")
    assert sorted(pages["pageOrder"]) == sorted(
        p.name for p in pages_dir.iterdir() if p.is_dir()
    )
    assert [
        load_json(pages_dir / p / "page.json")["displayName"]
        for p in pages["pageOrder"]
    ] == [
        "Segment overview",
        "Spending patterns",
        "Gender distribution",
        "Age groups",
        "Income vs spending",
    ]
    known = model_fields()
    slicers = set()
    for page_name in pages["pageOrder"]:
        page = load_json(pages_dir / page_name / "page.json")
        assert_schema(page, "item/report/definition/page")
        assert page["name"] == page_name
        assert {"displayName", "displayOption", "height", "width"} <= page.keys()
        for visual_file in (pages_dir / page_name / "visuals").glob("*/visual.json"):
            visual = load_json(visual_file)
            assert_schema(visual, "item/report/definition/visualContainer")
            assert visual["name"] == visual_file.parent.name
            assert len(visual["name"]) <= 50
            assert {"x", "y", "width", "height"} <= visual["position"].keys()
            position = visual["position"]
            assert position["x"] + position["width"] <= page["width"]
            assert position["y"] + position["height"] <= page["height"]
            used = fields_of(visual["visual"]["query"])
            assert used and set(used) <= known, (visual_file, set(used) - known)
            if visual["visual"]["visualType"] == "slicer":
                slicers |= set(used)
    assert slicers == {
        ("cluster_summary", "segment_name"),
        ("customer_segments", "gender"),
        ("customer_segments", "age_band"),
    }


def test_every_headline_metric_of_the_sql_has_a_measure(docs_target):
    """segment_overview is the one definition of the headline metrics: each
    of its columns is mirrored by exactly one DAX measure, and no measure
    mirrors a column it does not have."""
    overview = docs_target["manifest"]["nodes"][
        "model.customer_segmentation.segment_overview"
    ]
    mirrored = [m.mirrors for m in MEASURES if m.mirrors is not None]
    assert sorted(mirrored) == sorted(overview["columns"])
