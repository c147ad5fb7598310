"""The dbt exposures say what each dashboard really reads."""

from __future__ import annotations

import json
import re
from pathlib import Path

import duckdb
import pytest
from pipeline_runs import REPO, PipelineRun

from customer_segmentation.dashboard.data import load_data
from customer_segmentation.engines.sql_text import sql_literal


def exposure_tables(run: PipelineRun, name: str) -> set[str]:
    manifest = json.loads((run.target_dir / "manifest.json").read_text())
    exposure = manifest["exposures"][f"exposure.customer_segmentation.{name}"]
    return {node.rsplit(".", 1)[1] for node in exposure["depends_on"]["nodes"]}


def serving_copy(run: PipelineRun, tables: set[str], path: Path) -> Path:
    """A serving database holding only ``tables`` of the run's."""
    with duckdb.connect(str(path)) as con:
        con.execute(f"attach {sql_literal(str(run.serving))} as published (read_only)")
        for table in sorted(tables):
            con.execute(f"create table {table} as from published.main.{table}")
    return path


def test_the_html_exposure_lists_exactly_what_the_page_reads(demo_run, tmp_path):
    listed = exposure_tables(demo_run, "html_dashboard")

    load_data(serving_copy(demo_run, listed, tmp_path / "listed.duckdb"))
    for table in sorted(listed):
        without = serving_copy(demo_run, listed - {table}, tmp_path / f"{table}.duckdb")
        with pytest.raises(duckdb.CatalogException, match=table):
            load_data(without)


@pytest.mark.parametrize("project", ["CustomerSegments", "CustomerSegmentsDirectQuery"])
def test_the_power_bi_exposure_lists_every_table_its_models_load(demo_run, project):
    model = REPO / "powerbi" / f"{project}.SemanticModel" / "definition" / "model.tmdl"
    loaded = set(re.findall(r"^ref table (\w+)$", model.read_text(), re.MULTILINE))

    assert exposure_tables(demo_run, "power_bi_segments_report") == loaded
