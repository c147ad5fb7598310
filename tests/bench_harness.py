"""The benchmark harness (benchmarks/bench.py, a script) loaded as a module."""

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

HARNESS = Path(__file__).resolve().parents[1] / "benchmarks" / "bench.py"


def load_harness() -> ModuleType:
    spec = importlib.util.spec_from_file_location("bench", HARNESS)
    harness = importlib.util.module_from_spec(spec)
    # dataclasses look their module up in sys.modules
    sys.modules[spec.name] = harness
    spec.loader.exec_module(harness)
    return harness
