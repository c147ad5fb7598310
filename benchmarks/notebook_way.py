"""The notebook way, the baseline the pipeline is measured against.

pandas reads the file; scikit-learn scales income and score, fits K-Means ten
times (n_init=10) for every k from 1 to 10 on all rows for the elbow, picks
the knee, fits the final model the same way, and the labelled rows are
written to CSV. Prints its stage times, k and inertias as JSON.

    python benchmarks/notebook_way.py customers.csv out.csv
"""

import json
import sys
import time

import pandas as pd
from kneed import KneeLocator
from sklearn.cluster import KMeans
from sklearn.preprocessing import StandardScaler

FEATURES = ["Annual Income (k$)", "Spending Score (1-100)"]


def main(path: str, out: str) -> None:
    stages = {}
    start = time.perf_counter()
    if path.endswith(".parquet"):
        customers = pd.read_parquet(path)
    else:
        customers = pd.read_csv(path)
    stages["read"] = time.perf_counter() - start

    start = time.perf_counter()
    scaled = StandardScaler().fit_transform(customers[FEATURES])
    inertias = [
        KMeans(n_clusters=k, n_init=10, random_state=42).fit(scaled).inertia_
        for k in range(1, 11)
    ]
    k = int(
        KneeLocator(range(1, 11), inertias, curve="convex", direction="decreasing").knee
    )
    stages["elbow"] = time.perf_counter() - start

    start = time.perf_counter()
    customers["segment"] = KMeans(n_clusters=k, n_init=10, random_state=42).fit_predict(
        scaled
    )
    stages["fit"] = time.perf_counter() - start

    start = time.perf_counter()
    customers.to_csv(out, index=False)
    stages["write"] = time.perf_counter() - start
    print(json.dumps({"stages": stages, "k": k, "inertias": inertias}))


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
