"""docs/outputs.md lists every published table, and nothing else (issue 38):
the list is checked against the marts, which dbt_project.yml publishes as a
folder (meta published: true on models/marts)."""

import re
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parents[2]


def published_marts() -> set[str]:
    project = yaml.safe_load((REPO / "dbt_project.yml").read_text(encoding="utf-8"))
    marts = project["models"]["customer_segmentation"]["marts"]
    assert marts["+meta"]["published"] is True  # the folder is what is published
    return {path.stem for path in (REPO / "models" / "marts").rglob("*.sql")}


def listed_in_the_guide() -> set[str]:
    """The names in the first column of the guide's table of tables."""
    text = (REPO / "docs" / "outputs.md").read_text(encoding="utf-8")
    table = text.split("| table | grain | what it holds |", 1)[1].split("\n\n", 1)[0]
    first_cells = [
        line.split("|")[1] for line in table.splitlines() if line.startswith("| `")
    ]
    return {name for cell in first_cells for name in re.findall(r"`(\w+)`", cell)}


def test_the_guide_lists_every_published_table():
    assert listed_in_the_guide() == published_marts()


def test_a_table_missing_from_the_guide_would_be_caught():
    assert listed_in_the_guide() - {"segment_runs"} != published_marts()
