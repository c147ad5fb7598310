import resource
import shutil
from pathlib import Path

import duckdb
import pytest
from pipeline_runs import snapshot

import customer_segmentation.publish as publish_module
from customer_segmentation.publish import (
    MARKER_FILE,
    PUBLISHED_MODELS,
    PublishError,
    check_publish_folder,
    publish,
    remove_leftovers,
)
from customer_segmentation.sql_text import sql_literal


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
        [f"{m}.parquet" for m in PUBLISHED_MODELS] + ["segments.duckdb", MARKER_FILE]
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


@pytest.mark.parametrize(
    "contents",
    [{"report.docx": b"q"}, {"sub/notes.txt": b"n"}, {"segments.duckdb": b"x"}],
)
def test_a_folder_with_files_the_product_did_not_publish_is_refused(tmp_path, contents):
    folder = tmp_path / "reports"
    for name, data in contents.items():
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_bytes(data)
    before = snapshot(folder)

    with pytest.raises(PublishError, match="holds files this product did not"):
        check_publish_folder(folder)

    assert snapshot(folder) == before


def test_a_publish_folder_path_that_is_a_file_is_refused(tmp_path):
    path = tmp_path / "report.docx"
    path.write_bytes(b"q")
    with pytest.raises(PublishError, match="is a file, not a folder"):
        check_publish_folder(path)
    assert path.read_bytes() == b"q"


def test_absent_empty_and_own_folders_are_accepted(tmp_path):
    check_publish_folder(tmp_path / "new" / "publish")
    (tmp_path / "empty").mkdir()
    check_publish_folder(tmp_path / "empty")
    out = publish(make_warehouse(tmp_path / "w.duckdb"), tmp_path / "own")
    check_publish_folder(out)


def test_a_folder_published_before_the_marker_existed_is_recognised(tmp_path):
    out = publish(make_warehouse(tmp_path / "w.duckdb"), tmp_path / "old")
    (out / MARKER_FILE).unlink()
    check_publish_folder(out)
    (out / "notes.txt").write_text("mine")
    with pytest.raises(PublishError):
        check_publish_folder(out)


def test_a_marker_with_other_text_is_not_ours(tmp_path):
    folder = tmp_path / "reports"
    folder.mkdir()
    (folder / MARKER_FILE).write_text("somebody else's file")
    (folder / "report.docx").write_bytes(b"q")
    with pytest.raises(PublishError):
        check_publish_folder(folder)


def test_only_marked_work_folders_of_killed_runs_are_removed(tmp_path):
    out = publish(make_warehouse(tmp_path / "w.duckdb"), tmp_path / "publish")
    ours = tmp_path / ".publish.new-0123"
    shutil.copytree(out, ours)
    unmarked = tmp_path / ".publish.new-4567"
    unmarked.mkdir()
    (unmarked / "keep.txt").write_text("not ours")
    other = tmp_path / ".other.new-89ab"
    shutil.copytree(out, other)

    assert remove_leftovers(out) == [ours]

    assert not ours.exists()
    assert (unmarked / "keep.txt").read_text() == "not ours"
    assert other.is_dir()


@pytest.fixture
def file_size_limit():
    """Set a file size limit for this process, as a full disk would stop writes.

    Python ignores SIGXFSZ, so a write past the limit fails with EFBIG
    (File too large), through the same error paths as ENOSPC.
    """
    soft, hard = resource.getrlimit(resource.RLIMIT_FSIZE)

    def limit(size: int) -> None:
        resource.setrlimit(resource.RLIMIT_FSIZE, (size, hard))

    yield limit
    resource.setrlimit(resource.RLIMIT_FSIZE, (soft, hard))


def test_a_full_disk_while_writing_the_serving_file_is_one_clear_error(
    tmp_path, file_size_limit
):
    publish(make_warehouse(tmp_path / "good.duckdb"), tmp_path / "publish")
    before = snapshot(tmp_path / "publish")
    warehouse = make_warehouse(tmp_path / "next.duckdb")

    file_size_limit(64 * 1024)
    with pytest.raises(PublishError, match="could not write the new published files"):
        publish(warehouse, tmp_path / "publish")

    assert snapshot(tmp_path / "publish") == before
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".publish")]


def test_a_full_disk_while_writing_the_dashboard_is_one_clear_error(
    tmp_path, file_size_limit
):
    publish(make_warehouse(tmp_path / "good.duckdb"), tmp_path / "publish")
    before = snapshot(tmp_path / "publish")

    def dashboard(folder: Path) -> None:
        file_size_limit(1024)
        (folder / "dashboard.html").write_text("<html>" + "x" * 10_000)

    with pytest.raises(PublishError, match="File too large"):
        publish(
            make_warehouse(tmp_path / "next.duckdb"), tmp_path / "publish", dashboard
        )

    assert snapshot(tmp_path / "publish") == before
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".publish")]


def test_a_users_file_added_to_a_published_folder_makes_it_not_ours(tmp_path):
    out = publish(make_warehouse(tmp_path / "w.duckdb"), tmp_path / "publish")
    (out / "charts").mkdir()
    (out / "charts" / "income.png").write_bytes(b"png")
    check_publish_folder(out)
    (out / "charts" / "my_slides.pptx").write_bytes(b"mine")

    with pytest.raises(PublishError, match=r"charts/my_slides\.pptx"):
        check_publish_folder(out)


def test_a_folder_published_by_an_earlier_version_is_still_ours(tmp_path):
    out = publish(make_warehouse(tmp_path / "w.duckdb"), tmp_path / "publish")
    (out / "customer_scores.parquet").write_bytes(b"published before 2026-11-28")
    check_publish_folder(out)


def test_a_file_put_into_the_folder_during_a_run_stops_the_swap(tmp_path):
    out = publish(make_warehouse(tmp_path / "good.duckdb"), tmp_path / "publish")

    def user_saves_a_file_meanwhile(new_folder: Path) -> None:
        (out / "notes.txt").write_text("saved while the run was building")

    before = snapshot(out)
    with pytest.raises(PublishError, match=r"notes\.txt"):
        publish(
            make_warehouse(tmp_path / "next.duckdb"),
            out,
            user_saves_a_file_meanwhile,
        )

    assert (out / "notes.txt").read_text() == "saved while the run was building"
    assert {k: v for k, v in snapshot(out).items() if k != "notes.txt"} == before
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".publish")]
