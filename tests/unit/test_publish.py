import resource
import shutil
from pathlib import Path

import duckdb
import pytest
from pipeline_runs import snapshot

import customer_segmentation.publishing.publish as publish_module
from customer_segmentation.engines.sql_text import sql_literal
from customer_segmentation.publishing import legacy_publish
from customer_segmentation.publishing.publish import TableDocs, publish
from customer_segmentation.publishing.publish_folder import (
    MANIFEST_FILE,
    PublishError,
    check_publish_folder,
    move_aside,
    protected_reason,
    remove_leftovers,
    write_plan,
)

# The tables the last marker-era version published: any set of names will do.
MODELS = {
    name: TableDocs(f"The {name} table.", {"label": "A label.", "customer_id": ""})
    for name in sorted(legacy_publish.VERSIONS[-1][0])
}


def make_warehouse(path: Path, models=MODELS) -> Path:
    with duckdb.connect(str(path)) as con:
        for model in models:
            con.execute(
                f"create table {model} as select '1' as customer_id, 'x' as label"
            )
    return path


def test_publish_writes_parquet_and_a_serving_table_per_model(tmp_path):
    warehouse = make_warehouse(tmp_path / "warehouse.duckdb")
    out = publish(warehouse, tmp_path / "publish", MODELS)
    assert sorted(p.name for p in out.iterdir()) == sorted(
        [f"{m}.parquet" for m in MODELS] + ["segments.duckdb", MANIFEST_FILE]
    )
    # the descriptions given (dbt's, from its manifest) become the comments
    with duckdb.connect(str(out / "segments.duckdb"), read_only=True) as con:
        tables = con.sql("select table_name, comment from duckdb_tables()").fetchall()
        columns = con.sql(
            "select column_name, comment from duckdb_columns()"
            " where table_name = $name",
            params={"name": next(iter(MODELS))},
        ).fetchall()
    assert sorted(tables) == [(m, f"The {m} table.") for m in MODELS]
    assert sorted(columns) == [("customer_id", None), ("label", "A label.")]


def test_a_failed_publish_leaves_the_previous_set_byte_identical(tmp_path):
    publish(make_warehouse(tmp_path / "good.duckdb"), tmp_path / "publish", MODELS)
    before = {p.name: p.read_bytes() for p in (tmp_path / "publish").iterdir()}
    incomplete = make_warehouse(tmp_path / "bad.duckdb", list(MODELS)[:3])

    with pytest.raises(duckdb.CatalogException):
        publish(incomplete, tmp_path / "publish", MODELS)

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
    out = publish(warehouse, folder / "publish", MODELS)
    assert (out / "segments.duckdb").is_file()
    assert sql_literal("a'b") == "'a''b'"


def test_a_refused_swap_says_why_and_keeps_the_previous_set(tmp_path, monkeypatch):
    publish(make_warehouse(tmp_path / "good.duckdb"), tmp_path / "publish", MODELS)
    before = {p.name: p.read_bytes() for p in (tmp_path / "publish").iterdir()}

    def refuse(first, second):
        # What Windows answers when a reader holds a file in the folder.
        raise PermissionError(13, "Permission denied", str(second))

    monkeypatch.setattr(publish_module, "exchange", refuse)
    with pytest.raises(PublishError, match="probably open in Power BI"):
        publish(make_warehouse(tmp_path / "next.duckdb"), tmp_path / "publish", MODELS)

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
    out = publish(make_warehouse(tmp_path / "w.duckdb"), tmp_path / "own", MODELS)
    check_publish_folder(out)


def test_a_folder_without_a_manifest_is_not_ours_whatever_its_names(tmp_path):
    # A user's folder with the names every early publish held (issue 22, #4).
    folder = tmp_path / "mine"
    folder.mkdir()
    for name in (
        "segments.duckdb",
        "customer_segments.parquet",
        "cluster_summary.parquet",
    ):
        (folder / name).write_bytes(b"my own " + name.encode())
    before = snapshot(folder)

    for refit in (False, True):
        with pytest.raises(PublishError, match="has no manifest"):
            check_publish_folder(folder, refit=refit)

    assert snapshot(folder) == before


def test_a_manifest_of_somebody_else_is_not_ours(tmp_path):
    folder = tmp_path / "reports"
    folder.mkdir()
    (folder / MANIFEST_FILE).write_text('{"written_by": "another tool", "files": {}}')
    (folder / "report.docx").write_bytes(b"q")
    with pytest.raises(PublishError, match=r"report\.docx"):
        check_publish_folder(folder)


def test_a_copied_manifest_does_not_make_a_users_files_ours(tmp_path):
    # issue 22, #5: the manifest lists names, sizes and hashes, not just names
    out = publish(make_warehouse(tmp_path / "w.duckdb"), tmp_path / "publish", MODELS)
    folder = tmp_path / "mine"
    folder.mkdir()
    shutil.copy(out / MANIFEST_FILE, folder / MANIFEST_FILE)
    (folder / "segments.duckdb").write_bytes(b"my own database")
    (folder / "dashboard.html").write_text("<html>my board pack</html>")
    before = snapshot(folder)

    with pytest.raises(PublishError, match=r"dashboard\.html, segments\.duckdb"):
        check_publish_folder(folder)

    assert snapshot(folder) == before


def test_a_changed_published_file_is_named_and_a_missing_one_is_not(tmp_path):
    out = publish(make_warehouse(tmp_path / "w.duckdb"), tmp_path / "publish", MODELS)
    (out / "gender_dist.parquet").unlink()
    check_publish_folder(out)  # nothing of anybody's is lost by replacing it

    (out / "cluster_summary.parquet").write_bytes(b"edited by hand")
    with pytest.raises(PublishError, match=r"changed since it did \(cluster_summary"):
        check_publish_folder(out)


def test_only_complete_work_folders_of_killed_runs_are_removed(tmp_path):
    out = publish(make_warehouse(tmp_path / "w.duckdb"), tmp_path / "publish", MODELS)
    ours = tmp_path / ".publish.new-0123"
    shutil.copytree(out, ours)
    # killed before its manifest was written: nothing vouches for its files
    unfinished = tmp_path / ".publish.new-4567"
    unfinished.mkdir()
    (unfinished / "keep.txt").write_text("not ours")
    changed = tmp_path / ".publish.old-89ab"
    shutil.copytree(out, changed)
    (changed / "notes.txt").write_text("mine")
    other = tmp_path / ".other.new-cdef"
    shutil.copytree(out, other)

    assert remove_leftovers(out) == [
        f"Removed {ours}, left by an interrupted run",
        f"Left {unfinished}: a work folder this run cannot show is all its own; "
        "delete it when no run is writing",
        f"Left {changed}: a work folder this run cannot show is all its own; "
        "delete it when no run is writing",
    ]

    assert not ours.exists()
    assert (unfinished / "keep.txt").read_text() == "not ours"
    assert (changed / "notes.txt").read_text() == "mine"
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
    publish(make_warehouse(tmp_path / "good.duckdb"), tmp_path / "publish", MODELS)
    before = snapshot(tmp_path / "publish")
    warehouse = make_warehouse(tmp_path / "next.duckdb")

    file_size_limit(64 * 1024)
    with pytest.raises(PublishError, match="could not write the new published files"):
        publish(warehouse, tmp_path / "publish", MODELS)

    assert snapshot(tmp_path / "publish") == before
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".publish")]


def test_a_full_disk_while_writing_the_dashboard_is_one_clear_error(
    tmp_path, file_size_limit
):
    publish(make_warehouse(tmp_path / "good.duckdb"), tmp_path / "publish", MODELS)
    before = snapshot(tmp_path / "publish")

    def dashboard(folder: Path) -> None:
        file_size_limit(1024)
        (folder / "dashboard.html").write_text("<html>" + "x" * 10_000)

    with pytest.raises(PublishError, match="File too large"):
        publish(
            make_warehouse(tmp_path / "next.duckdb"),
            tmp_path / "publish",
            MODELS,
            dashboard,
        )

    assert snapshot(tmp_path / "publish") == before
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".publish")]


def test_a_users_picture_among_the_charts_makes_the_folder_not_ours(tmp_path):
    # issue 22, #1: no name or suffix makes a file ours, only the manifest
    out = publish(make_warehouse(tmp_path / "w.duckdb"), tmp_path / "publish", MODELS)
    check_publish_folder(out)
    (out / "charts").mkdir()
    (out / "charts" / "q3_board_slide.png").write_bytes(b"\x89PNG mine")

    with pytest.raises(PublishError, match=r"charts, charts/q3_board_slide\.png"):
        check_publish_folder(out)


def test_a_refit_moves_aside_what_is_not_ours_byte_for_byte(tmp_path):
    out = publish(make_warehouse(tmp_path / "w.duckdb"), tmp_path / "publish", MODELS)
    (out / "charts").mkdir()
    (out / "charts" / "q3_board_slide.png").write_bytes(b"\x89PNG mine")
    (out / "segment_runs.parquet").write_bytes(b"edited")
    state = check_publish_folder(out, refit=True)

    kept = move_aside(out, state.unowned)

    assert snapshot(kept) == {
        "charts/q3_board_slide.png": b"\x89PNG mine",
        "segment_runs.parquet": b"edited",
    }
    assert not check_publish_folder(out).unowned


def test_a_replaced_folder_keeps_its_permissions(tmp_path):
    out = publish(make_warehouse(tmp_path / "w.duckdb"), tmp_path / "publish", MODELS)
    out.chmod(0o750)
    publish(make_warehouse(tmp_path / "w2.duckdb"), out, MODELS)
    assert out.stat().st_mode & 0o777 == 0o750
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "publish",
        "w.duckdb",
        "w2.duckdb",
    ]


@pytest.mark.parametrize(
    "folder",
    [
        Path("/"),
        Path.home(),
        Path("/usr/local/share/segments"),
        Path("/etc"),
        Path("/work/repo/.git/refs/tags"),
        Path("/work/repo/.git"),
    ],
)
def test_system_home_and_version_control_folders_are_never_publish_folders(folder):
    assert protected_reason(folder.resolve() if folder == Path.home() else folder)
    with pytest.raises(PublishError, match="set SEGMENTS_PUBLISH_DIR"):
        check_publish_folder(folder)


def test_ordinary_folders_are_not_protected(tmp_path):
    assert protected_reason(tmp_path / "publish") is None
    assert protected_reason(Path.home().resolve() / "reports" / "publish") is None
    assert protected_reason(Path("/var/tmp/publish")) is None


def legacy_folder(tmp_path: Path, name: str = "old") -> Path:
    """A folder exactly as the last version before the manifest published it."""
    _, charts = legacy_publish.VERSIONS[-1]
    out = publish(make_warehouse(tmp_path / f"{name}.duckdb"), tmp_path / name, MODELS)
    (out / MANIFEST_FILE).unlink()
    (out / legacy_publish.MARKER_FILE).write_text(legacy_publish.MARKER_TEXT)
    (out / "dashboard.html").write_text(
        "<!doctype html>\n<html><head><title>Customer segments</title></head></html>"
    )
    (out / "charts").mkdir()
    for chart in charts:
        (out / "charts" / f"{chart}.png").write_bytes(legacy_publish.PNG_MAGIC + b"x")
    return out


def test_a_whole_folder_an_earlier_version_published_is_still_ours(tmp_path):
    out = legacy_folder(tmp_path)
    check_publish_folder(out)
    publish(make_warehouse(tmp_path / "next.duckdb"), out, MODELS)
    assert (out / MANIFEST_FILE).is_file()
    assert not (out / legacy_publish.MARKER_FILE).exists()


@pytest.mark.parametrize(
    "change",
    [
        lambda out: (out / "notes.txt").write_text("mine"),
        lambda out: (out / "charts" / "q3_board_slide.png").write_bytes(b"mine"),
        lambda out: (out / "dashboard.html").write_text("<html>my board pack</html>"),
        lambda out: (out / "segments.duckdb").write_bytes(b"my own database"),
        lambda out: (out / "age_groups.parquet").unlink(),
    ],
    ids=["extra file", "extra chart", "other page", "other database", "short"],
)
def test_an_earlier_versions_marker_is_not_enough(tmp_path, change):
    out = legacy_folder(tmp_path)
    change(out)
    before = snapshot(out)
    with pytest.raises(PublishError, match="has no manifest"):
        check_publish_folder(out)
    assert snapshot(out) == before


def test_a_copied_earlier_marker_with_a_users_files_is_refused(tmp_path):
    # issue 22, #5, with the marker of the version before the manifest
    folder = tmp_path / "mine"
    folder.mkdir()
    (folder / legacy_publish.MARKER_FILE).write_text(legacy_publish.MARKER_TEXT)
    (folder / "dashboard.html").write_text("<!doctype html><title>Mine</title>")
    (folder / "segments.duckdb").write_bytes(b"my own database")
    before = snapshot(folder)
    with pytest.raises(PublishError, match="has no manifest"):
        check_publish_folder(folder)
    assert snapshot(folder) == before


def test_a_file_put_into_the_folder_during_a_run_stops_the_swap(tmp_path):
    out = publish(
        make_warehouse(tmp_path / "good.duckdb"), tmp_path / "publish", MODELS
    )

    def user_saves_a_file_meanwhile(new_folder: Path) -> None:
        (out / "notes.txt").write_text("saved while the run was building")

    before = snapshot(out)
    with pytest.raises(PublishError, match=r"notes\.txt"):
        publish(
            make_warehouse(tmp_path / "next.duckdb"),
            out,
            MODELS,
            user_saves_a_file_meanwhile,
        )

    assert (out / "notes.txt").read_text() == "saved while the run was building"
    assert {k: v for k, v in snapshot(out).items() if k != "notes.txt"} == before
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".publish")]


def killed_while_writing(tmp_path: Path) -> tuple[Path, Path]:
    """A publish killed after its first table: the plan written, no manifest."""
    out = publish(make_warehouse(tmp_path / "w.duckdb"), tmp_path / "publish", MODELS)
    work = tmp_path / ".publish.new-feed"
    work.mkdir()
    write_plan(work, [f"{m}.parquet" for m in MODELS] + ["segments.duckdb"])
    first = next(iter(MODELS))
    (work / f"{first}.parquet").write_bytes(b"PAR1 half")
    return out, work


def test_an_unfinished_work_folder_holding_only_planned_files_is_removed(tmp_path):
    # issue 34: unfinished work folders of killed runs were never mentioned
    out, work = killed_while_writing(tmp_path)
    assert remove_leftovers(out) == [
        f"Removed {work}, the unfinished work of an interrupted run"
    ]
    assert not work.exists()


def test_an_unfinished_work_folder_with_a_file_it_did_not_plan_is_left(tmp_path):
    out, work = killed_while_writing(tmp_path)
    (work / "notes.txt").write_text("mine")
    before = snapshot(work)

    (line,) = remove_leftovers(out)

    assert line.startswith(f"Left {work}: an interrupted run's work folder")
    assert snapshot(work) == before


def test_a_previous_set_that_cannot_be_removed_leaves_the_new_set_published(
    tmp_path, monkeypatch
):
    # issue 34: the run said "previously published files are unchanged" and
    # exited 1 while the new set was in place
    out = publish(make_warehouse(tmp_path / "w.duckdb"), tmp_path / "publish", MODELS)
    said = []

    def refuse(folder, manifest):
        raise PermissionError(13, "Permission denied", str(folder))

    monkeypatch.setattr(publish_module, "delete_owned", refuse)
    publish(make_warehouse(tmp_path / "w2.duckdb"), out, MODELS, say=said.append)

    (line,) = said
    assert line.startswith(f"Warning: the new set is published in {out}, but the ")
    assert "Permission denied" in line and "the next run removes" in line
    with duckdb.connect(str(out / "segments.duckdb"), read_only=True) as con:
        assert con.sql("select count(*) from duckdb_tables()").fetchone() == (
            len(MODELS),
        )
    check_publish_folder(out)  # the new set is whole and ours
    monkeypatch.undo()
    (previous,) = [p for p in tmp_path.iterdir() if p.name.startswith(".publish.")]
    assert remove_leftovers(out) == [f"Removed {previous}, left by an interrupted run"]
