import csv

from pipeline_runs import DEMO_FILE

from customer_segmentation.inputs.demo_customers import (
    HEADER,
    clean_customers,
    demo_rows,
)


def test_the_committed_seed_is_what_the_generator_writes():
    with DEMO_FILE.open(newline="", encoding="utf-8") as handle:
        header, *rows = [tuple(r) for r in csv.reader(handle)]
    assert header == HEADER
    assert rows == demo_rows(), "run `make demo-data` after changing the generator"


def test_clean_customers_are_numbered_and_of_both_genders():
    customers = clean_customers()
    assert len(customers) == 200
    assert [c[0] for c in customers] == [str(i) for i in range(1, 201)]
    assert {c[1] for c in customers} == {"Female", "Male"}
