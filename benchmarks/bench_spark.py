"""The Spark-local row of BENCHMARKS.md (for information): the same customer
file as the DuckDB rows, run by `DBT_TARGET=spark_local segments run`
(docs/spark.md), timed with the whole process tree's peak memory.

    .venv/bin/python benchmarks/bench_spark.py --rows 1000000
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench import (
    BIN,
    RESULTS,
    SPARK_STEPS,
    fresh_work_folder,
    machine,
    measure,
    pipeline_env,
)

from customer_segmentation.inputs.synthetic import truth_path, write_customers

# segments run's timing of each step (SEGMENTS_TIMINGS)
TIMED_AS = {
    "register": "load_last_publish",
    "build": "dbt_build",
    "export": "Copying the tables out of Spark",
    "publish": "publish",
}


def run_once(data: Path, data_dir: Path) -> dict[str, object]:
    work = fresh_work_folder(data_dir, "spark")
    env = {**pipeline_env(work, data), "DBT_TARGET": "spark_local"}
    measured = measure([str(BIN / "segments"), "run"], env)
    if measured.returncode != 0:
        raise SystemExit(f"segments run failed:\n{measured.stdout[-3000:]}")
    timings = json.loads((work / "timings.json").read_text())
    shutil.rmtree(work)  # made by this run (fresh_work_folder)
    steps = {step: timings[TIMED_AS[step]] for step in SPARK_STEPS}
    print(f"  {measured.seconds:.1f} s: {steps}", flush=True)
    return {"seconds": measured.seconds, "peak_mb": measured.peak_mb, "steps": steps}


def bench(rows: int, repeats: int, data_dir: Path) -> dict[str, object]:
    data = data_dir / f"customers_{rows}.csv"
    if not data.is_file() or not truth_path(data).is_file():
        write_customers(data, rows)
    runs = sorted(
        (run_once(data, data_dir) for _ in range(repeats)), key=lambda r: r["seconds"]
    )
    return {
        "kind": "spark_local",
        "rows": rows,
        "format": "csv",
        "machine": machine(),
        **runs[len(runs) // 2],
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
