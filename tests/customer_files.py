"""Write variants of a customer file: other delimiters, encodings, headers."""

from __future__ import annotations

import csv
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq


def read_rows(path: Path) -> tuple[list[str], list[list[str]]]:
    with path.open(newline="", encoding="utf-8-sig") as handle:
        header, *rows = list(csv.reader(handle))
    return header, rows


def write_csv(
    path: Path,
    header: list[str],
    rows: list[list[str]],
    *,
    delimiter: str = ",",
    line_ending: str = "\n",
    bom: bool = False,
    quote_all: bool = False,
) -> Path:
    with path.open("w", newline="", encoding="utf-8-sig" if bom else "utf-8") as handle:
        writer = csv.writer(
            handle,
            delimiter=delimiter,
            lineterminator=line_ending,
            quoting=csv.QUOTE_ALL if quote_all else csv.QUOTE_MINIMAL,
        )
        writer.writerow(header)
        writer.writerows(rows)
    return path


def write_parquet(path: Path, header: list[str], rows: list[list[str]]) -> Path:
    """Typed columns, as a real Parquet export would have them."""
    ids, genders, ages, incomes, scores = zip(*rows, strict=True)
    table = pa.table(
        {
            header[0]: pa.array([int(v) for v in ids], pa.int64()),
            header[1]: pa.array(genders, pa.string()),
            header[2]: pa.array([int(v) for v in ages], pa.int64()),
            header[3]: pa.array([float(v) for v in incomes], pa.float64()),
            header[4]: pa.array([int(v) for v in scores], pa.int64()),
        }
    )
    pq.write_table(table, path)
    return path
