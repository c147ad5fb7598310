"""Issue 38: a published table's columns are written in at most three
hand-written files (its contract, the code that computes them, and what reads
the saved history back); everything else reads the contract."""

import re
import subprocess
from pathlib import Path

import pytest

from customer_segmentation.segment_model.schemas import contract_schema

REPO = Path(__file__).resolve().parents[2]
# generated from the contracts and checked against them by the suite
GENERATED = ("powerbi/",)
MOST_HOMES = 3


def hand_written_files() -> list[Path]:
    listed = subprocess.run(
        ["git", "ls-files", "-co", "--exclude-standard"],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    return [REPO / name for name in listed if not name.startswith(GENERATED)]


def files_naming_every_column(
    columns: list[str], files: list[Path], root: Path = REPO
) -> list[str]:
    found = []
    for path in files:
        try:
            text = path.read_text(encoding="utf-8")
        except (UnicodeDecodeError, FileNotFoundError, IsADirectoryError):
            continue
        words = set(re.findall(r"\w+", text))
        if words >= set(columns):
            found.append(path.relative_to(root).as_posix())
    return found


@pytest.mark.parametrize("mart", ["segment_runs", "segment_model_history"])
def test_the_columns_are_written_in_at_most_three_files(mart):
    columns = contract_schema(mart).names
    homes = files_naming_every_column(columns, hand_written_files())
    assert len(columns) > 10
    assert len(homes) <= MOST_HOMES, homes
    assert any(home.startswith("models/marts/") for home in homes), homes


def test_a_second_list_of_the_columns_would_be_found(tmp_path):
    columns = contract_schema("segment_runs").names
    (tmp_path / "one_word_short.md").write_text(" ".join(columns[1:]))
    (tmp_path / "second_list.md").write_text("| " + " | ".join(columns) + " |")
    files = sorted(tmp_path.iterdir())
    assert files_naming_every_column(columns, files, tmp_path) == ["second_list.md"]


def test_a_schema_of_some_columns_keeps_the_order_asked_for():
    picked = contract_schema("customer_segments", ("segment_name", "customer_id"))
    assert picked.names == ["segment_name", "customer_id"]
    assert str(picked.field("customer_id").type) == "string"
