import numpy as np
import pyarrow.csv as pacsv
import pyarrow.parquet as pq
import pytest

from customer_segmentation.inputs.demo_customers import HEADER
from customer_segmentation.inputs.synthetic import (
    GROUP_COUNT,
    chunks,
    group_shares,
    truth_path,
    write_customers,
)


@pytest.mark.parametrize("suffix", [".csv", ".parquet"])
def test_a_file_and_its_groups_are_written_together(tmp_path, suffix):
    path = write_customers(tmp_path / f"customers{suffix}", 2_500)
    customers = pacsv.read_csv(path) if suffix == ".csv" else pq.read_table(path)
    truth = pq.read_table(truth_path(path))
    assert customers.column_names == list(HEADER)
    assert customers.num_rows == truth.num_rows == 2_500
    assert customers[HEADER[0]].to_pylist() == truth["customer_id"].to_pylist()
    assert set(truth["generating_group"].to_pylist()) == set(range(1, GROUP_COUNT + 1))


def test_groups_keep_their_shares():
    table = next(chunks(100_000))
    counts = np.bincount(table["generating_group"].to_numpy(), minlength=6)[1:]
    assert np.allclose(counts / counts.sum(), group_shares(), atol=0.01)


def test_generation_is_deterministic_and_chunks_continue_the_ids(tmp_path):
    first = write_customers(tmp_path / "a.csv", 1_500_000)
    second = write_customers(tmp_path / "b.csv", 1_500_000)
    assert first.read_bytes() == second.read_bytes()
    ids = pq.read_table(truth_path(first))["customer_id"].to_numpy()
    assert np.array_equal(ids, np.arange(1, 1_500_001))
