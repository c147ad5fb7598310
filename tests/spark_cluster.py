"""A real Spark standalone cluster on this machine: a master and workers,
each its own JVM on 127.0.0.1, started from PySpark's own `spark-class`.

The Spark tier runs the product on it with DBT_TARGET=spark, so the driver
(dbt's process) and the executors (in the workers' JVMs) are different
processes that share nothing but the network and the file system, as on a
cluster. Everything it writes (logs, the workers' scratch) stays in the
folder it is given.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from spark_runs import SPARK_BIN

STARTUP_SECONDS = 120


def spark_home() -> Path:
    (home,) = (SPARK_BIN.parent / "lib").glob("python3*/site-packages/pyspark")
    return home


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@dataclass(frozen=True)
class Cluster:
    master_url: str
    ui_url: str
    folder: Path

    def alive_workers(self) -> int:
        try:
            with urllib.request.urlopen(f"{self.ui_url}/json/", timeout=5) as page:
                return int(json.load(page)["aliveworkers"])
        except (OSError, ValueError, KeyError):
            return 0


def _start(folder: Path, name: str, arguments: list[str]) -> subprocess.Popen:
    home = spark_home()
    env = {
        **os.environ,
        "SPARK_HOME": str(home),
        "SPARK_LOCAL_IP": "127.0.0.1",
        "SPARK_LOG_DIR": str(folder / "logs"),
        "SPARK_WORKER_DIR": str(folder / "work"),
        "PYSPARK_PYTHON": str(SPARK_BIN / "python"),
    }
    log = (folder / f"{name}.log").open("wb")
    return subprocess.Popen(
        [str(home / "bin" / "spark-class"), *arguments],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )


def worker_arguments(cluster: Cluster, number: int, memory: str) -> list[str]:
    return [
        "org.apache.spark.deploy.worker.Worker",
        cluster.master_url,
        "--host",
        "127.0.0.1",
        "--cores",
        "1",
        "--memory",
        memory,
        "--webui-port",
        str(free_port()),
        "--work-dir",
        str(cluster.folder / f"work{number}"),
    ]


@contextmanager
def standalone_cluster(
    folder: Path, workers: int = 2, worker_memory: str = "2g"
) -> Iterator[Cluster]:
    """A master and ``workers`` workers of one core each, stopped on exit."""
    folder.mkdir(parents=True, exist_ok=True)
    port, ui_port = free_port(), free_port()
    cluster = Cluster(
        f"spark://127.0.0.1:{port}", f"http://127.0.0.1:{ui_port}", folder
    )
    master = [
        "org.apache.spark.deploy.master.Master",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--webui-port",
        str(ui_port),
    ]
    processes = [_start(folder, "master", master)]
    try:
        for number in range(1, workers + 1):
            processes.append(
                _start(
                    folder,
                    f"worker{number}",
                    worker_arguments(cluster, number, worker_memory),
                )
            )
        deadline = time.monotonic() + STARTUP_SECONDS
        while cluster.alive_workers() < workers:
            if time.monotonic() > deadline:
                raise RuntimeError(f"the cluster did not start: see {folder}/*.log")
            time.sleep(1)
        yield cluster
    finally:
        for process in reversed(processes):
            process.terminate()
        for process in processes:
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()


@dataclass(frozen=True)
class Metastore:
    uri: str
    folder: Path


def listening(port: int) -> bool:
    with socket.socket() as probe:
        probe.settimeout(1)
        return probe.connect_ex(("127.0.0.1", port)) == 0


@contextmanager
def hive_metastore(folder: Path) -> Iterator[Metastore]:
    """A Hive metastore service, as a cluster keeps its tables' names in,
    from the Hive jars PySpark ships (its own JVM, its Derby database in
    ``folder``); stopped on exit. Hive 2.3's server has no bind-address
    setting: it listens on every interface, and every client here connects
    to 127.0.0.1."""
    folder.mkdir(parents=True, exist_ok=True)
    port = free_port()
    settings = {
        "hive.async.log.enabled": "false",  # its async logger is not shipped
        "javax.jdo.option.ConnectionURL": (
            f"jdbc:derby:;databaseName={folder / 'metastore_db'};create=true"
        ),
        "datanucleus.schema.autoCreateAll": "true",
        "hive.metastore.schema.verification": "false",
        "hive.metastore.warehouse.dir": str(folder / "warehouse"),
        "derby.system.home": str(folder),
    }
    arguments = [
        *(f"-D{key}={value}" for key, value in settings.items()),
        "org.apache.hadoop.hive.metastore.HiveMetaStore",
        "-p",
        str(port),
    ]
    process = _start(folder, "metastore", arguments)
    try:
        deadline = time.monotonic() + STARTUP_SECONDS
        while not listening(port):
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"no metastore: see {folder}/metastore.log")
            time.sleep(1)
        yield Metastore(f"thrift://127.0.0.1:{port}", folder)
    finally:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
