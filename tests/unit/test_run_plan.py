"""Settings `segments run` refuses before anything is locked or written."""

import pytest

from customer_segmentation.running.plan import InputTables, UsageError, check_target


def test_a_target_segments_cannot_run_is_refused_in_one_line(tmp_path):
    with pytest.raises(UsageError) as refused:
        check_target("databricks", tmp_path)
    message = str(refused.value)
    assert "\n" not in message
    assert message.startswith("DBT_TARGET=databricks: ")
    assert "docs/spark.md" in message


def test_a_spark_target_needs_its_environment(tmp_path):
    with pytest.raises(UsageError, match=r"\.venv-spark is missing; run make spark"):
        check_target("spark_local", tmp_path)
    (tmp_path / ".venv-spark" / "bin").mkdir(parents=True)
    (tmp_path / ".venv-spark" / "bin" / "dbt").write_text("")
    assert check_target("spark_local", tmp_path) == "spark_local"


@pytest.mark.parametrize("target", [None, "", "local"])
def test_the_duckdb_target_or_none_is_run(target, tmp_path):
    assert check_target(target, tmp_path) == "local"


def tables_from(monkeypatch, target="local", **variables):
    for name in (
        "SEGMENTS_INPUT",
        "SEGMENTS_TRANSACTIONS",
        "SEGMENTS_CUSTOMER_TABLE",
        "SEGMENTS_TRANSACTION_TABLE",
        "SEGMENTS_ATTACH",
        "SEGMENTS_GIVEN_OPTIONS",
    ):
        monkeypatch.delenv(name, raising=False)
    for name, value in variables.items():
        monkeypatch.setenv(name, value)
    return InputTables.from_environment(target)


@pytest.fixture
def shop(tmp_path):
    database = tmp_path / "shop.duckdb"
    database.write_bytes(b"")
    return database


def test_tables_and_their_database_are_read_from_the_environment(monkeypatch, shop):
    tables = tables_from(
        monkeypatch,
        SEGMENTS_ATTACH=str(shop),
        SEGMENTS_TRANSACTION_TABLE="shop.sales.orders",
    )
    assert tables.database == shop
    assert tables.transactions.parts == ("shop", "sales", "orders")
    assert tables.transactions.sql == '"shop"."sales"."orders"'
    assert tables.customers is None


@pytest.mark.parametrize(
    ("variables", "refusal"),
    [
        (
            {"SEGMENTS_CUSTOMER_TABLE": "shop.c", "SEGMENTS_INPUT": "c.csv"},
            "SEGMENTS_CUSTOMER_TABLE and SEGMENTS_INPUT both name",
        ),
        ({"SEGMENTS_CUSTOMER_TABLE": "shop.c"}, "give the DuckDB database it is in"),
        ({"SEGMENTS_TRANSACTION_TABLE": "a..b"}, "is not a table name"),
        ({"SEGMENTS_TRANSACTION_TABLE": "a.b.c.d"}, "is not a table name"),
        ({"SEGMENTS_ATTACH": "SHOP"}, "no table is read from it"),
    ],
)
def test_table_settings_that_cannot_work_are_refused_in_one_line(
    monkeypatch, shop, variables, refusal
):
    variables = {k: str(shop) if v == "SHOP" else v for k, v in variables.items()}
    with pytest.raises(UsageError, match=refusal) as refused:
        tables_from(monkeypatch, **variables)
    assert "\n" not in str(refused.value)


@pytest.mark.parametrize("name", ["my-shop.duckdb", "memory.duckdb", "1shop.db"])
def test_a_database_whose_name_cannot_be_a_catalog_is_refused(
    monkeypatch, tmp_path, name
):
    database = tmp_path / name
    database.write_bytes(b"")
    with pytest.raises(UsageError, match="cannot be a catalog name"):
        tables_from(
            monkeypatch,
            SEGMENTS_ATTACH=str(database),
            SEGMENTS_CUSTOMER_TABLE="x.customers",
        )


def test_a_spark_target_reads_tables_of_its_metastore_without_a_database(
    monkeypatch,
):
    tables = tables_from(
        monkeypatch, target="spark", SEGMENTS_TRANSACTION_TABLE="shop.orders"
    )
    assert tables.transactions.parts == ("shop", "orders")
    assert tables.database is None


def test_a_duckdb_database_is_refused_on_spark(monkeypatch, shop):
    with pytest.raises(UsageError, match="name a table of the cluster's metastore"):
        tables_from(
            monkeypatch,
            target="spark",
            SEGMENTS_ATTACH=str(shop),
            SEGMENTS_CUSTOMER_TABLE="shop.customers",
        )
