"""Publish folders written before the manifest existed (2026-11-28 to 11-30).

Those versions marked a folder with a fixed text file and wrote no list of
its files. Such a folder is taken as the product's own only when its whole
content is what one of those versions wrote: the marker, exactly one
version's set of table files, the serving database holding exactly those
tables, the dashboard page and its charts, each file of the format its name
says. Anything else, a user's file beside them or a file of the same name
but other content, leaves the folder refused. An adopted folder is listed in
a manifest of its current files, so from then on the one ownership rule of
:mod:`customer_segmentation.publishing.ownership` applies.
"""

from __future__ import annotations

from pathlib import Path

import duckdb

from customer_segmentation.publishing.ownership import Manifest, describe_folder

MARKER_FILE = ".customer-segmentation-publish"
MARKER_TEXT = (
    "customer-segmentation publish folder\n"
    "Written by `segments run`, which replaces this whole folder on every run.\n"
    "Delete this file to keep the folder from ever being replaced.\n"
)
SERVING_DATABASE = "segments.duckdb"
DASHBOARD_FILE = "dashboard.html"
DASHBOARD_START = b"<!doctype html>"
DASHBOARD_TITLE = b"<title>Customer segments</title>"
CHARTS_FOLDER = "charts"

_FIRST = (
    "age_groups",
    "cluster_summary",
    "customer_segments",
    "elbow_curve",
    "gender_dist",
    "load_audit",
    "rejected_customers",
    "segment_migration",
    "segment_model",
    "segment_model_history",
    "segment_overview",
    "segment_runs",
)
_STAR_SCHEMA = ("dim_age_band", "dim_gender", "dim_segment", "segment_cube")
_RFM = (
    "customer_rfm",
    "dim_rfm_segment",
    "rejected_transactions",
    "rfm_grid",
    "rfm_score_edges",
    "rfm_segment_summary",
    "transaction_audit",
)
_CHARTS = ("scatter", "spending", "gender", "age", "elbow")
# Each marked version's tables and charts, oldest first (from git history).
VERSIONS = (
    (frozenset((*_FIRST, "customer_scores")), frozenset(_CHARTS)),
    (frozenset(_FIRST), frozenset(_CHARTS)),
    (frozenset((*_FIRST, *_STAR_SCHEMA)), frozenset(_CHARTS)),
    (
        frozenset((*_FIRST, *_STAR_SCHEMA, *_RFM)),
        frozenset((*_CHARTS, "rfm_grid", "rfm_revenue")),
    ),
)
PARQUET_MAGIC = b"PAR1"
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def has_marker(folder: Path) -> bool:
    marker = folder / MARKER_FILE
    if marker.is_symlink() or not marker.is_file():
        return False
    try:
        return marker.read_text(encoding="utf-8") == MARKER_TEXT
    except (OSError, UnicodeDecodeError):
        return False


def head_and_tail(path: Path, size: int) -> tuple[bytes, bytes]:
    with path.open("rb") as handle:
        head = handle.read(size)
        handle.seek(max(0, path.stat().st_size - size))
        return head, handle.read(size)


def is_regular(path: Path) -> bool:
    return path.is_file() and not path.is_symlink()


def is_parquet(path: Path) -> bool:
    return is_regular(path) and head_and_tail(path, 4) == (PARQUET_MAGIC,) * 2


def is_png(path: Path) -> bool:
    return is_regular(path) and head_and_tail(path, 8)[0] == PNG_MAGIC


def is_dashboard(path: Path) -> bool:
    if not is_regular(path):
        return False
    text = path.read_bytes()
    return text.startswith(DASHBOARD_START) and DASHBOARD_TITLE in text


def serving_tables(path: Path) -> set[str] | None:
    """The tables of a DuckDB file, or None if it is not one DuckDB can open."""
    if not is_regular(path) or head_and_tail(path, 12)[0][8:12] != b"DUCK":
        return None
    try:
        with duckdb.connect(str(path), read_only=True) as con:
            rows = con.execute(
                "select table_name from duckdb_tables() where database_name ="
                " current_database() and schema_name = 'main'"
            ).fetchall()
            views = con.execute(
                "select count(*) from duckdb_views() where not internal"
            ).fetchone()[0]
    except duckdb.Error:
        return None
    return {name for (name,) in rows} if views == 0 else None


def matches_version(
    folder: Path, tables: frozenset[str], charts: frozenset[str]
) -> bool:
    top = {entry.name for entry in folder.iterdir()}
    expected = {MARKER_FILE, SERVING_DATABASE, DASHBOARD_FILE, CHARTS_FOLDER}
    expected |= {f"{table}.parquet" for table in tables}
    chart_folder = folder / CHARTS_FOLDER
    return (
        top == expected
        and chart_folder.is_dir()
        and not chart_folder.is_symlink()
        and {entry.name for entry in chart_folder.iterdir()}
        == {f"{chart}.png" for chart in charts}
        and all(is_png(chart_folder / f"{chart}.png") for chart in charts)
        and all(is_parquet(folder / f"{table}.parquet") for table in tables)
        and is_dashboard(folder / DASHBOARD_FILE)
        and serving_tables(folder / SERVING_DATABASE) == set(tables)
    )


def adopt(folder: Path, manifest_name: str, owner: str) -> Manifest | None:
    """A manifest of ``folder`` if an earlier version wrote all of it, else None."""
    if not has_marker(folder):
        return None
    if not any(matches_version(folder, *version) for version in VERSIONS):
        return None
    return Manifest(owner, describe_folder(folder, manifest_name))
