import csv

from pipeline_runs import DEMO_FILE

from customer_segmentation.demo_data import HEADER, clean_customers, demo_rows


def test_the_committed_seed_is_what_the_generator_writes():
    with DEMO_FILE.open(newline="", encoding="utf-8") as handle:
        header, *rows = [tuple(r) for r in csv.reader(handle)]
    assert header == HEADER
    assert rows == demo_rows(), "run `make demo-data` after changing the generator"


def test_clean_customers_are_shaped_like_the_reference_data():
    customers = clean_customers()
    assert len(customers) == 200
    assert [c[0] for c in customers] == [str(i) for i in range(1, 201)]
    ages = [int(c[2]) for c in customers]
    incomes = [int(c[3]) for c in customers]
    scores = [int(c[4]) for c in customers]
    assert min(ages) >= 18 and max(ages) <= 70
    assert min(incomes) >= 15 and max(incomes) <= 140
    assert min(scores) >= 1 and max(scores) <= 100
    assert {c[1] for c in customers} == {"Female", "Male"}


def test_generation_is_deterministic():
    assert demo_rows() == demo_rows()
    assert demo_rows(seed=1) != demo_rows()
