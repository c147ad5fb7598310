"""The benchmark scripts: the harness (bench.py) loaded as a module, and paths."""

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

BENCHMARKS = Path(__file__).resolve().parents[1] / "benchmarks"
HARNESS = BENCHMARKS / "bench.py"
LOWER_BOUND = BENCHMARKS / "lower_bound.py"


def load_harness() -> ModuleType:
    spec = importlib.util.spec_from_file_location("bench", HARNESS)
    harness = importlib.util.module_from_spec(spec)
    # dataclasses look their module up in sys.modules
    sys.modules[spec.name] = harness
    spec.loader.exec_module(harness)
    return harness
