from pathlib import Path

import duckdb
import pytest

import customer_segmentation.publish as publish_module
from customer_segmentation.publish import (
    PUBLISHED_MODELS,
    PublishError,
    publish,
    sql_literal,
)


def make_warehouse(path: Path, models=PUBLISHED_MODELS) -> Path:
    with duckdb.connect(str(path)) as con:
        for model in models:
            con.execute(
                f"create table {model} as select '1' as customer_id, 'x' as label"
            )
    return path


def test_publish_writes_parquet_and_a_serving_table_per_model(tmp_path):
    warehouse = make_warehouse(tmp_path / "warehouse.duckdb")
    out = publish(warehouse, tmp_path / "publish")
    assert sorted(p.name for p in out.iterdir()) == sorted(
        [f"{m}.parquet" for m in PUBLISHED_MODELS] + ["segments.duckdb"]
    )


def test_a_failed_publish_leaves_the_previous_set_byte_identical(tmp_path):
    publish(make_warehouse(tmp_path / "good.duckdb"), tmp_path / "publish")
    before = {p.name: p.read_bytes() for p in (tmp_path / "publish").iterdir()}
    incomplete = make_warehouse(tmp_path / "bad.duckdb", PUBLISHED_MODELS[:3])

    with pytest.raises(duckdb.CatalogException):
        publish(incomplete, tmp_path / "publish")

    after = {p.name: p.read_bytes() for p in (tmp_path / "publish").iterdir()}
    assert after == before
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "bad.duckdb",
        "good.duckdb",
        "publish",
    ]


def test_paths_with_quotes_stay_paths(tmp_path):
    folder = tmp_path / "it's; drop table x; --"
    folder.mkdir()
    warehouse = make_warehouse(folder / "warehouse.duckdb")
    out = publish(warehouse, folder / "publish")
    assert (out / "segments.duckdb").is_file()
    assert sql_literal("a'b") == "'a''b'"


def test_a_refused_swap_says_why_and_keeps_the_previous_set(tmp_path, monkeypatch):
    publish(make_warehouse(tmp_path / "good.duckdb"), tmp_path / "publish")
    before = {p.name: p.read_bytes() for p in (tmp_path / "publish").iterdir()}

    def refuse(first, second):
        # What Windows answers when a reader holds a file in the folder.
        raise PermissionError(13, "Permission denied", str(second))

    monkeypatch.setattr(publish_module, "exchange", refuse)
    with pytest.raises(PublishError, match="probably open in Power BI"):
        publish(make_warehouse(tmp_path / "next.duckdb"), tmp_path / "publish")

    after = {p.name: p.read_bytes() for p in (tmp_path / "publish").iterdir()}
    assert after == before
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".publish")]
