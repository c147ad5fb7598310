"""The floor: the least any segmentation run must do.

One DuckDB scan of the file, one K-Means fit (scikit-learn defaults, k given)
on the scaled income and score, one Parquet write of the labelled rows.
Prints its stage times as JSON.

    python benchmarks/floor.py customers.csv out.parquet 5
"""

import json
import sys
import time

import duckdb
import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
from sklearn.cluster import KMeans

INCOME, SCORE = "Annual Income (k$)", "Spending Score (1-100)"


def main(path: str, out: str, k: int) -> None:
    stages = {}
    start = time.perf_counter()
    reader = "read_parquet" if path.endswith(".parquet") else "read_csv"
    rows = duckdb.sql(
        f'select CustomerID, "{INCOME}", "{SCORE}" from {reader}(\'{path}\')'
    ).to_arrow_table()
    stages["scan"] = time.perf_counter() - start

    start = time.perf_counter()
    features = np.column_stack(
        [rows[c].to_numpy().astype(np.float64) for c in (INCOME, SCORE)]
    )
    scaled = (features - features.mean(axis=0)) / features.std(axis=0)
    labels = KMeans(n_clusters=k, random_state=42).fit(scaled).labels_
    stages["fit"] = time.perf_counter() - start

    start = time.perf_counter()
    pq.write_table(rows.append_column("segment", pa.array(labels)), out)
    stages["write"] = time.perf_counter() - start
    print(json.dumps({"stages": stages}))


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2], int(sys.argv[3]))
