"""Benchmark harness: the pipeline against the notebook way and the floor.

For every size it writes a synthetic customer file with known generating
groups (customer_segmentation.inputs.synthetic), then, repeatedly and interleaved so
all three see the same machine:

  pipeline (fit)   `segments run` on a fresh publish folder: clean, features,
                   elbow, fit, score, marts, tests, publish Parquet + DuckDB
  pipeline (score) `segments run` again on that folder: the saved model
                   scores every customer in SQL, nothing is refitted
  notebook         benchmarks/notebook_way.py (pandas + scikit-learn + CSV)
  floor            benchmarks/floor.py (one scan, one fit, one Parquet write)

`--transactions 10000000` measures a run from a transactions file of that
many rows (customer_segmentation.inputs.demo_transactions) beside a run from a
customer file with the same number of customers, in the same session.

It records wall time, per-stage times and the peak RSS of the whole process
tree (sampled from /proc), checks quality (chosen k, adjusted Rand index
against the generating groups, the k the notebook's full-data elbow picks,
SQL scoring against scikit-learn's predict) and writes one JSON file per
size to benchmarks/results/, then renders BENCHMARKS.md from all of them, so
a larger size run on request is added beside the others.

    make bench                                   # 200, 1M and 10M rows
    .venv/bin/python benchmarks/bench.py --sizes 100000000 --format parquet \
        --repeats 1 --skip-references
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from importlib.metadata import version
from pathlib import Path

import duckdb
import numpy as np
from sklearn.metrics import adjusted_rand_score

from customer_segmentation.engines.duckdb_limits import memory_limit
from customer_segmentation.inputs.demo_transactions import GROUPS as BEHAVIOUR_GROUPS
from customer_segmentation.inputs.demo_transactions import (
    customer_groups,
    mean_lines_per_customer,
    write_large,
)
from customer_segmentation.inputs.synthetic import (
    GROUP_COUNT,
    truth_path,
    write_customers,
)
from customer_segmentation.segment_model.saved_model import read_saved_model

REPO = Path(__file__).resolve().parents[1]
HERE = REPO / "benchmarks"
RESULTS = HERE / "results"
BIN = Path(sys.executable).parent
PAGE = os.sysconf("SC_PAGE_SIZE")

# dbt nodes by pipeline stage, for the per-stage table.
STAGES = {
    "transactions": (
        "stg_transaction",
        "int_transaction_rows_checked",
        "int_rfm_as_of_date_chosen",
        "int_transactions_aggregated_to_customers",
    ),
    "clv": ("int_clv_", "customer_clv", "clv_"),
    "clean": ("stg_", "int_customer_rows_checked", "int_customers_cleaned", "seed."),
    "features": ("int_customers_featurized",),
    "elbow": ("int_k_candidates_scored",),
    "fit": ("int_segment_model_selected",),
    "score": ("int_customers_scored", "customer_segments"),
}


def process_tree(root: int) -> dict[int, str]:
    """A process and all its descendants, now, each with its command name."""
    parents: dict[int, int] = {}
    names: dict[int, str] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", encoding="ascii") as handle:
                head, tail = handle.read().rsplit(")", 1)
            parents[int(entry)] = int(tail.split()[1])
            names[int(entry)] = head.split("(", 1)[1]
        except (OSError, ValueError, IndexError):
            continue
    family, frontier = {root}, [root]
    while frontier:
        pid = frontier.pop()
        children = [c for c, p in parents.items() if p == pid]
        family.update(children)
        frontier.extend(children)
    return {pid: names.get(pid, "") for pid in family}


def rss(pid: int) -> int:
    """A process's resident bytes, 0 once it is gone."""
    try:
        with open(f"/proc/{pid}/statm", encoding="ascii") as handle:
            return int(handle.read().split()[1]) * PAGE
    except (OSError, ValueError, IndexError):
        return 0


def tree_rss(root: int) -> int:
    """Resident bytes of a process and all its descendants, now."""
    return sum(rss(pid) for pid in process_tree(root))


@dataclass
class Measured:
    seconds: float
    peak_mb: float
    stdout: str
    returncode: int


def measure(command: list[str], env: dict[str, str] | None = None) -> Measured:
    """Run a command, sampling its process tree's RSS every 50 ms."""
    start = time.perf_counter()
    process = subprocess.Popen(
        command,
        cwd=REPO,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    peak = 0
    done = threading.Event()

    def sample() -> None:
        nonlocal peak
        while not done.is_set():
            peak = max(peak, tree_rss(process.pid))
            time.sleep(0.05)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    stdout, _ = process.communicate()
    seconds = time.perf_counter() - start
    done.set()
    sampler.join()
    return Measured(seconds, peak / 2**20, stdout, process.returncode)


def pipeline_env(
    work: Path,
    data: Path | None,
    transactions: Path | None = None,
    dbt_vars: str | None = None,
) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if key != "SEGMENTS_INPUT"}
    if data is not None:
        env["SEGMENTS_INPUT"] = str(data)
    if transactions is not None:
        env["SEGMENTS_TRANSACTIONS"] = str(transactions)
    if dbt_vars is not None:
        env["SEGMENTS_VARS"] = dbt_vars
    return {
        **env,
        "SEGMENTS_PUBLISH_DIR": str(work / "publish"),
        "DBT_TARGET_PATH": str(work / "target"),
        "SEGMENTS_WAREHOUSE": str(work / "target" / "warehouse.duckdb"),
        "DBT_LOG_PATH": str(work / "logs"),
        "SEGMENTS_TIMINGS": str(work / "timings.json"),
        "DBT_PROFILES_DIR": str(REPO),
    }


def node_stages(target: Path) -> dict[str, float]:
    """Seconds per pipeline stage, from dbt's own node timings."""
    results = json.loads((target / "run_results.json").read_text())
    stages = dict.fromkeys([*STAGES, "marts", "tests"], 0.0)
    for result in results["results"]:
        node = result["unique_id"]
        name = node.split(".")[-1] if node.startswith("model.") else node
        if node.startswith(("test.", "unit_test.")):
            stages["tests"] += result["execution_time"]
            continue
        for stage, prefixes in STAGES.items():
            if any(name.startswith(p) or node.startswith(p) for p in prefixes):
                stages[stage] += result["execution_time"]
                break
        else:
            if node.startswith("model."):
                stages["marts"] += result["execution_time"]
    stages["dbt_start_up"] = 0.0  # filled in by the caller
    stages["dbt_elapsed"] = results["elapsed_time"]
    return stages


def run_pipeline(
    work: Path,
    data: Path | None,
    transactions: Path | None = None,
    dbt_vars: str | None = None,
) -> dict[str, object]:
    env = pipeline_env(work, data, transactions, dbt_vars)
    measured = measure([str(BIN / "segments"), "run"], env)
    if measured.returncode != 0:
        raise RuntimeError(f"segments run failed:\n{measured.stdout[-4000:]}")
    cli = json.loads((work / "timings.json").read_text())
    stages = node_stages(work / "target")
    stages["dbt_start_up"] = cli["dbt_build"] - stages.pop("dbt_elapsed")
    stages["publish"] = cli["publish"] - cli.get("dashboard", 0.0)
    stages["dashboard"] = cli.get("dashboard", 0.0)
    stages["inspect_input"] = cli.get("inspect_input", 0.0) + cli.get(
        "inspect_transactions", 0.0
    )
    mode = "score" if "Mode: score" in measured.stdout else "fit"
    return {
        "seconds": measured.seconds,
        "peak_mb": measured.peak_mb,
        "stages": stages,
        "mode": mode,
    }


def run_script(script: str, *args: str) -> dict[str, object]:
    measured = measure([sys.executable, str(HERE / script), *args])
    if measured.returncode != 0:
        raise RuntimeError(f"{script} failed:\n{measured.stdout[-4000:]}")
    report = json.loads(measured.stdout.strip().splitlines()[-1])
    return {"seconds": measured.seconds, "peak_mb": measured.peak_mb, **report}


def quality(publish: Path, data: Path) -> dict[str, object]:
    """Chosen k, ARI against the generating groups, SQL vs predict."""
    with duckdb.connect() as con:
        # NumPy columns, not Python lists: at 100M rows a list of boxed
        # values per column would take more memory than the pipeline did.
        columns = con.execute(
            f"""
            select
                s.cluster_id,
                t.generating_group,
                s.annual_income_k,
                s.spending_score
            from read_parquet('{publish / "customer_segments.parquet"}') as s
            inner join read_parquet('{truth_path(data)}') as t
                on s.customer_id = cast(t.customer_id as varchar)
            """
        ).fetchnumpy()
        [(k, rule, sampled)] = con.execute(
            f"select k, k_rule, elbow_customers "
            f"from read_parquet('{publish / 'segment_model.parquet'}') limit 1"
        ).fetchall()
    segments = np.asarray(columns["cluster_id"])
    groups = np.asarray(columns["generating_group"])
    income = np.asarray(columns["annual_income_k"], dtype=np.float64)
    score = np.asarray(columns["spending_score"], dtype=np.float64)
    saved = read_saved_model(publish)
    predicted = saved.predict(np.column_stack([income, score]))
    return {
        "customers": len(segments),
        "k": k,
        "k_rule": rule,
        "elbow_customers": sampled,
        "generating_groups": GROUP_COUNT,
        "adjusted_rand_index": adjusted_rand_score(groups, segments),
        "sql_vs_predict_disagreements": int((predicted != segments).sum()),
    }


def median_of(runs: list[dict[str, object]]) -> dict[str, object]:
    """Median seconds, peak memory and per-stage times over repeated runs."""
    summary: dict[str, object] = {
        "runs": len(runs),
        "seconds": statistics.median(r["seconds"] for r in runs),
        "seconds_all": [round(r["seconds"], 2) for r in runs],
        "peak_mb": statistics.median(r["peak_mb"] for r in runs),
    }
    if "stages" in runs[0]:
        summary["stages"] = {
            stage: statistics.median(r["stages"][stage] for r in runs)
            for stage in runs[0]["stages"]
        }
    for key in ("k", "mode"):
        if key in runs[0]:
            summary[key] = runs[-1][key]
    return summary


def machine() -> dict[str, object]:
    with open("/proc/meminfo", encoding="ascii") as handle:
        memory_kb = int(handle.readline().split()[1])
    with open("/proc/cpuinfo", encoding="ascii") as handle:
        model = next(
            (
                line.split(":", 1)[1].strip()
                for line in handle
                if line.startswith("model name")
            ),
            platform.machine(),
        )
    packages = ("dbt-core", "dbt-duckdb", "duckdb", "scikit-learn", "numpy", "pandas")
    return {
        "cpu": model,
        "cores": os.cpu_count(),
        "memory_gb": round(memory_kb / 2**20, 1),
        "python": platform.python_version(),
        "versions": {p: version(p) for p in packages},
        "commit": subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"],
            cwd=REPO,
            capture_output=True,
            text=True,
            check=False,
        ).stdout.strip(),
        "date": time.strftime("%Y-%m-%d"),
        "duckdb_memory_limit": memory_limit(),
    }


def fresh_work_folder(data_dir: Path, prefix: str) -> Path:
    """A new folder for one benchmark repeat, never one that exists already,
    so the harness deletes only folders it made itself (whatever
    --data-dir names)."""
    data_dir.mkdir(parents=True, exist_ok=True)
    return Path(tempfile.mkdtemp(prefix=f"{prefix}-", dir=data_dir))


def bench_size(
    rows: int,
    file_format: str,
    repeats: int,
    data_dir: Path,
    references: bool,
    scoring: bool = True,
    notebook: bool = True,
) -> dict[str, object]:
    data = data_dir / f"customers_{rows}.{file_format}"
    if not data.is_file() or not truth_path(data).is_file():
        print(f"writing {data}", flush=True)
        write_customers(data, rows)
    fits, scores, notebooks, floors = [], [], [], []
    for repeat in range(repeats):
        work = fresh_work_folder(data_dir, f"work_{rows}")
        fits.append(run_pipeline(work, data))
        print(
            f"{rows:,} run {repeat + 1}: pipeline fit {fits[-1]['seconds']:.1f} s",
            flush=True,
        )
        if scoring:
            scores.append(run_pipeline(work, data))
            print(f"  score {scores[-1]['seconds']:.1f} s", flush=True)
        result_quality = quality(work / "publish", data)
        shutil.rmtree(work)  # made by this repeat (fresh_work_folder)
        if references and notebook:
            notebooks.append(
                run_script("notebook_way.py", str(data), str(data_dir / "notebook.csv"))
            )
        if references:
            floors.append(
                run_script(
                    "floor.py",
                    str(data),
                    str(data_dir / "floor.parquet"),
                    str(GROUP_COUNT),
                )
            )
            print(f"  floor {floors[-1]['seconds']:.1f} s", flush=True)
    result = {
        "rows": rows,
        "format": file_format,
        "machine": machine(),
        "pipeline_fit": median_of(fits),
        "quality": result_quality,
    }
    if scores:
        result["pipeline_score"] = median_of(scores)
    if notebooks:
        result["notebook"] = median_of(notebooks)
        result["quality"]["notebook_full_data_k"] = notebooks[-1]["k"]
    if floors:
        result["floor"] = median_of(floors)
    return result


def transaction_quality(publish: Path, customers: int) -> dict[str, object]:
    """Chosen k, ARI against the behaviour groups, revenue reconciliation."""
    groups = customer_groups(customers)
    with duckdb.connect() as con:
        ids, segments = (
            con.execute(
                f"select customer_id, cluster_id "
                f"from read_parquet('{publish / 'customer_segments.parquet'}')"
            )
            .fetchnumpy()
            .values()
        )
        [(k, rule)] = con.execute(
            f"select k, k_rule "
            f"from read_parquet('{publish / 'segment_model.parquet'}') limit 1"
        ).fetchall()
        [(read, used, amount, monetary)] = con.execute(
            f"select rows_read, rows_used, amount_used, monetary_total "
            f"from read_parquet('{publish / 'transaction_audit.parquet'}')"
        ).fetchall()
    truth = groups[np.asarray(ids).astype(np.int64) - 1]
    return {
        "transactions": read,
        "rows_used": used,
        "customers": len(segments),
        "k": k,
        "k_rule": rule,
        "generating_groups": len(BEHAVIOUR_GROUPS),
        "adjusted_rand_index": adjusted_rand_score(truth, np.asarray(segments)),
        "revenue_reconciled": amount == monetary,
    }


def bench_transactions(rows: int, repeats: int, data_dir: Path) -> dict[str, object]:
    """A transactions file of about ``rows`` rows, and a customer file with
    the same number of customers, run in turn so both see the same machine."""
    customers = max(1, round(rows / mean_lines_per_customer()))
    data = data_dir / f"transactions_{rows}.csv"
    customer_file = data_dir / f"customers_{customers}.csv"
    if not data.is_file():
        print(f"writing {data}", flush=True)
        write_large(data, customers)
    if not customer_file.is_file():
        write_customers(customer_file, customers)
    fits, without_clv, customer_fits = [], [], []
    for repeat in range(repeats):
        work = fresh_work_folder(data_dir, f"work_transactions_{rows}")
        fits.append(run_pipeline(work, None, transactions=data))
        result_quality = transaction_quality(work / "publish", customers)
        shutil.rmtree(work)  # made by this repeat (fresh_work_folder)
        work = fresh_work_folder(data_dir, f"work_transactions_without_clv_{rows}")
        without_clv.append(
            run_pipeline(
                work, None, transactions=data, dbt_vars="{lifetime_value: false}"
            )
        )
        shutil.rmtree(work)
        customer_work = fresh_work_folder(
            data_dir, f"work_transactions_customers_{rows}"
        )
        customer_fits.append(run_pipeline(customer_work, customer_file))
        shutil.rmtree(customer_work)
        print(
            f"{rows:,} transactions run {repeat + 1}: {fits[-1]['seconds']:.1f} s "
            f"({without_clv[-1]['seconds']:.1f} s without lifetime value); "
            f"customer file of {customers:,}: {customer_fits[-1]['seconds']:.1f} s",
            flush=True,
        )
    return {
        "kind": "transactions",
        "rows": rows,
        "format": "csv",
        "machine": machine(),
        "pipeline_fit": median_of(fits),
        "pipeline_fit_without_clv": median_of(without_clv),
        "customer_file_fit": median_of(customer_fits),
        "quality": result_quality,
    }


def render_transactions(results: list[dict[str, object]]) -> list[str]:
    """The transactions runs, each beside a customer-file run of as many
    customers."""
    if not results:
        return []
    lines = [
        "",
        "## From transactions",
        "",
        "`SEGMENTS_TRANSACTIONS` runs on a generated transactions file (four "
        "behaviour groups, about 15 order lines per customer), beside a run on a "
        "generated customer file with the same number of customers, in the same "
        "session. `transactions` is the time of the staging, row checks and RFM "
        "models in dbt, `lifetime value` that of the CLV models (summaries, the "
        "two Python models, the marts; their node time overlaps other nodes on "
        "two threads), `without lifetime value` the same run with var "
        "`lifetime_value: false` (n/a where not measured).",
        "",
        "| transactions | customers | fit from transactions (s) | peak memory (MB) "
        "| transactions stage (s) | lifetime value (s) "
        "| without lifetime value (s) "
        "| fit from customer file (s) | peak memory (MB) "
        "| k (rule) | adjusted Rand index | revenue reconciled | runs | commit |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|---:|---|---:|---|",
    ]
    for r in sorted(results, key=lambda r: r["rows"]):
        fit, other, q = r["pipeline_fit"], r["customer_file_fit"], r["quality"]
        clv = fit["stages"].get("clv")
        without = r.get("pipeline_fit_without_clv", {}).get("seconds")
        lines.append(
            f"| {q['transactions']:,} | {q['customers']:,} | {fit['seconds']:.1f} "
            f"| {fit['peak_mb']:.0f} | {fit['stages']['transactions']:.1f} "
            f"| {'n/a' if clv is None else f'{clv:.1f}'} "
            f"| {'n/a' if without is None else f'{without:.1f}'} "
            f"| {other['seconds']:.1f} | {other['peak_mb']:.0f} "
            f"| {q['k']} ({q['k_rule']}) | {q['adjusted_rand_index']:.4f} "
            f"| {'yes' if q['revenue_reconciled'] else 'NO'} | {fit['runs']} "
            f"| {r['machine']['commit']} |"
        )
    return lines


Target = tuple[str, float | None, float, str]


def target_rows(
    results: list[dict[str, object]], transactions: list[dict[str, object]]
) -> list[Target]:
    """(target, measured, limit, commit) for each target of the lean-run
    issue; measured is None where no stored result answers it."""
    by_key = {(r["rows"], r["format"]): r for r in results}
    empty: dict[str, object] = {"machine": {"commit": ""}}

    def result(rows: int, fmt: str) -> dict[str, object]:
        return by_key.get((rows, fmt), empty)

    def ratio(r: dict, run: str, reference: str) -> float | None:
        if run not in r or reference not in r:
            return None
        return r[run]["seconds"] / r[reference]["seconds"]

    def peak(r: dict) -> float | None:
        runs = [r[run] for run in ("pipeline_fit", "pipeline_score") if run in r]
        return max(run["peak_mb"] for run in runs) if runs else None

    rows: list[Target] = []
    for fmt, limit in (("parquet", 3.0), ("csv", 3.5)):
        r = result(10_000_000, fmt)
        commit = r["machine"]["commit"]
        rows.append(
            (
                f"10M customers, {fmt}: fit / floor",
                ratio(r, "pipeline_fit", "floor"),
                limit,
                commit,
            )
        )
        rows.append((f"10M customers, {fmt}: peak memory (MB)", peak(r), 2048, commit))
    for fmt in ("csv", "parquet"):
        r = result(200, fmt)
        commit = r["machine"]["commit"]
        rows.append(
            (
                f"200 customers, {fmt}: repeat run / notebook",
                ratio(r, "pipeline_score", "notebook"),
                3.0,
                commit,
            )
        )
        rows.append(
            (
                f"200 customers, {fmt}: first run / notebook",
                ratio(r, "pipeline_fit", "notebook"),
                4.0,
                commit,
            )
        )
    big, ten = result(100_000_000, "parquet"), result(10_000_000, "parquet")
    fitted = "pipeline_fit" in big and "pipeline_fit" in ten
    rows.append(
        (
            "100M customers, parquet: peak memory (MB)",
            big["pipeline_fit"]["peak_mb"] if fitted else None,
            12 * 1024,
            big["machine"]["commit"],
        )
    )
    rows.append(
        (
            "100M customers, parquet: time / 10M parquet time",
            big["pipeline_fit"]["seconds"] / ten["pipeline_fit"]["seconds"]
            if fitted
            else None,
            12.0,
            big["machine"]["commit"],
        )
    )
    ten_csv = result(10_000_000, "csv")
    for t in transactions:
        if t["rows"] == 10_000_000 and "pipeline_fit" in ten_csv:
            rows.append(
                (
                    "10M transactions: time / 10M customer-file (csv) time",
                    t["pipeline_fit"]["seconds"] / ten_csv["pipeline_fit"]["seconds"],
                    1.0,
                    t["machine"]["commit"],
                )
            )
        if t["rows"] == 10_000_000:
            rows.append(clv_share(t))
    return rows


def clv_share(t: dict[str, object]) -> Target:
    """The lifetime-value target: what computing lifetime value, with its
    intervals, adds to the transactions run (at most 30%, issue 37; 20%
    before the intervals), against the same run with var lifetime_value
    false in the same session."""
    without = t.get("pipeline_fit_without_clv")
    return (
        "10M transactions: run / run without lifetime value - 1",
        None
        if without is None
        else t["pipeline_fit"]["seconds"] / without["seconds"] - 1,
        0.30,
        t["machine"]["commit"],
    )


def render_targets(
    results: list[dict[str, object]], transactions: list[dict[str, object]]
) -> list[str]:
    """The lean-run issue's targets against the stored results."""
    lines = [
        "",
        "## Against the lean-run and lifetime-value targets",
        "",
        "Each ratio is taken from one stored result, whose references (floor, "
        "notebook) were measured in the same benchmark session as the pipeline.",
        "",
        "| target | measured | limit | | commit |",
        "|---|---:|---:|---|---|",
    ]
    for name, value, limit, commit in target_rows(results, transactions):
        shown = "not measured" if value is None else f"{value:,.2f}"
        verdict = "" if value is None else ("met" if value <= limit else "missed")
        lines.append(f"| {name} | {shown} | {limit:,.2f} | {verdict} | {commit} |")
    return lines


# The steps of `DBT_TARGET=spark_local segments run` (benchmarks/bench_spark.py).
SPARK_STEPS = ("register", "build", "export", "publish")


def render_spark(results: list[dict[str, object]]) -> list[str]:
    """The local-Spark section, from benchmarks/bench_spark.py's results."""
    lines = [
        "## On a local Spark (for information)",
        "",
        "The same file run by `DBT_TARGET=spark_local segments run`",
        "(docs/spark.md: a Spark in the dbt process, 2 cores, 4 GB driver):",
        "registering the inputs, `dbt build`, copying the marts out of Spark,",
        "publishing; written by benchmarks/bench_spark.py. No target applies: a",
        "local Spark is for trying the Spark path, not for speed.",
        "",
        "| customers | input | run (s) | register (s) | build (s) | export (s) "
        "| publish (s) | peak memory (MB) | runs | commit |",
        "|---:|---|---:|---:|---:|---:|---:|---:|---:|---|",
    ]
    for r in sorted(results, key=lambda r: r["rows"]):
        steps = r["steps"]
        lines.append(
            f"| {r['rows']:,} | {r['format']} | {r['seconds']:.1f} "
            + "".join(f"| {steps[s]:.1f} " for s in SPARK_STEPS)
            + f"| {r['peak_mb']:.0f} | {r['runs']} | {r['machine']['commit']} |"
        )
    return lines


def render_cluster(result: dict[str, object]) -> list[str]:
    """The standalone-cluster section, from benchmarks/bench_cluster.py."""
    lines = [
        "## On a Spark standalone cluster (for information)",
        "",
        "`DBT_TARGET=spark segments run` against a master and two workers of one",
        f"core each on this machine ({result['workers']}), with",
        f"`spark.driver.maxResultSize={result['max_result_size']}` so that a",
        "per-customer collect to the driver fails the run; written by",
        "benchmarks/bench_cluster.py. The driver's peak is the resident memory",
        "of the Spark driver JVMs in the run's process tree (dbt's and the two",
        "children's; a JVM's resident size follows its heap setting, 1 GB by",
        "default), the client's that of every other process in it (the CLI,",
        "dbt's Python, DuckDB); the executors are in the workers, outside it.",
        "`publish` includes the executors' writing of the parts. Command:",
        "`.venv/bin/python benchmarks/bench_cluster.py --customers 1000000",
        "--transactions 1000000 10000000`.",
        "",
        "| input | run (s) | register (s) | build (s) | copy small marts (s) "
        "| executors write parts (s) | publish (s) | driver peak (MB) "
        "| client peak (MB) | commit |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---|",
    ]
    for run in result["runs"]:
        steps = run.get("steps", {})
        what = (
            f"{run['customers']:,} customers"
            if "customers" in run
            else f"{run['transaction_lines']:,} transaction lines"
        )
        cells = [
            steps.get(name)
            for name in (
                "load_last_publish",
                "dbt_build",
                "Copying the tables out of Spark",
                "Writing the customer tables on Spark",
                "publish",
            )
        ]
        lines.append(
            f"| {what} | {run['seconds']:.1f} | "
            + " | ".join("n/a" if c is None else f"{c:.1f}" for c in cells)
            + f" | {run['driver_peak_mb']} | {run['client_peak_mb']} "
            f"| {result['machine']['commit']} |"
        )
    return lines


def render(stored: list[dict[str, object]]) -> str:
    """BENCHMARKS.md from every stored result."""
    transactions = [r for r in stored if r.get("kind") == "transactions"]
    on_spark = [r for r in stored if r.get("kind") == "spark_local"]
    on_cluster = [r for r in stored if r.get("kind") == "spark_cluster"]
    separate = {"transactions", "spark_local", "spark_cluster"}
    results = sorted(
        (r for r in stored if r.get("kind") not in separate),
        key=lambda r: (r["rows"], r["format"]),
    )
    first = results[-1]["machine"]
    versions = ", ".join(f"{p} {v}" for p, v in first["versions"].items())
    lines = [
        "# Benchmarks",
        "",
        "Written by `make bench` (benchmarks/bench.py) from the results in",
        "`benchmarks/results/`; edit the harness, not this file. Every figure is",
        "the median of the runs shown, each measured in the same session on the",
        "same generated file; peak memory is the resident set of the whole",
        "process tree (the CLI, dbt and DuckDB), sampled every 50 ms.",
        "",
        f"Machine: {first['cpu']}, {first['cores']} cores, {first['memory_gb']} GB, "
        f"Python {first['python']}; {versions}.",
        "",
        "## End to end",
        "",
        "| customers | input | pipeline fit (s) | pipeline score (s) | notebook (s) "
        "| floor (s) | fit / notebook | fit / floor | peak memory fit (MB) "
        "| peak notebook (MB) | DuckDB memory limit | runs | commit |",
        "|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---|---:|---|",
    ]
    for r in results:
        fit, score = r["pipeline_fit"], r.get("pipeline_score")
        notebook, floor = r.get("notebook"), r.get("floor")

        def cell(x, digits=1):
            return "n/a" if x is None else f"{x:.{digits}f}"

        lines.append(
            f"| {r['rows']:,} | {r['format']} | {fit['seconds']:.1f} "
            f"| {cell(score and score['seconds'])} "
            f"| {cell(notebook and notebook['seconds'])} "
            f"| {cell(floor and floor['seconds'])} "
            f"| {cell(notebook and fit['seconds'] / notebook['seconds'], 2)} "
            f"| {cell(floor and fit['seconds'] / floor['seconds'], 2)} "
            f"| {fit['peak_mb']:.0f} | {cell(notebook and notebook['peak_mb'], 0)} "
            f"| {r['machine'].get('duckdb_memory_limit', 'not recorded')} "
            f"| {fit['runs']} | {r['machine']['commit']} |"
        )
    stage_names = list(results[-1]["pipeline_fit"]["stages"])
    lines += [
        "",
        "## Pipeline stages (seconds, median)",
        "",
        "dbt runs two threads, so node times of one run can overlap; "
        "`dbt_start_up` is dbt's start-up and parsing, `tests` the dbt data "
        "tests (a run leaves dbt's unit tests to the test suite), `publish` "
        "the Parquet and serving-database copies.",
        "",
        "| customers | run | " + " | ".join(stage_names) + " |",
        "|---:|---|" + "---:|" * len(stage_names),
    ]
    for r in results:
        for run in ("pipeline_fit", "pipeline_score"):
            if run not in r:
                continue
            stages = r[run]["stages"]
            lines.append(
                f"| {r['rows']:,} | {run.split('_')[1]} | "
                + " | ".join(
                    f"{stages[s]:.2f}" if s in stages else "n/a" for s in stage_names
                )
                + " |"
            )
    lines += [
        "",
        "## Quality",
        "",
        "| customers | k (rule) | groups | full-data k (notebook) | elbow on "
        "| adjusted Rand index | SQL scoring vs scikit-learn predict |",
        "|---:|---|---:|---:|---:|---:|---|",
    ]
    for r in results:
        q = r["quality"]
        lines.append(
            f"| {r['rows']:,} | {q['k']} ({q['k_rule']}) | {q['generating_groups']} "
            f"| {q.get('notebook_full_data_k', 'n/a')} | {q['elbow_customers']:,} "
            f"| {q['adjusted_rand_index']:.4f} "
            f"| {q['sql_vs_predict_disagreements']} of {q['customers']:,} differ |"
        )
    lines += render_transactions(transactions)
    lines += ["", *render_spark(on_spark)] if on_spark else []
    for result in on_cluster:
        lines += ["", *render_cluster(result)]
    lines += render_targets(results, transactions)
    notes = HERE / "notes.md"
    if notes.is_file():
        lines += ["", notes.read_text(encoding="utf-8").strip()]
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="200,1000000,10000000")
    parser.add_argument("--format", default="csv", choices=("csv", "parquet"))
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--data-dir", type=Path, default=Path("/tmp/segments-bench"))
    parser.add_argument(
        "--skip-references",
        action="store_true",
        help="run the pipeline only (for sizes the notebook way cannot reach)",
    )
    parser.add_argument(
        "--skip-notebook",
        action="store_true",
        help="the floor only, no notebook run (it takes minutes at 10M rows)",
    )
    parser.add_argument(
        "--skip-scoring",
        action="store_true",
        help="no second (scoring) run per repeat, for sizes where one run is long",
    )
    parser.add_argument(
        "--transactions",
        default="",
        help="transaction file sizes (rows) to run beside a customer file of as "
        "many customers, e.g. 10000000",
    )
    parser.add_argument("--render-only", action="store_true")
    args = parser.parse_args(argv)
    RESULTS.mkdir(parents=True, exist_ok=True)
    if not args.render_only:
        args.data_dir.mkdir(parents=True, exist_ok=True)
        for rows in (int(s) for s in args.transactions.split(",") if s):
            result = bench_transactions(rows, args.repeats, args.data_dir)
            out = RESULTS / f"transactions_csv_{rows}.json"
            out.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
        for size in (int(s) for s in args.sizes.split(",") if s):
            result = bench_size(
                size,
                args.format,
                args.repeats,
                args.data_dir,
                references=not args.skip_references,
                scoring=not args.skip_scoring,
                notebook=not args.skip_notebook,
            )
            out = RESULTS / f"{args.format}_{size}.json"
            out.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    stored = [json.loads(p.read_text()) for p in sorted(RESULTS.glob("*.json"))]
    (REPO / "BENCHMARKS.md").write_text(render(stored), encoding="utf-8")
    print(f"wrote {REPO / 'BENCHMARKS.md'}")


if __name__ == "__main__":
    main()
