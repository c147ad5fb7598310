"""The elbow and the fit for the dbt Python models: engine rows in, Arrow out.

The models hand over the featurized customers as Rows (engines.rows: a
DuckDB relation or a Spark DataFrame); these functions pull only what they
need from them (fingerprints as SQL aggregates, samples sorted by id) and
return Arrow tables with explicit schemas, so the engine never has to guess
a column type from pandas objects. Per-customer
assignments are not returned at all: SQL scores every customer against the
model's centroids.
"""

from __future__ import annotations

from datetime import datetime

import numpy as np
import pyarrow as pa

from customer_segmentation.engines.rows import Rows
from customer_segmentation.segment_model.clustering import (
    Scaling,
    choose_k,
    describe_fit,
    fit_all,
    score_k,
    score_k_range,
    standardize,
)
from customer_segmentation.segment_model.fit_error import FitError
from customer_segmentation.segment_model.saved_model import (
    FitRun,
    model_rows,
    next_model_run_id,
    previous_model,
)
from customer_segmentation.segment_model.schemas import ELBOW_SCHEMA
from customer_segmentation.segment_model.settings import (
    FIT_SAMPLE_SIZE,
    MIN_CUSTOMERS,
    ClusteringSettings,
)
from customer_segmentation.segment_model.store import IdFloor


def distinct_rows(matrix: np.ndarray) -> int:
    return len(np.unique(matrix, axis=0)) if len(matrix) else 0


def data_fingerprint(customers: Rows, features: tuple[str, ...]) -> str:
    """A hash of the clean feature data that ignores row order (the
    engine's own hash: the same data on another engine has another one)."""
    return f"{customers.fingerprint(('customer_id', *features)):016x}"


def read_sample(customers: Rows, features: tuple[str, ...], size: int) -> pa.Table:
    """Up to ``size`` customers, picked by a hash of their id, sorted by id.

    Picking by hash makes the sample a fixed set of customers whatever the
    file's row order; with ``size`` customers or fewer it is all of them, so
    small files are fitted exactly as before sampling existed.
    """
    return customers.sample(("customer_id", *features), size)


def feature_matrix(customers: pa.Table, features: tuple[str, ...]) -> np.ndarray:
    missing = [f for f in features if f not in customers.column_names]
    if missing:
        raise ValueError(f"customer features lack the columns {missing}")
    matrix = np.column_stack(
        [customers.column(f).to_numpy().astype(np.float64) for f in features]
    )
    empty = [
        f
        for f, column in zip(features, matrix.T, strict=True)
        if np.isnan(column).any()
    ]
    if empty:
        # a customer-file feature on buyers without a customer record, or
        # behaviour without transactions (a plain `dbt build` without the var)
        counts = {
            f: int(np.isnan(column).sum())
            for f, column in zip(features, matrix.T, strict=True)
            if f in empty
        }
        lacking = ", ".join(f"{count} lack {f}" for f, count in counts.items())
        raise FitError(
            f"of {len(matrix)} customers, {lacking} (buyers without a customer "
            "record have no age or income); cluster on features every customer "
            "has (var cluster_features)"
        )
    return matrix


def elbow_table(customers: Rows, settings: ClusteringSettings) -> pa.Table:
    """One row per k tried, with the chosen k flagged and the rule that chose it.

    Above ``settings.elbow_sample_size`` customers the curve is computed on
    the seeded sample, standardised by its own means and sds (which only
    decides k; the final fit scales by its own, larger rows').
    """
    sample = read_sample(customers, settings.features, settings.elbow_sample_size)
    matrix = feature_matrix(sample, settings.features)
    distinct = distinct_rows(matrix)
    if distinct < MIN_CUSTOMERS:
        raise FitError(
            f"the {len(matrix)} customers have only {distinct} different "
            f"combination(s) of {', '.join(settings.features)}; segments need at "
            f"least {MIN_CUSTOMERS} customers who differ"
        )
    scaled = standardize(matrix)
    points = score_k_range(scaled, settings, distinct)
    choice = choose_k(points, settings.k_override)
    if choice.k not in {p.k for p in points}:
        # An override outside the tried range is still fitted and shown.
        points = sorted(
            [*points, score_k(scaled, choice.k, settings)], key=lambda p: p.k
        )
    return pa.table(
        {
            "k": [p.k for p in points],
            "inertia": [p.inertia for p in points],
            "silhouette": [p.silhouette for p in points],
            "davies_bouldin": [p.davies_bouldin for p in points],
            "calinski_harabasz": [p.calinski_harabasz for p in points],
            "is_chosen": [p.k == choice.k for p in points],
            "selection_rule": [choice.rule] * len(points),
        },
        schema=ELBOW_SCHEMA,
    )


def chosen_k(elbow: pa.Table) -> tuple[int, str]:
    """The flagged k and the rule that chose it."""
    flags = zip(elbow["k"].to_pylist(), elbow["is_chosen"].to_pylist(), strict=True)
    chosen = [k for k, is_chosen in flags if is_chosen]
    if len(chosen) != 1:
        raise ValueError(f"the elbow table flags {len(chosen)} chosen k, expected 1")
    return int(chosen[0]), str(elbow["selection_rule"][0].as_py())


def fit_model_table(
    customers: Rows,
    elbow: pa.Table,
    history: pa.Table,
    runs: pa.Table,
    settings: ClusteringSettings,
    fitted_at: datetime,
    id_floor: IdFloor | None = None,
) -> pa.Table:
    """Fit K-Means with the elbow's k and return the new model run's rows.

    The sample (every customer on small files) is fitted n_init times; on
    larger files one more K-Means run on up to FIT_SAMPLE_SIZE customers
    starts from its centroids. Ids follow the previous run in ``history``
    where centroids match; see :func:`segment_model.model_rows`. ``runs`` (the folder's
    segment_runs) and ``id_floor`` (the publish manifest's highest ids) only
    decide where the new run's and new segments' ids start.
    """
    features = settings.features
    k, rule = chosen_k(elbow)
    (customer_count,) = customers.one("count(*)")
    if k > customer_count:
        raise FitError(
            f"{customer_count} valid customers is fewer than the {k} clusters asked for"
        )
    sample = feature_matrix(
        read_sample(customers, features, settings.elbow_sample_size), features
    )
    # the elbow's sample is the start of this one: both pick by id hash
    fit_rows = (
        feature_matrix(read_sample(customers, features, FIT_SAMPLE_SIZE), features)
        if customer_count > len(sample)
        else None
    )
    # Moments in NumPy, not SQL: a parallel SQL sum can differ in the last
    # bit from run to run, and the saved scaling must not.
    scaling = Scaling.of(sample if fit_rows is None else fit_rows)
    sample = scaling.apply(sample)
    fit_rows = None if fit_rows is None else scaling.apply(fit_rows)
    model = fit_all(sample, k, settings, fit_rows)
    scaled = sample if fit_rows is None else fit_rows
    fit = describe_fit(model, scaled, np.arange(1, k + 1))
    floor = id_floor or IdFloor()
    run = FitRun(
        model_run_id=max(next_model_run_id(history, runs), floor.model_run_id + 1),
        highest_cluster_id=floor.cluster_id,
        fitted_at=fitted_at,
        data_fingerprint=data_fingerprint(customers, features),
        k_rule=rule,
        customers_fitted=int(customer_count),
        elbow_customers=len(sample),
    )
    return model_rows(fit, scaling, previous_model(history), settings, run)
