"""The clustering features, as declared once in dbt_project.yml.

The var ``segment_features`` there is the one home of the list: dbt's SQL
loops over it (macro ``segment_features``), and this module hands the same
declaration to Python: the names a run may cluster on, which of them need a
transactions file, and how each reads in a segment name. The library runs
from the project's checkout (``PROJECT_DIR``).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path

import yaml

from customer_segmentation import PROJECT_DIR

PROJECT_FILE = PROJECT_DIR / "dbt_project.yml"
TRANSACTIONS = "transactions"


@dataclass(frozen=True)
class Feature:
    name: str
    description: str
    label: str | None = None  # "High <label>", "Low <label>", "Average <label>"
    words: tuple[str, str] | None = None  # (low, high); average left out
    needs: str | None = None  # "transactions" for purchase behaviour
    sql: str | None = None  # the SQL that computes it, else a plain column
    # False: clustered on only when cluster_features names it
    by_default: bool = True

    def in_name(self, level: str) -> str | None:
        """How the feature reads in a segment name at a level, None to omit."""
        if self.words is None:
            return f"{level} {self.label or self.name}"
        if level == "Average":
            return None
        return self.words[level == "High"]


def parse_features(declared: list[dict]) -> tuple[Feature, ...]:
    features = []
    for entry in declared:
        words = entry.get("words")
        features.append(
            Feature(
                name=str(entry["name"]),
                description=str(entry.get("description", "")),
                label=entry.get("label"),
                words=(str(words[0]), str(words[1])) if words else None,
                needs=entry.get("needs"),
                sql=entry.get("sql"),
                by_default=bool(entry.get("by_default", True)),
            )
        )
    return tuple(features)


@cache
def declared_features(project_file: Path = PROJECT_FILE) -> tuple[Feature, ...]:
    project = yaml.safe_load(project_file.read_text(encoding="utf-8"))
    return parse_features(project["vars"]["segment_features"])


FEATURES = declared_features()
KNOWN_FEATURES = tuple(feature.name for feature in FEATURES)
BEHAVIOUR_FEATURES = tuple(f.name for f in FEATURES if f.needs == TRANSACTIONS)
# What a run with transactions clusters on when cluster_features is blank.
DEFAULT_BEHAVIOUR_FEATURES = tuple(
    f.name for f in FEATURES if f.needs == TRANSACTIONS and f.by_default
)
BY_NAME = {feature.name: feature for feature in FEATURES}
