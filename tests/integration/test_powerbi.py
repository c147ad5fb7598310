"""The Power BI projects: generated from the contracts, valid against
Microsoft's schemas, and right under every click.

Power BI Desktop cannot run here, so the model is checked by reading it the
way Power BI would: the TMDL parsed with powerbi-tmdl-tools' parser, every
JSON file validated in full against the schema it declares, and each page's
slicers followed through the relationships to every visual on the page.
"""

import copy
import json
import re
from collections import defaultdict
from pathlib import Path

import duckdb
import pytest
from jsonschema import validators
from pipeline_runs import REPO
from referencing import Registry, Resource
from tmdl_parser import TmdlParser

from customer_segmentation.powerbi.project import project_files, with_manifest
from customer_segmentation.powerbi.semantic_model import (
    AGGREGATIONS,
    CUBE,
    DATABRICKS,
    DIMENSIONS,
    DIRECT_QUERY,
    FACT,
    IMPORT,
    MEASURES,
    MODES,
    RFM_SEGMENT,
    SEGMENT,
    load_tables,
)
from customer_segmentation.powerbi.visuals import DISPLAY_NAMES
from customer_segmentation.publishing.publish import published_models

POWERBI = REPO / "powerbi"
SCHEMAS = REPO.parent / "shared" / "powerbi-json-schemas"
SCHEMA_PREFIX = "https://developer.microsoft.com/json-schemas/"
JSON_SUFFIXES = {".json", ".pbip", ".pbir", ".pbism"}
DUCKDB_TO_TMDL = {
    "VARCHAR": "string",
    "INTEGER": "int64",
    "BIGINT": "int64",
    "DOUBLE": "double",
    "BOOLEAN": "boolean",
    "TIMESTAMP": "dateTime",
    "DATE": "dateTime",
    "DECIMAL(38,4)": "decimal",
}
VALUE_ROLES = {"Y", "X", "Values", "Size"}


class Parser(TmdlParser):
    """powerbi-tmdl-tools' parser, plus two TMDL forms it skips: bare boolean
    flags (`isHidden`, `discourageImplicitMeasures`) and the `alternateOf`
    block of an aggregation column."""

    def _handle_property(self, content, parent, indent):
        if content == "alternateOf":
            block: dict = {}
            parent["alternateOf"] = block
            self.stack.append((block, indent))
        elif re.fullmatch(r"[A-Za-z]+", content):
            parent[content] = True
        else:
            super()._handle_property(content, parent, indent)


def parse(path: Path) -> dict:
    parsed = Parser(str(path)).parse()
    assert parsed, f"{path} parsed to nothing"
    return parsed


def model_dir(mode) -> Path:
    return POWERBI / f"{mode.project}.SemanticModel" / "definition"


def report_dir(mode) -> Path:
    return POWERBI / f"{mode.project}.Report"


def parsed_tables(mode) -> dict[str, dict]:
    tables = {}
    for path in sorted((model_dir(mode) / "tables").glob("*.tmdl")):
        parsed = parse(path)
        tables[parsed["name"]] = parsed
    return tables


def relationships(mode) -> list[dict]:
    return parse(model_dir(mode) / "relationships.tmdl")["relationships"]


def load_json(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


def committed_files() -> dict[str, str]:
    return {
        str(p.relative_to(POWERBI)): p.read_text(encoding="utf-8")
        for p in sorted(POWERBI.rglob("*"))
        if p.is_file()
    }


def json_files() -> list[Path]:
    return [
        p
        for p in sorted(POWERBI.rglob("*"))
        if p.is_file() and (p.suffix in JSON_SUFFIXES or p.name == ".platform")
    ]


# -- generated, committed, current -------------------------------------------


def test_powerbi_folder_matches_the_contracts(docs_target):
    tables = load_tables(docs_target["manifest"], docs_target["catalog"])
    generated = with_manifest(project_files(tables))
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


@pytest.fixture(scope="module")
def schema_registry() -> Registry:
    if not SCHEMAS.is_dir():
        pytest.skip(
            f"Microsoft's Power BI JSON schemas are absent ({SCHEMAS}); they "
            "live in ../shared beside the checkout"
        )

    def retrieve(uri: str) -> Resource:
        path = SCHEMAS / uri.removeprefix(SCHEMA_PREFIX)
        return Resource.from_contents(json.loads(path.read_text(encoding="utf-8")))

    return Registry(retrieve=retrieve)


def test_every_json_file_is_valid_against_the_schema_it_declares(schema_registry):
    files = json_files()
    assert len(files) > 40
    for path in files:
        document = load_json(path)
        schema = schema_registry.get_or_retrieve(document["$schema"]).value.contents
        validator = validators.validator_for(schema)(schema, registry=schema_registry)
        errors = [
            f"{'/'.join(map(str, e.absolute_path))}: {e.message[:200]}"
            for e in validator.iter_errors(document)
        ]
        assert not errors, f"{path.relative_to(POWERBI)}: {errors}"


def version_key(version: str) -> tuple[int, ...]:
    return tuple(int(part) for part in version.split("."))


def refusals(document: dict, url: str, registry) -> list[str]:
    """What the schema at ``url`` finds wrong with ``document`` (declared so)."""
    schema = registry.get_or_retrieve(url).value.contents
    validator = validators.validator_for(schema)(schema, registry=registry)
    return [e.message for e in validator.iter_errors({**document, "$schema": url})]


def test_every_kind_of_file_declares_the_oldest_version_that_holds_it(
    schema_registry,
):
    """Issue 36: the oldest schema versions that carry every feature the
    projects use, so that a Desktop several months old opens them. Each
    kind's files validate at the declared version (above), and the version
    before it refuses at least one of them; a kind at its first version has
    none before."""
    by_kind: dict[str, list[dict]] = defaultdict(list)
    declared = {}
    for path in json_files():
        document = load_json(path)
        kind, version = (
            document["$schema"].removeprefix(SCHEMA_PREFIX).rsplit("/", 2)[:2]
        )
        assert declared.setdefault(kind, version) == version, path  # one per kind
        by_kind[kind].append(document)
    for kind, documents in by_kind.items():
        older = sorted(
            (p.name for p in (SCHEMAS / kind).iterdir() if p.is_dir()), key=version_key
        )
        older = older[: older.index(declared[kind])]
        if older:
            url = f"{SCHEMA_PREFIX}{kind}/{older[-1]}/schema.json"
            assert any(refusals(d, url, schema_registry) for d in documents), kind
    # the guide names the same versions and the Desktop they need
    guide = (REPO / "docs" / "power_bi.md").read_text(encoding="utf-8")
    for kind, version in declared.items():
        assert f"| `{kind.rsplit('/', 1)[-1]}` | {version} |" in guide, kind


# -- the semantic models -------------------------------------------------------


def test_both_models_parse_into_the_published_star_schema(docs_target):
    for mode in MODES:
        for path in model_dir(mode).rglob("*.tmdl"):
            parse(path)
        model = parse(model_dir(mode) / "model.tmdl")
        assert model.get("discourageImplicitMeasures") is True
        tables = parsed_tables(mode)
        assert sorted(tables) == sorted(published_models(docs_target["manifest"]))
        for name, table in tables.items():
            [partition] = table["partitions"]
            assert mode.parameter in partition["source"], name
            for column in table["columns"]:
                assert column["sourceColumn"] == column["name"]
                assert column["dataType"] in set(DUCKDB_TO_TMDL.values())
                # no implicit sums: every number a visual shows is a measure
                assert column["summarizeBy"] == "none", (name, column["name"])
                if column["dataType"] in {"int64", "double", "decimal"}:
                    assert column.get("formatString"), (name, column["name"])
        measures = {m["name"]: m for m in tables[FACT]["measures"]}
        assert sorted(measures) == sorted(m.name for m in MEASURES)
        for spec in MEASURES:
            assert measures[spec.name]["expression"] == spec.dax
            assert measures[spec.name]["formatString"] == spec.format_string
        for dimension in DIMENSIONS:
            label = next(
                c for c in tables[dimension.table]["columns"]
                if c["name"] == dimension.label
            )  # fmt: skip
            if dimension.label != dimension.sort_by:
                assert label["sortByColumn"] == dimension.sort_by


ROW_GRAIN = {"customer_id", "source_row_number"}


def has_row_grain(table: dict) -> bool:
    """A row per customer or per input row, read from the table's columns."""
    return bool(ROW_GRAIN & {c["name"] for c in table["columns"]})


def test_the_storage_modes():
    """Import reads Parquet everywhere; DirectQuery keeps every table with a
    row per customer or per input row in the warehouse (issue 36: customer_rfm,
    customer_clv and the rejected rows were imported), the dimensions Dual
    and the small tables imported."""
    for name, table in parsed_tables(IMPORT).items():
        partition = table["partitions"][0]
        assert partition["mode"] == "import", name
        assert "Parquet.Document" in partition["source"]
    dimensions = {d.table for d in DIMENSIONS}
    for mode in (DIRECT_QUERY, DATABRICKS):
        tables = parsed_tables(mode)
        live = {name for name, table in tables.items() if has_row_grain(table)}
        assert live >= {
            FACT, "customer_rfm", "customer_clv",
            "rejected_customers", "rejected_transactions",
        }  # fmt: skip
        for name, table in tables.items():
            partition = table["partitions"][0]
            expected = (
                "directQuery" if name in live else "dual" if name in dimensions
                else "import"
            )  # fmt: skip
            assert partition["mode"] == expected, (mode.project, name)


def test_the_duckdb_connector_is_called_as_its_authors_call_it():
    """The six parameters the connector declares (database, MotherDuck
    token, read-only, SaaS mode, attach mode, options), as its own tests
    pass them: its source reads the options record without a null check."""
    for name, table in parsed_tables(DIRECT_QUERY).items():
        source = table["partitions"][0]["source"]
        call = source.split("DuckDB.Contents(", 1)[1].split("),", 1)[0]
        arguments = [a.strip() for a in call.split(",")]
        assert arguments[:5] == [
            "DuckDbFile", '"localtoken"', "true", "false", '"single"'
        ], name  # fmt: skip
        assert arguments[5].startswith("[") and call.endswith("]"), name
        assert len(arguments) == 6, name
        assert f'[Item = "{name}"]' in source


def test_a_per_customer_table_relates_to_every_dimension_it_carries():
    """Issue 36: a visual built on customer_rfm followed no slicer."""
    for mode in (DIRECT_QUERY, DATABRICKS):
        related = {(r["fromColumn"], r["toColumn"]) for r in relationships(mode)}
        for name, table in parsed_tables(mode).items():
            if not has_row_grain(table) or name.startswith("rejected_"):
                continue  # rejected rows keep their raw values: no dimension
            columns = {c["name"] for c in table["columns"]}
            for dimension in DIMENSIONS:
                if dimension.key in columns:
                    link = (
                        f"{name}.{dimension.key}",
                        f"{dimension.table}.{dimension.key}",
                    )
                    assert link in related, (mode.project, link)


def test_the_shares_are_of_what_the_slicers_select_and_zero_not_blank():
    """Issue 36: Customer Share removed the segment slicer (two of five
    segments selected read 20% and 20%, not their shares of the two) and
    read blank for a segment without customers in the selection. Read from
    each project's model: Power BI cannot run here, so the DAX is checked as
    written (tests/integration/test_powerbi_measures.py evaluates it where
    the filters are a slicer's or the visual's own)."""
    shares = {
        "Customer Share": ("Customers", SEGMENT),
        "Revenue Share": ("Revenue", RFM_SEGMENT),
    }
    for mode in MODES:
        measures = {
            m["name"]: m["expression"] for m in parsed_tables(mode)[FACT]["measures"]
        }
        for name, (base, dimension) in shares.items():
            assert measures[name] == (
                f"DIVIDE(COALESCE([{base}], 0), "
                f"CALCULATE([{base}], ALLSELECTED({dimension.table})))"
            ), (mode.project, name)
        assert not [n for n, e in measures.items() if "REMOVEFILTERS" in e]


def test_the_databricks_model_reads_the_marts_live_through_the_connector():
    """As the DuckDB DirectQuery model, through Power BI's Databricks
    connector: host, HTTP path, catalog and schema are parameters, the
    table's name is the mart's."""
    duckdb_modes = {
        name: table["partitions"][0]["mode"]
        for name, table in parsed_tables(DIRECT_QUERY).items()
    }
    expressions = (model_dir(DATABRICKS) / "expressions.tmdl").read_text()
    for parameter in DATABRICKS.parameters:
        assert f"expression {parameter.name} = " in expressions
    for name, table in parsed_tables(DATABRICKS).items():
        partition = table["partitions"][0]
        assert partition["mode"] == duckdb_modes[name], name
        source = partition["source"]
        assert "Databricks.Catalogs(DatabricksHost, DatabricksHttpPath," in source
        assert '[Name = DatabricksCatalog, Kind = "Database"]' in source
        assert '[Name = DatabricksSchema, Kind = "Schema"]' in source
        assert f'[Name = "{name}", Kind = "Table"]' in source
    cube = {c["name"]: c for c in parsed_tables(DATABRICKS)[CUBE]["columns"]}
    assert {name for name, column in cube.items() if "alternateOf" in column} == set(
        AGGREGATIONS
    )


def test_the_aggregation_answers_the_measures_from_the_cube():
    """Power BI answers a query from an aggregation only when every column
    the measure reads is mapped: the cube maps a row count and the sums the
    measures divide, with matching types."""
    tables = parsed_tables(DIRECT_QUERY)
    cube = {c["name"]: c for c in tables["segment_cube"]["columns"]}
    fact = {c["name"]: c for c in tables[FACT]["columns"]}
    assert tables["segment_cube"].get("isHidden") is True
    mapped = {}
    for name, column in cube.items():
        if "alternateOf" not in column:
            continue
        alternate = column["alternateOf"]
        if "baseTable" in alternate:
            assert alternate == {"summarization": "count", "baseTable": FACT}
            mapped[("count", None)] = name
        else:
            table, base = alternate["baseColumn"].split(".")
            summarization = alternate["summarization"]
            # a sum keeps the column's type; a count of values is whole
            expected = fact[base]["dataType"] if summarization == "sum" else "int64"
            assert table == FACT and column["dataType"] == expected, name
            mapped[(summarization, base)] = name
    assert set(mapped) == set(AGGREGATIONS.values())
    read = {
        (function.lower(), base)
        for spec in MEASURES
        for function, base in re.findall(rf"(SUM|COUNT)\({FACT}\[(\w+)\]\)", spec.dax)
    }
    assert ("count", "age") in read
    assert read <= set(mapped)
    for name, table in parsed_tables(IMPORT).items():
        assert all("alternateOf" not in c for c in table["columns"]), name


def test_every_column_carries_its_description(docs_target):
    for mode in MODES:
        for name in published_models(docs_target["manifest"]):
            text = (model_dir(mode) / "tables" / f"{name}.tmdl").read_text()
            node = docs_target["manifest"]["nodes"][
                f"model.customer_segmentation.{name}"
            ]
            for column, spec in node["columns"].items():
                block = re.search(rf"((?:\t///[^\n]*\n)+)\tcolumn {column}\n", text)
                assert block, f"{name}.{column} has no /// description"
                first_line = spec["description"].strip().splitlines()[0].strip()
                assert first_line in block.group(1)


def test_tmdl_columns_exist_in_the_published_parquet_with_matching_types(demo_run):
    with duckdb.connect() as con:
        for name, table in parsed_tables(IMPORT).items():
            parquet = demo_run.publish_dir / f"{name}.parquet"
            described = con.execute(
                "describe select * from read_parquet(?)", [str(parquet)]
            ).fetchall()
            published = {column: DUCKDB_TO_TMDL[kind] for column, kind, *_ in described}
            model = {c["name"]: c["dataType"] for c in table["columns"]}
            assert model == published, name


# -- measures ------------------------------------------------------------------


def calculate_filters(dax: str) -> list[str]:
    """The filter arguments of every CALCULATE in a DAX expression."""
    found = []
    for match in re.finditer(r"CALCULATE\(", dax):
        depth, argument, arguments = 1, "", []
        for char in dax[match.end() :]:
            depth += char == "("
            depth -= char == ")"
            if depth == 0 or (depth == 1 and char == ","):
                arguments.append(argument.strip())
                argument = ""
                if depth == 0:
                    break
                continue
            argument += char
        found += arguments[1:]
    return found


def keeps_the_selection(argument: str) -> bool:
    return argument.startswith(
        ("KEEPFILTERS(", "REMOVEFILTERS(", "ALL(", "ALLSELECTED(")
    )


def test_a_filter_fixed_in_a_measure_keeps_the_users_selection():
    """With Male selected, Female Share must be 0, not females / males: a
    plain filter inside CALCULATE would replace the slicer's selection."""
    filters = [f for spec in MEASURES for f in calculate_filters(spec.dax)]
    assert filters and all(keeps_the_selection(f) for f in filters), filters
    # The old definition, which this check exists to catch:
    old = (
        'DIVIDE(CALCULATE([Total Customers], customer_segments[gender] = "Female"),'
        " [Total Customers])"
    )
    assert not all(keeps_the_selection(f) for f in calculate_filters(old))


def test_every_measure_mirrors_a_sql_column(docs_target):
    """One definition per metric: each measure names the mart column that
    computes the same number in SQL, and every headline metric of
    segment_overview has exactly one measure."""
    nodes = docs_target["manifest"]["nodes"]
    for spec in MEASURES:
        table, column = spec.mirrors
        assert column in nodes[f"model.customer_segmentation.{table}"]["columns"]
    overview = nodes["model.customer_segmentation.segment_overview"]["columns"]
    mirrored = [c for t, c in (m.mirrors for m in MEASURES) if t == "segment_overview"]
    assert sorted(mirrored) == sorted(overview)


# -- the report ----------------------------------------------------------------


def fields_of(node) -> list[tuple[str, str, str]]:
    """Every (kind, table, name) a query part refers to."""
    found = []
    if isinstance(node, dict):
        for kind in ("Column", "Measure"):
            if kind in node and "SourceRef" in node[kind].get("Expression", {}):
                inner = node[kind]
                found.append(
                    (
                        kind,
                        inner["Expression"]["SourceRef"]["Entity"],
                        inner["Property"],
                    )
                )
        for value in node.values():
            found += fields_of(value)
    elif isinstance(node, list):
        for value in node:
            found += fields_of(value)
    return found


def report_pages(mode) -> list[tuple[dict, list[dict]]]:
    pages_dir = report_dir(mode) / "definition" / "pages"
    order = load_json(pages_dir / "pages.json")["pageOrder"]
    assert sorted(order) == sorted(p.name for p in pages_dir.iterdir() if p.is_dir())
    return [
        (
            load_json(pages_dir / name / "page.json"),
            [load_json(v) for v in sorted((pages_dir / name).glob("visuals/*/*.json"))],
        )
        for name in order
    ]


def reached_tables(start: str, links: list[dict]) -> set[str]:
    """Tables a filter on `start` reaches: from the one side of a relationship
    to its many side, and back as well only where it filters both ways."""
    edges = defaultdict(set)
    for link in links:
        edges[link["toTable"]].add(link["fromTable"])
        if link.get("crossFilteringBehavior") == "bothDirections":
            edges[link["fromTable"]].add(link["toTable"])
    reached, todo = {start}, [start]
    while todo:
        for table in edges[todo.pop()] - reached:
            reached.add(table)
            todo.append(table)
    return reached


def value_tables(visual: dict, dimension_tables: set[str]) -> set[str]:
    """The tables holding what a visual shows: its measures' table and any
    column outside the dimensions (grouping by a dimension is fine: a row
    with nothing left under the filter is not drawn)."""
    return {
        table
        for kind, table, _ in fields_of(visual["visual"].get("query", {}))
        if kind == "Measure" or table not in dimension_tables
    }


def unreached(pages, links: list[dict]) -> list[str]:
    dimension_tables = {d.table for d in DIMENSIONS}
    problems = []
    for page, visuals in pages:
        slicers = [v for v in visuals if v["visual"]["visualType"] == "slicer"]
        for slicer in slicers:
            [(_, table, name)] = set(fields_of(slicer["visual"]["query"]))
            reach = reached_tables(table, links)
            for visual in visuals:
                if visual in slicers:
                    continue
                missed = value_tables(visual, dimension_tables) - reach
                if missed:
                    problems.append(
                        f"{page['name']}: {table}.{name} misses {visual['name']} "
                        f"({sorted(missed)})"
                    )
    return problems


def reads_sliceable_data(visuals: list[dict], links: list[dict]) -> bool:
    """True when a visual reads a table a dimension filters, through a column
    or through a measure's DAX (a measure lives on the fact table whatever it
    reads; the lifetime-value model page reads whole-population tables)."""
    related = {link["fromTable"] for link in links} | {d.table for d in DIMENSIONS}
    measure_tables = {m.name: set(re.findall(r"(\w+)\[", m.dax)) for m in MEASURES}
    return any(
        (measure_tables[name] if kind == "Measure" else {table}) & related
        for visual in visuals
        for kind, table, name in fields_of(visual["visual"].get("query", {}))
    )


def test_every_slicer_filters_every_visual_on_its_page():
    for mode in MODES:
        links = relationships(mode)
        assert all(link["crossFilteringBehavior"] == "oneDirection" for link in links)
        pages = report_pages(mode)
        for page, visuals in pages:
            has_slicer = any(v["visual"]["visualType"] == "slicer" for v in visuals)
            assert has_slicer == reads_sliceable_data(visuals, links), page["name"]
        assert unreached(pages, links) == []
    # The check would have caught the old model, where the age chart read
    # age_groups and gender sliced customer_segments:
    old_links = [
        {"fromTable": t, "toTable": "cluster_summary"}
        for t in ("customer_segments", "gender_dist", "age_groups")
    ]
    old_page = {"name": "ageGroups"}
    old_visuals = [
        {"name": "slicer", "visual": {"visualType": "slicer", "query": {
            "Values": {"Column": {"Expression": {"SourceRef": {
                "Entity": "customer_segments"}}, "Property": "gender"}}}}},
        {"name": "chart", "visual": {"visualType": "clusteredColumnChart", "query": {
            "Y": {"Column": {"Expression": {"SourceRef": {
                "Entity": "age_groups"}}, "Property": "customers"}}}}},
    ]  # fmt: skip
    assert unreached([(old_page, old_visuals)], old_links)


def test_pages_and_visuals_are_finished():
    known = {}
    for name, table in parsed_tables(IMPORT).items():
        known |= {("Column", name, c["name"]): c for c in table["columns"]}
        known |= {("Measure", name, m["name"]): m for m in table.get("measures", [])}
    pages = report_pages(IMPORT)
    assert [page["displayName"] for page, _ in pages] == [
        "Segment overview",
        "Spending patterns",
        "Gender distribution",
        "Age groups",
        "Income vs spending",
        "Segment drill-down",
        "RFM segments",
        "Lifetime value",
        "Lifetime value model",
        "Customer list",
    ]
    sync_groups = defaultdict(set)
    for page, visuals in pages:
        for visual in visuals:
            body = visual["visual"]
            position = visual["position"]
            assert position["x"] + position["width"] <= page["width"]
            assert position["y"] + position["height"] <= page["height"]
            if body["visualType"] == "actionButton":
                continue  # a button shows no data (see the drill-through test)
            used = fields_of(body["query"])
            assert used and set(used) <= known.keys(), (visual["name"], used)
            [title] = body["visualContainerObjects"]["title"]
            assert "_" not in title["properties"]["text"]["expr"]["Literal"]["Value"]
            for role, state in body["query"]["queryState"].items():
                for projection in state["projections"]:
                    if "Column" in projection["field"]:
                        name = projection["field"]["Column"]["Property"]
                        assert projection["displayName"] == DISPLAY_NAMES[name]
                        # values are measures, never a bare or implicit column
                        if body["visualType"] not in {"tableEx", "slicer"}:
                            assert role not in VALUE_ROLES, (visual["name"], role)
                    else:
                        assert "Measure" in projection["field"], projection
            if body["visualType"] == "slicer":
                assert body["objects"]["data"][0]["properties"]["mode"] == {
                    "expr": {"Literal": {"Value": "'Dropdown'"}}
                }
                [(_, table, _)] = set(used)
                sync_groups[table].add(body["syncGroup"]["groupName"])
            if body["visualType"] not in {"card", "scatterChart"}:
                assert body["query"]["sortDefinition"]["sort"], visual["name"]
    # one sync group per dimension, shared by every page
    assert {t: len(g) for t, g in sync_groups.items()} == {
        d.table: 1 for d in DIMENSIONS
    }


def visuals_by_name(mode=IMPORT) -> dict[str, dict]:
    return {v["name"]: v for _, visuals in report_pages(mode) for v in visuals}


def test_drill_down_and_drill_through():
    visuals = visuals_by_name()
    spending = visuals["spendingBySegment"]["visual"]["query"]["queryState"]
    assert [p["queryRef"] for p in spending["Category"]["projections"]] == [
        "dim_segment.segment_name",
        "dim_age_band.age_band",
    ]
    matrix = visuals["segmentDrillDown"]["visual"]
    assert matrix["visualType"] == "pivotTable"
    rows = matrix["query"]["queryState"]["Rows"]["projections"]
    assert [p["queryRef"] for p in rows] == [
        "dim_segment.segment_name",
        "dim_age_band.age_band",
        "dim_gender.gender",
    ]  # fmt: skip

    pages = {page["name"]: page for page, _ in report_pages(IMPORT)}
    target = pages["customerList"]
    assert target["type"] == "Drillthrough"
    assert target["visibility"] == "HiddenInViewMode"
    bound = {
        p["fieldExpr"]["Column"]["Expression"]["SourceRef"]["Entity"]
        for p in target["pageBinding"]["parameters"]
    }
    assert target["pageBinding"]["type"] == "Drillthrough"
    # offered only from visuals carrying every bound field: the segment alone
    assert bound == {SEGMENT.table}
    segment_label = ("Column", SEGMENT.table, SEGMENT.label)
    showing_a_segment = [
        name
        for name, visual in visuals.items()
        if segment_label in fields_of(visual["visual"].get("query", {}))
        and visual["visual"]["visualType"] != "slicer"
    ]
    assert len(showing_a_segment) >= 6, showing_a_segment
    # the back button Desktop adds to a drill-through target
    [back] = [
        v
        for v in report_pages(IMPORT)[-1][1]
        if v["visual"]["visualType"] == "actionButton"
    ]
    link = back["visual"]["visualContainerObjects"]["visualLink"][0]["properties"]
    assert link["type"] == {"expr": {"Literal": {"Value": "'Back'"}}}
    filters = {f["name"] for f in target["filterConfig"]["filters"]}
    assert {p["boundFilter"] for p in target["pageBinding"]["parameters"]} == filters
    listed = {name for _, _, name in fields_of(visuals["customerList"]["visual"])}
    assert {"customer_id", "is_outlier", "annual_income_k", "spending_score"} <= listed


def test_the_segment_table_shows_the_description_from_sql(demo_run):
    table = visuals_by_name()["segmentDescriptions"]
    assert ("Column", "dim_segment", "segment_description") in fields_of(table)
    differ = demo_run.query(
        "select count(*) from dim_segment join cluster_summary using (cluster_id)"
        " where dim_segment.segment_description"
        " is distinct from cluster_summary.segment_description"
        " or cluster_summary.segment_description = ''"
    )
    assert differ == [(0,)]


def test_every_report_shares_one_definition():
    imported, *live = (
        {
            str(p.relative_to(report_dir(mode) / "definition")): p.read_bytes()
            for p in (report_dir(mode) / "definition").rglob("*")
            if p.is_file()
        }
        for mode in MODES
    )
    assert len(live) == 2
    assert all(definition == imported for definition in live)
    for mode in MODES:
        pbip = load_json(POWERBI / f"{mode.project}.pbip")
        assert (POWERBI / pbip["artifacts"][0]["report"]["path"]) == report_dir(mode)
        pbir = load_json(report_dir(mode) / "definition.pbir")
        target = report_dir(mode) / pbir["datasetReference"]["byPath"]["path"]
        assert target.resolve() == model_dir(mode).parent


def test_the_rfm_grid_is_a_heat_map_of_a_model_measure():
    """The R x F matrix colours its cells by a measure of the model; a rule on
    a name the model lacks would leave the cells plain in Power BI."""
    pages = {page["name"]: visuals for page, visuals in report_pages(IMPORT)}
    [grid] = [v for v in pages["rfmSegments"] if v["name"] == "rfmGrid"]
    [rule] = grid["visual"]["objects"]["values"]
    fill = rule["properties"]["backColor"]["solid"]["color"]["expr"]["FillRule"]
    measure = fill["Input"]["Measure"]
    assert measure["Property"] in {m.name for m in MEASURES}
    assert measure["Expression"]["SourceRef"]["Entity"] == FACT
    assert rule["selector"]["metadata"] == f"{FACT}.{measure['Property']}"
    assert set(fill["FillRule"]["linearGradient2"]) >= {"min", "max"}


def test_dates_shares_and_the_rfm_page_read_as_an_analyst_expects(docs_target):
    """ISO date formats and no automatic date tables; every share as %; the
    R x F grid with recency 5 on top; no (Blank) in the RFM slicer."""
    nodes = docs_target["manifest"]["nodes"]
    for mode in MODES:
        assert "\tannotation __PBI_TimeIntelligenceEnabled = 0" in (
            (model_dir(mode) / "model.tmdl").read_text().splitlines()
        )
        for name, table in parsed_tables(mode).items():
            contract = nodes.get(f"model.customer_segmentation.{name}", {})
            for column in table["columns"]:
                kind = contract.get("columns", {}).get(column["name"], {})
                if kind.get("data_type") in ("date", "timestamp"):
                    assert column["formatString"].startswith("yyyy-mm-dd"), column
                if "share" in column["name"].split("_"):
                    assert column["formatString"].endswith("%"), column
    visuals = visuals_by_name()
    [sort] = visuals["rfmGrid"]["visual"]["query"]["sortDefinition"]["sort"]
    assert sort["direction"] == "Descending"
    [kept] = visuals["slicerRfmSegment"]["filterConfig"]["filters"]
    condition = kept["filter"]["Where"][0]["Condition"]["Not"]["Expression"]["In"]
    assert condition["Values"] == [[{"Literal": {"Value": "null"}}]]


# Visuals that fetch rows in windows as the user scrolls (never all at once).
WINDOWED = {"tableEx", "pivotTable"}


def test_no_visual_asks_directquery_for_every_customer():
    """A visual with one point per customer would ask DuckDB for all of them,
    past DirectQuery's row limit on a large file; only tables and matrices,
    which page through rows, list customers."""
    for name, visual in visuals_by_name(DIRECT_QUERY).items():
        fields = fields_of(visual["visual"].get("query", {}))
        if ("Column", FACT, "customer_id") in fields:
            assert visual["visual"]["visualType"] in WINDOWED, name
    scatter = visuals_by_name(DIRECT_QUERY)["incomeVsSpending"]["visual"]
    assert {table for _, table, _ in fields_of(scatter["query"])} <= {
        FACT,
        "dim_segment",
        "dim_age_band",
    }


def test_the_age_band_description_says_what_the_sql_writes(demo_run):
    """A missing age gives the band Unknown (as the SQL writes), not empty."""
    lines = (model_dir(IMPORT) / "tables" / f"{FACT}.tmdl").read_text().splitlines()
    at = lines.index("\tcolumn age_band")
    above = []
    for line in reversed(lines[:at]):
        if not line.startswith("\t///"):
            break
        above.append(line)
    description = " ".join(reversed(above))
    assert "`Unknown` where the age is" in description
    assert "Empty where" not in description
    assert demo_run.query(
        "select count(*) from customer_segments where age_band is null"
    ) == [(0,)]


# The most rows of customers a visual may ask DirectQuery for: one page.
PAGE_OF_CUSTOMERS = 1_000


def top_n_filters(visual: dict) -> list[dict]:
    return [
        f
        for f in visual.get("filterConfig", {}).get("filters", [])
        if f["type"] == "TopN"
    ]


def test_every_visual_of_customers_asks_for_a_page_of_them_at_most():
    """Issue 36: the Lifetime value page's customer table, the drill-through
    customer list and the drill-down's customer level could ask DirectQuery
    for a whole segment (it fails past a million rows). Every visual that
    shows customer_id is cut by a Top N filter on it, ranked by a model
    measure or a column's total, at a page of customers."""
    for mode in MODES:
        listing = {
            name: visual
            for name, visual in visuals_by_name(mode).items()
            if ("Column", FACT, "customer_id")
            in fields_of(visual["visual"].get("query", {}))
        }
        assert {"topCustomersByValue", "customerList"} <= set(listing), mode.project
        for name, visual in listing.items():
            (top,) = top_n_filters(visual)
            assert top["field"]["Column"]["Property"] == "customer_id", name
            ranked = top["filter"]["From"][0]["Expression"]["Subquery"]["Query"]
            assert 0 < ranked["Top"] <= PAGE_OF_CUSTOMERS, name
            (order,) = ranked["OrderBy"]
            assert (
                "Measure" in order["Expression"] or "Aggregation" in order["Expression"]
            )
            (condition,) = top["filter"]["Where"]
            assert (
                condition["Condition"]["In"]["Table"]["SourceRef"]["Source"]
                == (top["filter"]["From"][0]["Name"])
            )
