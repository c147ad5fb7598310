"""`segments run`: check the settings, build with dbt, publish, report.

Environment (all optional):
  SEGMENTS_INPUT        customer file, .csv or .parquet (default: the demo seed)
  SEGMENTS_PUBLISH_DIR  where the published files go (default: publish/)
  SEGMENTS_VARS         dbt vars as YAML or JSON, e.g. '{k: 4}'
  SEGMENTS_WAREHOUSE    dbt's working DuckDB file (default: <target>/warehouse.duckdb)
  DBT_TARGET_PATH       dbt's target folder (default: target/)
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import duckdb
import yaml

from customer_segmentation.publish import SERVING_DATABASE, publish
from customer_segmentation.settings import SettingsError, parse_settings

INPUT_FORMATS = (".csv", ".parquet")


class UsageError(Exception):
    """Bad input or settings: reported as one line, no traceback."""


def resolve_input(raw: str | None) -> Path | None:
    """The customer file as an absolute path, or None for the demo seed."""
    if not raw:
        return None
    path = Path(raw).expanduser().resolve()
    if not path.is_file():
        raise UsageError(f"input file {path}: no such file")
    if path.suffix.lower() not in INPUT_FORMATS:
        raise UsageError(
            f"input file {path}: unsupported type {path.suffix or '(none)'!r}; "
            f"use one of {', '.join(INPUT_FORMATS)}"
        )
    if not os.access(path, os.R_OK):
        raise UsageError(f"input file {path}: not readable")
    return path


def parse_vars(raw: str | None) -> dict[str, object]:
    if not raw:
        return {}
    try:
        parsed = yaml.safe_load(raw)
    except yaml.YAMLError as error:
        raise UsageError(f"SEGMENTS_VARS is not YAML or JSON: {error}") from None
    if not isinstance(parsed, dict):
        raise UsageError(
            f"SEGMENTS_VARS must be a mapping such as '{{k: 4}}', got {raw!r}"
        )
    return parsed


def build(project_dir: Path, dbt_vars: dict[str, object], env: dict[str, str]) -> None:
    dbt = shutil.which("dbt", path=str(Path(sys.executable).parent)) or "dbt"
    command = [
        dbt,
        "build",
        "--project-dir",
        str(project_dir),
        "--profiles-dir",
        str(project_dir),
        "--vars",
        json.dumps(dbt_vars),
    ]
    result = subprocess.run(command, env=env, check=False)
    if result.returncode != 0:
        raise UsageError(
            "dbt build failed (see the log above); nothing was published and "
            "the previously published files are unchanged"
        )


def segment_table(serving: Path) -> str:
    """The segments as a fixed-width text table, for the terminal and README."""
    with duckdb.connect(str(serving), read_only=True) as con:
        rows = con.sql(
            """
            select
                cluster_id, segment_name, customers, customer_share,
                avg_age, avg_annual_income_k, avg_spending_score,
                income_to_spend_ratio
            from cluster_summary
            order by cluster_id
            """
        ).fetchall()
        k, rule = con.sql(
            "select k, selection_rule from elbow_curve where is_chosen"
        ).fetchone()
    lines = [
        f"Segments: k = {k} (chosen by {rule})",
        f"{'id':>3}  {'segment':<26}{'customers':>10}{'share':>8}"
        f"{'avg age':>9}{'income k$':>11}{'score':>7}{'ratio':>7}",
    ]
    for cid, name, customers, share, age, income, score, ratio in rows:
        lines.append(
            f"{cid:>3}  {name:<26}{customers:>10}{share:>8.1%}"
            f"{age:>9.1f}{income:>11.2f}{score:>7.2f}{ratio:>7.2f}"
        )
    return "\n".join(lines)


def accounting_line(warehouse: Path) -> str:
    """Where every input row went: segmented, removed as a repeat, or rejected."""
    with duckdb.connect(str(warehouse), read_only=True) as con:
        rows, repeats, rejected = con.sql(
            """
            select
                count(*),
                count(*) filter (where is_duplicate_row),
                count(*) filter (where reject_reason is not null)
            from int_customer_rows_checked
            """
        ).fetchone()
    clean = rows - repeats - rejected
    return (
        f"Rows read: {rows} = {clean} customers segmented + {repeats} repeated "
        f"rows removed + {rejected} rejected (see rejected_customers)"
    )


def run(args: argparse.Namespace) -> None:
    project_dir = Path(args.project_dir).resolve()
    input_path = resolve_input(os.environ.get("SEGMENTS_INPUT"))
    dbt_vars = parse_vars(os.environ.get("SEGMENTS_VARS"))
    try:
        parse_settings(dbt_vars)
    except SettingsError as error:
        raise UsageError(str(error)) from None
    dbt_vars["input_path"] = str(input_path) if input_path else ""

    target = Path(os.environ.get("DBT_TARGET_PATH", project_dir / "target")).resolve()
    warehouse = Path(
        os.environ.get("SEGMENTS_WAREHOUSE", target / "warehouse.duckdb")
    ).resolve()
    publish_dir = Path(
        os.environ.get("SEGMENTS_PUBLISH_DIR", project_dir / "publish")
    ).resolve()
    env = {
        **os.environ,
        "DBT_TARGET_PATH": str(target),
        "SEGMENTS_WAREHOUSE": str(warehouse),
        "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
    }

    print(f"Input: {input_path or 'demo seed (seeds/demo_customers.csv)'}")
    build(project_dir, dbt_vars, env)
    published = publish(warehouse, publish_dir)
    print()
    print(accounting_line(warehouse))
    print()
    print(segment_table(published / SERVING_DATABASE))
    print()
    print(f"Published to {published}/")
    print(f"  Parquet, one file per table, and {SERVING_DATABASE} for Power BI")
    print("Docs: `make docs` builds and serves dbt docs on http://localhost:8080")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="segments", description=__doc__.splitlines()[0]
    )
    parser.add_argument(
        "--project-dir", default=".", help="the dbt project folder (default: .)"
    )
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("run", help="build, test and publish the segments")
    args = parser.parse_args(argv)
    try:
        run(args)
    except UsageError as error:
        print(f"segments: error: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
