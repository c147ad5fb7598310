"""Deterministic synthetic customers shaped like the Mall Customers data.

Writes ``seeds/demo_customers.csv``, the file the pipeline runs on when no
input is given. Five income / spending groups, ages 18-70, incomes 15-140 k$,
scores 1-100, then a few rows of the mess real exports carry (a repeated row,
odd gender spellings, blanks, impossible values) so the demo shows cleaning
and rejects at work.

    python -m customer_segmentation.inputs.demo_customers seeds/demo_customers.csv
"""

from __future__ import annotations

import argparse
import csv
from dataclasses import dataclass
from pathlib import Path

import numpy as np

HEADER = ("CustomerID", "Gender", "Age", "Annual Income (k$)", "Spending Score (1-100)")
SEED = 20261127


@dataclass(frozen=True)
class Group:
    customers: int
    income_mean: float
    income_sd: float
    score_mean: float
    score_sd: float
    age_mean: float
    age_sd: float


# Centres and spreads echo the reference data's five visible groups.
GROUPS = (
    Group(80, 55, 7, 50, 5, 45, 14),  # average income, average spend
    Group(40, 87, 12, 82, 7, 33, 4),  # high income, high spend
    Group(35, 88, 12, 17, 8, 41, 11),  # high income, low spend
    Group(23, 26, 6, 20, 9, 45, 13),  # low income, low spend
    Group(22, 26, 6, 80, 8, 25, 5),  # low income, high spend
)

# Rows appended after the clean customers, as raw text.
MESSY_ROWS = (
    ("201", " FEMALE ", "31", "60", "47"),
    ("202", "m", "52", "58", "55"),
    ("203", "", "44", "61", "51"),  # no gender: kept as Unknown
    ("204", "Female", "", "54", "48"),  # missing age: rejected
    ("205", "Male", "forty", "57", "50"),  # non-numeric age: rejected
    ("206", "Female", "29", "-5", "52"),  # negative income: rejected
    ("207", "Male", "38", "62", "150"),  # score above 100: rejected
    ("", "Female", "27", "59", "45"),  # no customer id: rejected
)


def clean_customers(seed: int = SEED) -> list[tuple[str, ...]]:
    """Customers 1..n drawn group by group, every value inside its valid range."""
    rng = np.random.default_rng(seed)
    rows: list[tuple[str, ...]] = []
    for group in GROUPS:
        incomes = rng.normal(group.income_mean, group.income_sd, group.customers)
        scores = rng.normal(group.score_mean, group.score_sd, group.customers)
        ages = rng.normal(group.age_mean, group.age_sd, group.customers)
        genders = np.where(rng.random(group.customers) < 0.56, "Female", "Male")
        for gender, age, income, score in zip(
            genders, ages, incomes, scores, strict=True
        ):
            rows.append(
                (
                    str(gender),
                    str(int(np.clip(round(age), 18, 70))),
                    str(int(np.clip(round(income), 15, 140))),
                    str(int(np.clip(round(score), 1, 100))),
                )
            )
    # Sorting by income, as the reference file is, then numbering gives ids
    # that say nothing about the generating group.
    rows.sort(key=lambda r: (int(r[2]), int(r[3]), int(r[1]), r[0]))
    return [(str(i), *row) for i, row in enumerate(rows, start=1)]


def demo_rows(seed: int = SEED) -> list[tuple[str, ...]]:
    customers = clean_customers(seed)
    exact_copy = customers[6]  # a repeated row: kept once, counted as duplicate
    return [*customers, exact_copy, *MESSY_ROWS]


def write_csv(path: Path, rows: list[tuple[str, ...]]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(HEADER)
        writer.writerows(rows)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("output", type=Path, help="CSV file to write")
    parser.add_argument("--seed", type=int, default=SEED)
    args = parser.parse_args(argv)
    write_csv(args.output, demo_rows(args.seed))


if __name__ == "__main__":
    main()
