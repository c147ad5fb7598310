"""Deterministic synthetic purchase transactions, with each customer's group.

Four behaviour groups a retailer would recognise (loyal regulars, active
newer customers, lapsing former regulars, one-time buyers) with their own
recency, number of orders and order value; each order has one to three
lines. The demo file (``demo/transactions.csv``, what
``SEGMENTS_TRANSACTIONS=demo`` runs on) adds the mess real exports carry:
zero-amount lines, returns, exact repeated rows, dates in three layouts,
an anonymous purchase (no customer id) and a few rows to reject. Larger
files for the benchmark are written in chunks of customers, each with its
own seeded generator, so memory stays bounded and the same (customers,
seed) always gives the same bytes.

    python -m customer_segmentation.inputs.demo_transactions demo/transactions.csv
    python -m customer_segmentation.inputs.demo_transactions big.csv --customers 770000
"""

from __future__ import annotations

import argparse
import csv
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.csv as pacsv

HEADER = ("Order ID", "Customer ID", "Purchase Date", "Quantity", "Amount")
SEED = 20261129
DEMO_CUSTOMERS = 500
# The last day any customer can have bought on.
LAST_DAY = date(2026, 6, 30)
CHUNK_CUSTOMERS = 200_000


@dataclass(frozen=True)
class BehaviourGroup:
    name: str
    share: float
    recency_days: tuple[int, int]  # days from the last purchase to LAST_DAY
    orders: tuple[int, int]  # inclusive range of purchase occasions
    span_days: int  # how far back the first order may lie before the last
    order_value: float  # median order value
    order_value_spread: float  # sd of log order value


GROUPS = (
    BehaviourGroup("Loyal", 0.2, (1, 20), (15, 30), 365, 120.0, 0.3),
    BehaviourGroup("Active", 0.3, (5, 40), (2, 4), 60, 40.0, 0.3),
    BehaviourGroup("Lapsing", 0.2, (200, 360), (6, 12), 365, 90.0, 0.3),
    BehaviourGroup("One-time", 0.3, (250, 700), (1, 1), 0, 20.0, 0.4),
)


# Each customer's own spend level around their group's (sd of its log): the
# between-customer spread of spend that the Gamma-Gamma model describes.
CUSTOMER_SPEND_SPREAD = 0.5

# Order lines per order are drawn from 1..LINES_PER_ORDER.
LINES_PER_ORDER = 3


def mean_lines_per_customer() -> float:
    """The expected order lines of one customer, to size a file by rows."""
    shares = np.array([g.share for g in GROUPS])
    orders = np.array([(g.orders[0] + g.orders[1]) / 2 for g in GROUPS])
    mean_lines = (1 + LINES_PER_ORDER) / 2
    return float((shares / shares.sum()) @ orders * mean_lines)


def customer_groups(customers: int, seed: int = SEED) -> np.ndarray:
    """The group index of customers 1..n (index i is customer i + 1)."""
    rng = np.random.default_rng([seed, 0])
    shares = np.array([g.share for g in GROUPS])
    return rng.choice(len(GROUPS), size=customers, p=shares / shares.sum())


def transactions_chunk(first_customer: int, groups: np.ndarray, seed: int) -> pa.Table:
    """Order lines of customers first_customer.., one group index each."""
    rng = np.random.default_rng([seed, first_customer])
    n = len(groups)
    low = np.array([GROUPS[g].orders[0] for g in groups])
    high = np.array([GROUPS[g].orders[1] for g in groups])
    orders = rng.integers(low, high + 1)
    recency = rng.integers(
        [GROUPS[g].recency_days[0] for g in groups],
        np.array([GROUPS[g].recency_days[1] for g in groups]) + 1,
    )
    span = np.array([GROUPS[g].span_days for g in groups])
    value = np.array([GROUPS[g].order_value for g in groups])
    spread = np.array([GROUPS[g].order_value_spread for g in groups])

    owner = np.repeat(np.arange(n), orders)  # per order: customer index
    first_of_customer = np.r_[0, np.cumsum(orders)[:-1]]
    is_last_order = np.zeros(len(owner), dtype=bool)
    is_last_order[first_of_customer] = True
    back = (rng.random(len(owner)) * (span[owner] + 1)).astype(np.int64)
    days_before_end = recency[owner] + np.where(is_last_order, 0, back)
    level = np.exp(rng.normal(0.0, CUSTOMER_SPEND_SPREAD, size=n))
    order_values = np.round(
        value[owner] * level[owner] * np.exp(rng.normal(0.0, spread[owner])), 2
    )
    order_numbers = first_customer * 100 + np.arange(len(owner))

    lines = rng.integers(1, LINES_PER_ORDER + 1, size=len(owner))
    line_order = np.repeat(np.arange(len(owner)), lines)
    weights = rng.random(len(line_order)) + 0.5
    order_weight = np.bincount(line_order, weights=weights)
    amounts = np.round(order_values[line_order] * weights / order_weight[line_order], 2)
    dates = np.datetime64(LAST_DAY) - days_before_end[line_order].astype(
        "timedelta64[D]"
    )
    return pa.table(
        {
            HEADER[0]: pa.array([f"O{o:09d}" for o in order_numbers[line_order]]),
            HEADER[1]: pa.array(first_customer + owner[line_order], pa.int64()),
            HEADER[2]: pa.array(dates.astype("datetime64[D]"), pa.date32()),
            HEADER[3]: pa.array(rng.integers(1, 5, size=len(line_order))),
            HEADER[4]: pa.array(amounts),
        }
    )


def clean_lines(customers: int = DEMO_CUSTOMERS, seed: int = SEED) -> list[list[str]]:
    """The demo's order lines as text, dates in ISO, YYYYMMDD and timestamp
    layouts, sorted by date then order, as an export would list them."""
    table = transactions_chunk(1, customer_groups(customers, seed), seed)
    rows = [
        [str(order), str(customer), day.isoformat(), str(quantity), f"{amount:.2f}"]
        for order, customer, day, quantity, amount in zip(
            *(table.column(c).to_pylist() for c in HEADER), strict=True
        )
    ]
    rows.sort(key=lambda r: (r[2], r[0], r[1], r[3], r[4]))
    for number, row in enumerate(rows):
        if number % 7 == 3:
            row[2] = row[2].replace("-", "")
        elif number % 7 == 5:
            row[2] = f"{row[2]} {10 + number % 9:02d}:{number % 60:02d}:00"
    return rows


def demo_rows(customers: int = DEMO_CUSTOMERS, seed: int = SEED) -> list[list[str]]:
    """Clean lines plus zero amounts, returns, repeats and rows to reject."""
    rows = clean_lines(customers, seed)
    day = (LAST_DAY - timedelta(days=3)).isoformat()
    mess = [
        [*rows[10][:4], "0.00"],  # a free line: used, counted as zero-amount
        [*rows[20][:3], "1", f"-{rows[20][4]}"],  # a return of a line: used
        rows[30].copy(),  # an exact repeat: flagged, counted, kept
        rows[31].copy(),
        ["R000000001", "", day, "1", "12.50"],  # no customer id: anonymous
        ["R000000002", "17", "2024-02-30", "1", "12.50"],  # no such date
        ["R000000003", "17", day, "1", "twelve"],  # not a number
        ["R000000004", "17", "", "1", "12.50"],  # no date
        ["R000000005", "17", day, "1", "12.50505"],  # beyond 4 decimal places
    ]
    return [*rows, *mess]


def demo_groups(customers: int = DEMO_CUSTOMERS, seed: int = SEED) -> dict[str, str]:
    """Customer id -> the name of the group the demo drew it from."""
    groups = customer_groups(customers, seed)
    return {str(i + 1): GROUPS[g].name for i, g in enumerate(groups)}


def write_demo(path: Path, rows: list[list[str]]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(HEADER)
        writer.writerows(rows)


def write_large(path: Path, customers: int, seed: int = SEED) -> int:
    """A clean file of ``customers`` customers' lines; returns its row count."""
    groups = customer_groups(customers, seed)
    written = 0
    out: pacsv.CSVWriter | None = None
    try:
        for start in range(0, customers, CHUNK_CUSTOMERS):
            chunk = transactions_chunk(
                start + 1, groups[start : start + CHUNK_CUSTOMERS], seed
            )
            out = out or pacsv.CSVWriter(path, chunk.schema)
            out.write_table(chunk)
            written += chunk.num_rows
    finally:
        if out is not None:
            out.close()
    return written


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("output", type=Path, help="CSV file to write")
    parser.add_argument("--customers", type=int, default=None)
    parser.add_argument("--seed", type=int, default=SEED)
    args = parser.parse_args(argv)
    if args.customers is None:
        write_demo(args.output, demo_rows(seed=args.seed))
    else:
        print(write_large(args.output, args.customers, args.seed), "rows")


if __name__ == "__main__":
    main()
