"""Issue 34: owned folders are reached through no link, and the dbt target
folder is owned like the publish folder. Each case runs the real command
on a fresh folder and hashes the user's files before and after."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import duckdb
import pytest
from pipeline_runs import REPO

from customer_segmentation import cli
from customer_segmentation.powerbi.project import EditedFiles, generate
from customer_segmentation.publishing import beneath
from customer_segmentation.publishing.publish import TableDocs, publish
from customer_segmentation.publishing.publish_folder import (
    PublishError,
    check_publish_folder,
    move_aside,
)
from customer_segmentation.publishing.target_folder import (
    MANIFEST_FILE,
    TargetError,
    check_target,
    owned_target,
)

MODELS = {"customer_segments": TableDocs("", {}), "cluster_summary": TableDocs("", {})}
PICTURES = {"a.png": b"\x89PNG first", "b.png": b"\x89PNG second"}


def hashes(folder: Path) -> dict[str, str]:
    """Every file below ``folder`` (links not followed) and its SHA-256."""
    return {
        path.relative_to(folder).as_posix(): hashlib.sha256(
            path.read_bytes()
        ).hexdigest()
        for path in sorted(folder.rglob("*"))
        if path.is_file() and not path.is_symlink()
    }


def users_pictures(tmp_path: Path) -> Path:
    folder = tmp_path / "my pictures"
    folder.mkdir()
    for name, data in PICTURES.items():
        (folder / name).write_bytes(data)
    return folder


def published_with_charts(tmp_path: Path) -> Path:
    """A publish folder whose manifest lists charts/a.png and charts/b.png,
    with the very bytes of the user's pictures."""
    warehouse = tmp_path / "w.duckdb"
    with duckdb.connect(str(warehouse)) as con:
        for model in MODELS:
            con.execute(f"create table {model} as select 1 as customer_id")

    def charts(folder: Path) -> None:
        (folder / "charts").mkdir()
        for name, data in PICTURES.items():
            (folder / "charts" / name).write_bytes(data)

    return publish(warehouse, tmp_path / "publish", MODELS, add_extras=charts)


def charts_replaced_by_link(tmp_path: Path) -> tuple[Path, Path]:
    out = published_with_charts(tmp_path)
    pictures = users_pictures(tmp_path)
    for name in PICTURES:
        (out / "charts" / name).unlink()
    (out / "charts").rmdir()
    (out / "charts").symlink_to(pictures, target_is_directory=True)
    return out, pictures


@pytest.fixture
def folders(tmp_path, monkeypatch):
    """The command's folders in tmp_path, whatever the caller's environment."""
    monkeypatch.setenv("SEGMENTS_PUBLISH_DIR", str(tmp_path / "publish"))
    monkeypatch.setenv("DBT_TARGET_PATH", str(tmp_path / "target"))
    for name in ("SEGMENTS_WAREHOUSE", "SEGMENTS_GIVEN_OPTIONS"):
        monkeypatch.delenv(name, raising=False)
    return tmp_path


def test_clean_deletes_nothing_through_a_link_in_the_publish_folder(folders):
    out, pictures = charts_replaced_by_link(folders)
    before = hashes(pictures)

    assert cli.main(["--project-dir", str(REPO), "clean"]) == 0

    assert hashes(pictures) == before
    assert (out / "charts").is_symlink()  # the link is the user's too


def test_a_run_refuses_a_publish_folder_with_a_linked_charts_folder(folders):
    out, pictures = charts_replaced_by_link(folders)
    before = hashes(pictures)

    with pytest.raises(PublishError, match="charts"):
        check_publish_folder(out)
    assert hashes(pictures) == before


def test_a_refit_moves_the_link_aside_never_what_it_leads_to(folders):
    out, pictures = charts_replaced_by_link(folders)
    before = hashes(pictures)
    state = check_publish_folder(out, refit=True)

    kept = move_aside(out, state.unowned)

    assert (kept / "charts").is_symlink()
    assert hashes(pictures) == before


def test_powerbi_writes_nothing_through_a_linked_project_folder(tmp_path):
    target = tmp_path / "target"
    target.mkdir()
    # the smallest dbt artifacts the generator reads: no published model
    (target / "manifest.json").write_text(json.dumps({"nodes": {}}))
    (target / "catalog.json").write_text(json.dumps({"nodes": {}}))
    out = tmp_path / "powerbi"
    generate(target, out)
    listed = next(p for p in out.iterdir() if p.is_dir())
    pictures = users_pictures(tmp_path)
    for path in sorted(listed.rglob("*"), reverse=True):
        path.unlink() if path.is_file() else path.rmdir()
    listed.rmdir()
    listed.symlink_to(pictures, target_is_directory=True)
    before = hashes(pictures)

    with pytest.raises(EditedFiles, match=listed.name):
        generate(target, out)

    assert hashes(pictures) == before
    assert sorted(p.name for p in pictures.iterdir()) == sorted(PICTURES)


def test_beneath_refuses_every_path_through_a_link(tmp_path):
    pictures = users_pictures(tmp_path)
    owned = tmp_path / "owned"
    owned.mkdir()
    (owned / "charts").symlink_to(pictures, target_is_directory=True)
    listed = (len(PICTURES["a.png"]), hashlib.sha256(PICTURES["a.png"]).hexdigest())

    assert beneath.through_link(owned, "charts/a.png")
    assert beneath.file_digest(owned, "charts/a.png") is None
    assert not beneath.unlink_if_unchanged(owned, "charts/a.png", listed)
    assert not beneath.unlink_listed(owned, "charts/a.png")
    with pytest.raises(beneath.ThroughLink):
        beneath.write_file(owned, "charts/new.png", b"x")
    assert sorted(p.name for p in pictures.iterdir()) == sorted(PICTURES)


def run_refused(args: list[str], capsys) -> str:
    code = cli.main(["--project-dir", str(REPO), *args])
    assert code == 1
    return capsys.readouterr().err


def test_a_users_folder_as_target_is_refused_before_any_work(folders, capsys):
    mine = folders / "my reports"
    mine.mkdir()
    (mine / "manifest.json").write_text('{"mine": true}')
    (mine / "run_results.json").write_text("[]")
    before = hashes(mine)

    error = run_refused(["run", "--target-path", str(mine)], capsys)

    assert error.count("\n") == 1
    assert f"dbt target folder {mine} holds files this product did not write" in error
    assert "--target-path" in error and "DBT_TARGET_PATH" not in error
    assert hashes(mine) == before
    assert sorted(p.name for p in mine.iterdir()) == [
        "manifest.json",
        "run_results.json",
    ]
    assert not (folders / "publish").exists()


def test_the_home_folder_is_never_a_target(folders, monkeypatch, capsys):
    home = folders / "home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("DBT_TARGET_PATH", str(home))

    error = run_refused(["run"], capsys)

    assert "is your home folder; set DBT_TARGET_PATH" in error
    assert list(home.iterdir()) == []


def test_clean_removes_only_what_the_target_manifest_lists(folders):
    target = folders / "target"
    with owned_target(target):  # what a command's dbt writes there
        (target / "compiled" / "m").mkdir(parents=True)
        (target / "compiled" / "m" / "a.sql").write_text("select 1")
        (target / "manifest.json").write_text("{}")
    (target / "notes.txt").write_text("mine")
    (target / "compiled" / "m" / "mine.sql").write_text("select 'mine'")
    pictures = users_pictures(folders)
    (target / "run").symlink_to(pictures, target_is_directory=True)
    before = hashes(pictures)

    assert cli.main(["--project-dir", str(REPO), "clean"]) == 0

    assert hashes(target) == {
        "notes.txt": hashlib.sha256(b"mine").hexdigest(),
        "compiled/m/mine.sql": hashlib.sha256(b"select 'mine'").hexdigest(),
    }
    assert hashes(pictures) == before


def test_a_target_holding_only_listed_files_is_removed_whole(folders):
    target = folders / "target"
    with owned_target(target):
        (target / "run_results.json").write_text("{}")

    assert cli.main(["--project-dir", str(REPO), "clean"]) == 0

    assert not target.exists()


def test_a_target_folder_with_our_manifest_is_taken_and_listed(tmp_path):
    target = tmp_path / "target"
    with owned_target(target):
        (target / "a.json").write_text("{}")
    (target / "notes.txt").write_text("mine")
    assert check_target(target) == ["a.json"]
    with owned_target(target):
        (target / "b.json").write_text("{}")
    assert check_target(target) == ["a.json", "b.json"]


def test_a_copied_target_manifest_of_somebody_else_is_refused(tmp_path):
    target = tmp_path / "target"
    target.mkdir()
    (target / MANIFEST_FILE).write_text('{"written_by": "someone", "files": []}')
    with pytest.raises(TargetError, match="has no manifest"):
        check_target(target)


def test_a_target_folder_with_a_link_in_it_is_refused_before_dbt_writes_through_it(
    folders, capsys
):
    target = folders / "target"
    with owned_target(target):
        (target / "manifest.json").write_text("{}")
    pictures = users_pictures(folders)
    (target / "compiled").symlink_to(pictures, target_is_directory=True)
    before = hashes(pictures)

    error = run_refused(["run"], capsys)

    assert f"dbt target folder {target} holds a link (compiled)" in error
    assert hashes(pictures) == before
