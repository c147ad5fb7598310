"""Clustering settings, read from dbt vars and checked before anything is fitted.

dbt hands vars to a Python model as text (they pass through YAML and Jinja),
so every value is parsed and range-checked here, and a bad one is reported by
the name of its var with what it accepts.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

# Numeric columns of int_customers_featurized that K-Means may use.
KNOWN_FEATURES = ("annual_income_k", "spending_score", "age", "income_to_spend_ratio")
MAX_K = 30


class SettingsError(ValueError):
    """A dbt var holds a value the pipeline cannot use."""


@dataclass(frozen=True)
class ClusteringSettings:
    features: tuple[str, ...] = ("annual_income_k", "spending_score")
    k_min: int = 1
    k_max: int = 10
    k_override: int | None = None
    random_state: int = 42
    n_init: int = 10
    # A centroid more than this many standard deviations from the population
    # mean on a feature is "High" or "Low" on it in the segment name.
    name_threshold: float = 0.5


def _is_blank(value: object) -> bool:
    return value is None or str(value).strip().lower() in {"", "none", "null"}


def parse_int(name: str, value: object, low: int, high: int) -> int:
    text = str(value).strip()
    try:
        number = int(text)
    except ValueError:
        raise SettingsError(
            f"var {name}={text!r} is not a whole number; it accepts {low}..{high}"
        ) from None
    if not low <= number <= high:
        raise SettingsError(f"var {name}={number} is out of range; it accepts {low}..{high}")
    return number


def parse_float(name: str, value: object, low: float, high: float) -> float:
    text = str(value).strip()
    try:
        number = float(text)
    except ValueError:
        raise SettingsError(
            f"var {name}={text!r} is not a number; it accepts {low}..{high}"
        ) from None
    if not low < number <= high:
        raise SettingsError(
            f"var {name}={number} is out of range; it accepts more than {low} up to {high}"
        )
    return number


def parse_features(value: object) -> tuple[str, ...]:
    """Accept a comma-separated list (or a YAML list rendered as text)."""
    text = str(value).strip().strip("[]")
    names = tuple(part.strip().strip("'\"") for part in text.split(",") if part.strip())
    unknown = [n for n in names if n not in KNOWN_FEATURES]
    if not names or unknown or len(set(names)) != len(names):
        raise SettingsError(
            f"var cluster_features={value!r} is not usable; it accepts two or more "
            f"distinct names from: {', '.join(KNOWN_FEATURES)}"
        )
    if len(names) < 2:
        raise SettingsError(
            f"var cluster_features={value!r} names one feature; clustering needs two or more"
        )
    return names


def parse_settings(raw: Mapping[str, object]) -> ClusteringSettings:
    """Build settings from the model config, falling back to the defaults."""
    defaults = ClusteringSettings()

    def given(key: str) -> bool:
        return key in raw and not _is_blank(raw[key])

    features = (
        parse_features(raw["cluster_features"])
        if given("cluster_features")
        else defaults.features
    )
    k_min = parse_int("k_min", raw["k_min"], 1, MAX_K) if given("k_min") else defaults.k_min
    k_max = parse_int("k_max", raw["k_max"], 2, MAX_K) if given("k_max") else defaults.k_max
    if k_max - k_min < 2:
        raise SettingsError(
            f"vars k_min={k_min} and k_max={k_max} leave too few k to find an elbow; "
            "k_max must be at least k_min + 2"
        )
    k_override = parse_int("k", raw["k"], 2, MAX_K) if given("k") else None
    return ClusteringSettings(
        features=features,
        k_min=k_min,
        k_max=k_max,
        k_override=k_override,
        random_state=(
            parse_int("random_state", raw["random_state"], 0, 2**31 - 1)
            if given("random_state")
            else defaults.random_state
        ),
        n_init=(
            parse_int("n_init", raw["n_init"], 1, 100)
            if given("n_init")
            else defaults.n_init
        ),
        name_threshold=(
            parse_float("segment_name_threshold", raw["segment_name_threshold"], 0.0, 3.0)
            if given("segment_name_threshold")
            else defaults.name_threshold
        ),
    )
