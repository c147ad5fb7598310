"""Clustering settings, read from dbt vars and checked before anything is fitted.

dbt hands vars to a Python model as text (they pass through YAML and Jinja),
so every value is parsed and range-checked here, and a bad one is reported by
the name of its var with what it accepts.
"""

from __future__ import annotations

import hashlib
import itertools
import json
from collections.abc import Mapping
from dataclasses import asdict, dataclass, replace
from datetime import date

from customer_segmentation.inputs.formats import DATE_ORDERS, NUMBER_FORMATS
from customer_segmentation.segment_model.features import KNOWN_FEATURES

# The RFM scores' methods (var rfm_score_method) and the metrics a custom
# cut point list (var rfm_cut_points) may be given for.
RFM_SCORE_METHODS = ("percent_rank", "ntile")
RFM_METRICS = ("recency_days", "frequency", "monetary")
RFM_CUT_POINTS = 4
MAX_K = 30
# The elbow compares k >= 2 and the silhouette needs more customers than
# clusters: fewer customers than this cannot be segmented.
MIN_CUSTOMERS = 3
# Above this many customers the final K-Means runs on a seeded sample of
# this size (the elbow's sample is part of it), not on every customer: the
# centroids of a million customers are those of ten million to well within
# the scoring's precision, and the fit's memory and time stop growing with
# the file. SQL still scores every customer.
FIT_SAMPLE_SIZE = 1_000_000


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
    # Above this many customers the elbow (every k, n_init times, with the
    # silhouette) runs on a seeded sample of this size; the final K-Means
    # runs on up to FIT_SAMPLE_SIZE customers, started from its centroids.
    elbow_sample_size: int = 20_000
    # Refit centroids farther than this (standardised units) from every
    # previous centroid are new segments rather than a persisting one.
    max_match_distance: float = 1.0


def settings_fingerprint(settings: ClusteringSettings) -> str:
    """A short hash of every setting, saved with a model to tell when to refit."""
    text = json.dumps(asdict(settings), sort_keys=True)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def is_blank(value: object) -> bool:
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
        raise SettingsError(
            f"var {name}={number} is out of range; it accepts {low}..{high}"
        )
    return number


def parse_float(name: str, value: object, low: float, high: float) -> float:
    text = str(value).strip()
    try:
        number = float(text)
    except ValueError:
        number = float("nan")
    if not low <= number <= high:  # also false for nan
        raise SettingsError(
            f"var {name}={text!r} is not usable; "
            f"it accepts a number from {low} to {high}"
        )
    return number


def parse_features(value: object) -> tuple[str, ...]:
    """Accept a comma-separated list (or a YAML list rendered as text)."""
    text = str(value).strip().strip("[]")
    names = tuple(part.strip().strip("'\"") for part in text.split(",") if part.strip())
    unknown = [n for n in names if n not in KNOWN_FEATURES]
    if len(names) < 2 or unknown or len(set(names)) != len(names):
        raise SettingsError(
            f"var cluster_features={value!r} is not usable; it accepts two or more "
            f"distinct names from: {', '.join(KNOWN_FEATURES)}"
        )
    return names


# var name -> (settings field, parser); a var left blank keeps the default.
PARSERS = {
    "cluster_features": ("features", parse_features),
    "k_min": ("k_min", lambda v: parse_int("k_min", v, 1, MAX_K)),
    "k_max": ("k_max", lambda v: parse_int("k_max", v, 2, MAX_K)),
    "k": ("k_override", lambda v: parse_int("k", v, 2, MAX_K)),
    "random_state": (
        "random_state",
        lambda v: parse_int("random_state", v, 0, 2**31 - 1),
    ),
    "n_init": ("n_init", lambda v: parse_int("n_init", v, 1, 100)),
    "segment_name_threshold": (
        "name_threshold",
        lambda v: parse_float("segment_name_threshold", v, 0.0, 3.0),
    ),
    "elbow_sample_size": (
        "elbow_sample_size",
        lambda v: parse_int("elbow_sample_size", v, 1_000, 10_000_000),
    ),
    "max_match_distance": (
        "max_match_distance",
        lambda v: parse_float("max_match_distance", v, 0.0, 10.0),
    ),
}


def settings_from_vars(raw: Mapping[str, object] | None) -> ClusteringSettings:
    """Build settings from dbt vars (or the model's meta), defaults for the rest."""
    values = {
        field: parse(raw[var])
        for var, (field, parse) in PARSERS.items()
        if raw and var in raw and not is_blank(raw[var])
    }
    settings = replace(ClusteringSettings(), **values)
    if settings.k_max - settings.k_min < 2:
        raise SettingsError(
            f"vars k_min={settings.k_min} and k_max={settings.k_max} leave too few k "
            "to find an elbow; k_max must be at least k_min + 2"
        )
    return settings


# Purchase dates before this are rejected (purchase_date_before_1900), and
# so is a date var before it.
EARLIEST_DATE = date(1900, 1, 1)


def parse_date(name: str):
    def parse(value: object) -> str:
        """An ISO date (2026-07-01), handed on as the same text."""
        text = str(value).strip()
        try:
            parsed = date.fromisoformat(text)
        except ValueError:
            raise SettingsError(
                f"var {name}={text!r} is not a date; it accepts an ISO date "
                "such as 2026-07-01"
            ) from None
        if parsed < EARLIEST_DATE:
            raise SettingsError(
                f"var {name}={text!r} is before {EARLIEST_DATE.year}, as no "
                "purchase is (purchase dates before it are rejected)"
            )
        return parsed.isoformat()

    return parse


def parse_score_method(value: object) -> str:
    text = str(value).strip()
    if text not in RFM_SCORE_METHODS:
        raise SettingsError(
            f"var rfm_score_method={text!r} is not a method; it accepts "
            f"{' or '.join(RFM_SCORE_METHODS)}"
        )
    return text


def parse_cut_points(value: object) -> dict[str, list[float]]:
    """{metric: four increasing numbers} for any of the RFM metrics."""
    usage = (
        f"it accepts a mapping of {', '.join(RFM_METRICS)} to "
        f"{RFM_CUT_POINTS} increasing numbers, e.g. '{{frequency: [1, 2, 4, 8]}}'"
    )
    if not isinstance(value, Mapping) or not value:
        raise SettingsError(f"var rfm_cut_points={value!r} is not usable; {usage}")
    parsed: dict[str, list[float]] = {}
    for metric, points in value.items():
        try:
            numbers = [float(p) for p in points]
        except (TypeError, ValueError):
            numbers = []
        if (
            metric not in RFM_METRICS
            or len(numbers) != RFM_CUT_POINTS
            or any(b <= a for a, b in itertools.pairwise(numbers))
            or any(n != n or abs(n) == float("inf") for n in numbers)
        ):
            raise SettingsError(
                f"var rfm_cut_points={value!r} is not usable at {metric!r}; {usage}"
            )
        parsed[str(metric)] = numbers
    return parsed


def parse_bool(name: str):
    def parse(value: object) -> bool:
        if isinstance(value, bool):
            return value
        text = str(value).strip().lower()
        if text not in ("true", "false"):
            raise SettingsError(
                f"var {name}={value!r} is not usable; it accepts true or false"
            )
        return text == "true"

    return parse


def parse_choice(name: str, choices: tuple[str, ...]):
    def parse(value: object) -> str:
        text = str(value).strip()
        if text not in choices:
            raise SettingsError(
                f"var {name}={text!r} is not usable; it accepts {' or '.join(choices)}"
            )
        return text

    return parse


# Vars read by SQL or by the input checks rather than by the clustering;
# checked here all the same.
SQL_VARS = {
    "number_format": parse_choice("number_format", tuple(NUMBER_FORMATS)),
    "date_format": parse_choice("date_format", DATE_ORDERS),
    "rfm_as_of": parse_date("rfm_as_of"),
    "rfm_score_method": parse_score_method,
    "rfm_cut_points": parse_cut_points,
    "max_reject_share": lambda v: parse_float("max_reject_share", v, 0.0, 1.0),
    "outlier_radius_multiple": lambda v: parse_float(
        "outlier_radius_multiple", v, 0.0, 100.0
    ),
    "max_drift_ratio": lambda v: parse_float("max_drift_ratio", v, 1.0, 100.0),
    "clv_calibration_end": parse_date("clv_calibration_end"),
    "lifetime_value": parse_bool("lifetime_value"),
    "clv_horizon_weeks": lambda v: parse_int("clv_horizon_weeks", v, 1, 520),
    "clv_discount_rate": lambda v: parse_float("clv_discount_rate", v, 0.0, 0.99),
    "max_annual_income_k": lambda v: parse_float(
        "max_annual_income_k", v, 0.0, 1_000_000_000.0
    ),
}


def vars_for_dbt(raw: Mapping[str, object]) -> dict[str, object]:
    """The vars to hand to dbt: each parsed and checked, blank ones left out.

    dbt renders a string var as a template, so only what parsing produced
    (numbers, known feature names) reaches it, never the text as typed; a
    var left blank (``null``, ``None``, empty) takes its default.
    """
    parsed: dict[str, object] = {}
    for name, value in raw.items():
        if is_blank(value):
            continue
        if name in SQL_VARS:
            parsed[name] = SQL_VARS[name](value)
        else:
            _, parse = PARSERS[name]
            result = parse(value)
            parsed[name] = ",".join(result) if isinstance(result, tuple) else result
    return parsed


def check_run_vars(
    raw: Mapping[str, object],
) -> tuple[ClusteringSettings, dict[str, object]]:
    """Check every var a user may set, before any SQL runs: the clustering
    settings, and the parsed vars to hand to dbt (see vars_for_dbt).

    Unknown names are refused too: a typo (`K: 4`) would otherwise be
    ignored silently and the run would not do what was asked.
    """
    known = set(PARSERS) | set(SQL_VARS)
    unknown = sorted(set(raw) - known)
    if unknown:
        raise SettingsError(
            f"unknown var {', '.join(map(repr, unknown))}; the vars are: "
            f"{', '.join(sorted(known))} (the input file is set by --input or "
            "SEGMENTS_INPUT)"
        )
    parsed = vars_for_dbt(raw)
    return settings_from_vars(parsed), parsed
