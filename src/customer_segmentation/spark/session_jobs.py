"""dbt Python models on dbt-spark's ``method: session`` (a local SparkSession).

dbt-spark 1.11 submits Python models only to Databricks, through its REST
API ("Databricks cluster_id is required for all_purpose_cluster submission
method"), so the local session that builds the SQL models cannot build the
Python ones. The session helper proposed upstream (dbt-labs/dbt-spark PR
#1063) was never merged, and dbt-labs/dbt-adapters issue #510 (Python models
on open-source Spark) was closed. This module is that helper: it runs the
compiled model in the session dbt-spark already opened.

It is registered for targets with ``method: session`` only (other methods
keep dbt-spark's own helpers), by an import hook that ``make spark-setup``
installs into ``.venv-spark`` (a ``.pth`` file), so plain ``dbt build
--target spark_local`` finds it too. Delete this module and that line the
day dbt-spark ships a session submission method of its own.
"""

from __future__ import annotations

import importlib.abc
import importlib.util
import sys
from typing import Any

SUBMISSION_METHOD = "session"
ADAPTER_MODULE = "dbt.adapters.spark.impl"


class SessionPythonJobHelper:
    """dbt's PythonJobHelper interface: built per model, then submit()."""

    def __init__(self, parsed_model: dict, credentials: Any) -> None:
        self.name = parsed_model["alias"]

    def submit(self, compiled_code: str) -> None:
        """Run the compiled model (its code and dbt-spark's materialization
        code, which writes the table) with the session as ``spark``."""
        from pyspark.sql import SparkSession

        spark = SparkSession.builder.getOrCreate()
        code = compile(compiled_code, f"<dbt Python model {self.name}>", "exec")
        exec(code, {"spark": spark, "__name__": f"dbt_model_{self.name}"})


def _uses_session(adapter: Any) -> bool:
    return str(getattr(adapter.config.credentials, "method", "")) == SUBMISSION_METHOD


def register(adapter_class: Any) -> None:
    """Add the session helper to dbt-spark's adapter, used by default where
    the target's method is ``session``."""
    if getattr(adapter_class, "_session_jobs_registered", False):
        return
    helpers = adapter_class.python_submission_helpers
    default = adapter_class.default_python_submission_method

    def python_submission_helpers(adapter: Any) -> dict[str, Any]:
        found = dict(helpers.fget(adapter))
        if _uses_session(adapter):
            found[SUBMISSION_METHOD] = SessionPythonJobHelper
        return found

    def default_python_submission_method(adapter: Any) -> str:
        return SUBMISSION_METHOD if _uses_session(adapter) else default.fget(adapter)

    adapter_class.python_submission_helpers = property(python_submission_helpers)
    adapter_class.default_python_submission_method = property(
        default_python_submission_method
    )
    adapter_class._session_jobs_registered = True


class _RegisterOnImport(importlib.abc.MetaPathFinder):
    """Registers the helper as soon as dbt-spark's adapter module loads, so
    nothing is imported in a process that never uses dbt-spark."""

    def find_spec(self, name: str, path: Any = None, target: Any = None) -> Any:
        if name != ADAPTER_MODULE:
            return None
        sys.meta_path.remove(self)
        spec = importlib.util.find_spec(name)
        if spec is None or spec.loader is None:
            return spec
        load = spec.loader.exec_module

        def exec_module(module: Any) -> None:
            load(module)
            register(module.SparkAdapter)

        spec.loader.exec_module = exec_module
        return spec


def install_import_hook() -> None:
    """Called at interpreter start by .venv-spark's .pth file."""
    if ADAPTER_MODULE in sys.modules:
        register(sys.modules[ADAPTER_MODULE].SparkAdapter)
    elif not any(isinstance(f, _RegisterOnImport) for f in sys.meta_path):
        sys.meta_path.insert(0, _RegisterOnImport())
