"""Synthetic customer files of any size, with the group each customer came from.

The benchmark harness and the scale tests need files far larger than the
200-customer reference, with a known answer: every customer is drawn from one
of the demo generator's five income / spending groups, and the group is
written to a second file so a segmentation can be scored against it.

Generation is chunked (one million rows at a time, each chunk with its own
seeded generator), so a 100-million-row file is written in bounded memory and
the same (rows, seed) always gives the same bytes.

    python -m customer_segmentation.inputs.synthetic customers.csv --rows 1000000
"""

from __future__ import annotations

import argparse
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from customer_segmentation.inputs.demo_customers import GROUPS, HEADER

SEED = 20261127
CHUNK_ROWS = 1_000_000
GROUP_COUNT = len(GROUPS)
FEMALE_SHARE = 0.56


def group_shares() -> np.ndarray:
    sizes = np.array([g.customers for g in GROUPS], dtype=np.float64)
    return sizes / sizes.sum()


def truth_path(path: Path) -> Path:
    """Where the generating group of each customer in ``path`` is written."""
    return path.with_name(f"{path.stem}.groups.parquet")


def _clipped_integers(values: np.ndarray, low: int, high: int) -> np.ndarray:
    return np.clip(np.rint(values), low, high).astype(np.int64)


def customer_chunk(first_id: int, rows: int, rng: np.random.Generator) -> pa.Table:
    """``rows`` customers with ids from ``first_id``, plus their group (1-based)."""
    group = rng.choice(GROUP_COUNT, size=rows, p=group_shares())

    def draw(mean_field: str, sd_field: str) -> np.ndarray:
        means = np.array([getattr(g, mean_field) for g in GROUPS])[group]
        sds = np.array([getattr(g, sd_field) for g in GROUPS])[group]
        return means + rng.standard_normal(rows) * sds

    income = _clipped_integers(draw("income_mean", "income_sd"), 15, 140)
    score = _clipped_integers(draw("score_mean", "score_sd"), 1, 100)
    age = _clipped_integers(draw("age_mean", "age_sd"), 18, 70)
    gender = np.where(rng.random(rows) < FEMALE_SHARE, "Female", "Male")
    ids = np.arange(first_id, first_id + rows, dtype=np.int64)
    return pa.table(
        {
            HEADER[0]: ids,
            HEADER[1]: pa.array(gender, pa.string()),
            HEADER[2]: age,
            HEADER[3]: income,
            HEADER[4]: score,
            "generating_group": pa.array(group + 1, pa.int8()),
        }
    )


def chunks(rows: int, seed: int = SEED) -> Iterator[pa.Table]:
    for index, start in enumerate(range(0, rows, CHUNK_ROWS)):
        rng = np.random.default_rng([seed, index])
        yield customer_chunk(start + 1, min(CHUNK_ROWS, rows - start), rng)


def write_customers(path: Path, rows: int, seed: int = SEED) -> Path:
    """Write ``rows`` customers to ``path`` (.csv or .parquet) and their groups.

    The customer file has the reference headers only; the generating group
    goes to :func:`truth_path` so the pipeline never sees the answer.
    """
    path = Path(path)
    customers_schema = pa.schema([pa.field(name, pa.int64()) for name in HEADER])
    customers_schema = customers_schema.set(1, pa.field(HEADER[1], pa.string()))
    truth_schema = pa.schema(
        [("customer_id", pa.int64()), ("generating_group", pa.int8())]
    )
    if path.suffix == ".csv":
        writer = pacsv.CSVWriter(
            str(path),
            customers_schema,
            write_options=pacsv.WriteOptions(quoting_style="none"),
        )
    elif path.suffix == ".parquet":
        writer = pq.ParquetWriter(str(path), customers_schema)
    else:
        raise ValueError(f"{path}: write .csv or .parquet")
    with writer, pq.ParquetWriter(str(truth_path(path)), truth_schema) as truth:
        for chunk in chunks(rows, seed):
            writer.write_table(chunk.select(list(HEADER)))
            truth.write_table(
                pa.table(
                    [chunk[HEADER[0]], chunk["generating_group"]], schema=truth_schema
                )
            )
    return path


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("path", type=Path, help="output file, .csv or .parquet")
    parser.add_argument("--rows", type=int, required=True)
    parser.add_argument("--seed", type=int, default=SEED)
    args = parser.parse_args(argv)
    write_customers(args.path, args.rows, args.seed)


if __name__ == "__main__":
    main()
