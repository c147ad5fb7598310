"""The Spark-local row of BENCHMARKS.md (for information): the same customer
file as the DuckDB rows, built on target spark_local (docs/spark.md).

One run is three commands, each timed with its process tree's peak memory:
registering the file (customer_segmentation.spark_warehouse), `dbt build
--target spark_local` (every model and data test), and exporting the
published marts as Parquet. The DuckDB pipeline's time includes its publish,
so the sum of the three is the comparable figure.

    .venv/bin/python benchmarks/bench_spark.py --rows 1000000
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench import REPO, RESULTS, SPARK_STEPS, fresh_work_folder, machine, measure

from customer_segmentation.synthetic import truth_path, write_customers

SPARK_BIN = REPO / ".venv-spark" / "bin"


def spark_env(work: Path) -> dict[str, str]:
    return {
        **os.environ,
        "DBT_PROFILES_DIR": str(REPO),
        "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
        "SEGMENTS_SPARK_DIR": str(work / "spark"),
        "SPARK_LOCAL_IP": "127.0.0.1",
    }


def commands(work: Path, data: Path) -> dict[str, list[str]]:
    module = [str(SPARK_BIN / "python"), "-m", "customer_segmentation.spark_warehouse"]
    target = ["--target-path", str(work / "target")]
    return {
        "register": [*module, "--input", str(data)],
        "build": [
            str(SPARK_BIN / "dbt"),
            "build",
            "--target",
            "spark_local",
            "--exclude-resource-type",
            "unit_test",
            *target,
            "--log-path",
            str(work / "logs"),
        ],
        "export": [*module, *target, "--export", str(work / "published")],
    }


def run_once(data: Path, data_dir: Path) -> dict[str, object]:
    work = fresh_work_folder(data_dir, "spark")
    steps = {}
    for step, command in commands(work, data).items():
        measured = measure(command, env=spark_env(work))
        if measured.returncode != 0:
            raise SystemExit(f"{step} failed:\n{measured.stdout[-3000:]}")
        steps[step] = {"seconds": measured.seconds, "peak_mb": measured.peak_mb}
        print(f"  {step}: {measured.seconds:.1f} s", flush=True)
    shutil.rmtree(work)  # made by this run (fresh_work_folder)
    return steps


def bench(rows: int, repeats: int, data_dir: Path) -> dict[str, object]:
    data = data_dir / f"customers_{rows}.csv"
    if not data.is_file() or not truth_path(data).is_file():
        write_customers(data, rows)
    runs = [run_once(data, data_dir) for _ in range(repeats)]
    median = {
        step: {
            key: sorted(run[step][key] for run in runs)[len(runs) // 2]
            for key in ("seconds", "peak_mb")
        }
        for step in SPARK_STEPS
    }
    return {
        "kind": "spark_local",
        "rows": rows,
        "format": "csv",
        "machine": machine(),
        "steps": median,
        "runs": repeats,
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--repeats", type=int, default=1)
    parser.add_argument("--data-dir", type=Path, default=Path("/tmp/segments-bench"))
    args = parser.parse_args(argv)
    result = bench(args.rows, args.repeats, args.data_dir)
    out = RESULTS / f"spark_local_csv_{args.rows}.json"
    out.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    print(f"wrote {out}; `make bench` (or bench.py --render-only) renders it")


if __name__ == "__main__":
    main()
