"""The Spark-cluster rows of BENCHMARKS.md (for information): `segments run`
with DBT_TARGET=spark on a standalone master and two one-core workers on
this machine (tests/spark_cluster.py), with `spark.driver.maxResultSize`
at 64m so that a per-customer collect to the driver fails the run.

It times each run and samples, every 50 ms, the resident memory of the
run's process tree split in two: the driver (the JVMs dbt and the
registering/copying children start, each a Spark driver) and the client
(every other process: `segments`, dbt's Python, the children's Python,
DuckDB). The executors live in the workers, outside the tree.

    .venv/bin/python benchmarks/bench_cluster.py --customers 1000000 \
        --transactions 1000000 10000000
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

from bench import (
    BIN,
    REPO,
    RESULTS,
    fresh_work_folder,
    machine,
    pipeline_env,
    process_tree,
    rss,
)
from spark_cluster import standalone_cluster

from customer_segmentation.inputs.demo_transactions import (
    mean_lines_per_customer,
    write_large,
)
from customer_segmentation.inputs.synthetic import write_customers

MAX_RESULT = "64m"


def measure(command: list[str], env: dict[str, str]) -> dict[str, object]:
    """Wall time, and the peaks of the driver JVMs and of the rest."""
    start = time.perf_counter()
    process = subprocess.Popen(
        command,
        cwd=REPO,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    peaks = {"driver": 0, "client": 0}
    done = threading.Event()

    def sample() -> None:
        while not done.is_set():
            now = {"driver": 0, "client": 0}
            for pid, name in process_tree(process.pid).items():
                now["driver" if name == "java" else "client"] += rss(pid)
            for side, value in now.items():
                peaks[side] = max(peaks[side], value)
            time.sleep(0.05)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    stdout, _ = process.communicate()
    done.set()
    sampler.join()
    return {
        "seconds": round(time.perf_counter() - start, 1),
        "driver_peak_mb": round(peaks["driver"] / 2**20),
        "client_peak_mb": round(peaks["client"] / 2**20),
        "returncode": process.returncode,
        "tail": stdout[-2000:],
    }


def run_once(
    master: str, data_dir: Path, customers: Path | None, transactions: Path | None
) -> dict[str, object]:
    work = fresh_work_folder(data_dir, "cluster")
    env = {
        **pipeline_env(work, customers, transactions),
        "DBT_TARGET": "spark",
        "SEGMENTS_SPARK_MASTER": master,
        "SEGMENTS_SPARK_MAX_RESULT": MAX_RESULT,
        "SPARK_LOCAL_IP": "127.0.0.1",
    }
    measured = measure([str(BIN / "segments"), "run"], env)
    if measured["returncode"] == 0:
        timings = json.loads((work / "timings.json").read_text())
        measured["steps"] = {k: round(v, 1) for k, v in timings.items()}
    shutil.rmtree(work)  # made by this run (fresh_work_folder)
    print(json.dumps({k: v for k, v in measured.items() if k != "tail"}), flush=True)
    return measured


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--customers", type=int, nargs="*", default=[1_000_000])
    parser.add_argument("--transactions", type=int, nargs="*", default=[])
    parser.add_argument("--data-dir", type=Path, default=Path("/tmp/segments-bench"))
    args = parser.parse_args()
    runs = []
    with standalone_cluster(args.data_dir / "cluster", worker_memory="4g") as cluster:
        for rows in args.customers:
            data = args.data_dir / f"customers_{rows}.csv"
            if not data.is_file():
                write_customers(data, rows)
            runs.append(
                {
                    "customers": rows,
                    **run_once(cluster.master_url, args.data_dir, data, None),
                }
            )
        for lines in args.transactions:
            data = args.data_dir / f"transactions_{lines}.csv"
            if not data.is_file():
                write_large(data, max(1, round(lines / mean_lines_per_customer())))
            runs.append(
                {
                    "transaction_lines": lines,
                    **run_once(cluster.master_url, args.data_dir, None, data),
                }
            )
    result = {
        "kind": "spark_cluster",
        "workers": "2 x 1 core, executor heap 2g",
        "max_result_size": MAX_RESULT,
        "machine": machine(),
        "runs": runs,
    }
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "spark_cluster.json").write_text(json.dumps(result, indent=2) + "\n")


if __name__ == "__main__":
    main()
