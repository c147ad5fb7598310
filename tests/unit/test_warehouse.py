"""Which DuckDB files a run may write into (issue 22, case 3)."""

from pathlib import Path

import duckdb
import pytest

from customer_segmentation.publishing.warehouse import (
    WarehouseError,
    check_warehouse,
    mark_warehouse,
)

REPO = Path(__file__).resolve().parents[2]


def database(path: Path, *statements: str) -> Path:
    with duckdb.connect(str(path)) as con:
        for statement in statements:
            con.execute(statement)
    return path


RUN_CONTEXT = (
    "create schema run_input",
    "create table run_input.run_context as select 'fit' as model_mode",
)


def test_a_new_file_and_a_marked_warehouse_are_accepted(tmp_path):
    check_warehouse(tmp_path / "new.duckdb", REPO)
    marked = tmp_path / "marked.duckdb"
    with duckdb.connect(str(marked)) as con:
        mark_warehouse(con)
        con.execute("create table anything as select 1 as x")
    check_warehouse(marked, REPO)


def test_a_warehouse_from_before_the_mark_is_recognised_by_its_content(tmp_path):
    earlier = database(
        tmp_path / "earlier.duckdb",
        *RUN_CONTEXT,
        "create schema last_publish",
        "create table last_publish.segment_runs as select 1 as run_id",
        "create table customer_segments as select 1 as customer_id",
        "create view stg_customer_file__customers as select 1 as customer_id",
        "create table age_bands as select 1 as band",
        "create table int_segment_model__dbt_tmp as select 1 as x",
    )
    check_warehouse(earlier, REPO)


@pytest.mark.parametrize(
    "statements",
    [
        ("create table customer_segments as select 42 as revenue",),
        ("create table age_bands as select 1 as band",),
        (*RUN_CONTEXT, "create table budget as select 1 as line"),
        (
            *RUN_CONTEXT,
            "create schema finance",
            "create table finance.plan as select 1",
        ),
        (
            "create schema run_input",
            "create table run_input.warehouse_owner as select 'mine' as owner",
        ),
    ],
    ids=["published name", "seed name", "extra table", "extra schema", "other mark"],
)
def test_a_users_database_is_refused_and_left_as_it_was(tmp_path, statements):
    path = database(tmp_path / "mine.duckdb", *statements)
    before = path.read_bytes()
    with pytest.raises(WarehouseError, match="not a warehouse this product created"):
        check_warehouse(path, REPO)
    assert path.read_bytes() == before


def test_a_folder_or_another_kind_of_file_is_refused(tmp_path):
    with pytest.raises(WarehouseError, match="not a plain file"):
        check_warehouse(tmp_path, REPO)
    text = tmp_path / "notes.duckdb"
    text.write_text("these are notes, not a database")
    with pytest.raises(WarehouseError, match="not a DuckDB file"):
        check_warehouse(text, REPO)
