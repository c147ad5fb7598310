import csv
from pathlib import Path

import duckdb
import pytest
from pipeline_runs import REPO

from customer_segmentation.engines.sql_text import sql_literal
from customer_segmentation.inputs.files import (
    CUSTOMER_FILE,
    REQUIRED_COLUMNS,
    TRANSACTION_FILE,
    InputError,
    inspect_file,
    load_aliases,
    match_columns,
    normalise_header,
)
from customer_segmentation.inputs.formats import evidence_sql

ALIASES = load_aliases(REPO / "seeds" / "column_aliases.csv")
REFERENCE_HEADER = [
    "CustomerID",
    "Gender",
    "Age",
    "Annual Income (k$)",
    "Spending Score (1-100)",
]


def test_every_alias_names_one_column_once():
    with (REPO / "seeds" / "column_aliases.csv").open(newline="") as handle:
        rows = list(csv.DictReader(handle))
    normalised = [normalise_header(r["alias"]) for r in rows]
    assert len(normalised) == len(set(normalised))
    assert {r["column_name"] for r in rows} == {
        *CUSTOMER_FILE.columns,
        *TRANSACTION_FILE.columns,
    }


@pytest.mark.parametrize(
    ("header", "column"),
    [
        ("CustomerID", "customer_id"),
        ("customer_id", "customer_id"),
        ("id", "customer_id"),
        ("Genre", "gender"),
        ("Sex", "gender"),
        ("GENDER", "gender"),
        ("Annual Income (k$)", "annual_income_k"),
        ("AnnualIncome", "annual_income_k"),
        ("annual_income_thousands", "annual_income_k"),
        ("income", "annual_income_k"),
        ("Spending Score (1-100)", "spending_score"),
        ("spending_score", "spending_score"),
        ("Score", "spending_score"),
        (" age ", "age"),
    ],
)
def test_header_spellings_in_the_wild_are_matched(header, column):
    headers = [
        header if c == column else default
        for c, default in zip(REQUIRED_COLUMNS, REFERENCE_HEADER, strict=True)
    ]
    mapping, extra = match_columns(headers, ALIASES, Path("f.csv"))
    assert mapping[column] == header
    assert extra == ()


def test_extra_columns_are_listed():
    _, extra = match_columns([*REFERENCE_HEADER, "Region"], ALIASES, Path("f.csv"))
    assert extra == ("Region",)


def test_a_missing_column_is_named_with_the_headers_found():
    headers = ["CustomerID", "Gender", "Annual Income (k$)", "Spending Score (1-100)"]
    with pytest.raises(InputError) as error:
        match_columns(headers, ALIASES, Path("/data/f.csv"))
    message = str(error.value)
    assert message.startswith("input file /data/f.csv: required column 'age' not found")
    assert (
        "headers found: CustomerID, Gender, Annual Income (k$), Spending Score (1-100)"
        in message
    )


def test_two_headers_for_one_column_is_ambiguous():
    with pytest.raises(InputError, match="'customer_id' is ambiguous"):
        match_columns([*REFERENCE_HEADER, "id"], ALIASES, Path("f.csv"))


def test_empty_and_header_only_files_are_fatal(tmp_path):
    empty = tmp_path / "empty.csv"
    empty.write_text("")
    with pytest.raises(InputError, match=r"empty\.csv: is empty"):
        inspect_file(empty, ALIASES)
    header_only = tmp_path / "header.csv"
    header_only.write_text(",".join(REFERENCE_HEADER) + "\n")
    with pytest.raises(InputError, match=r"header\.csv: no data rows"):
        inspect_file(header_only, ALIASES)


def test_an_unreadable_file_is_named(tmp_path):
    garbage = tmp_path / "garbage.parquet"
    garbage.write_bytes(b"not parquet at all")
    with pytest.raises(InputError, match=r"garbage\.parquet: cannot be read"):
        inspect_file(garbage, ALIASES)


def test_a_transactions_file_is_matched_by_alias_with_optional_columns():
    headers = ["InvoiceNo", "CustomerID", "InvoiceDate", "Amount", "Country"]
    mapping, extra = match_columns(headers, ALIASES, Path("t.csv"), TRANSACTION_FILE)
    assert mapping == {
        "customer_id": "CustomerID",
        "purchase_date": "InvoiceDate",
        "amount": "Amount",
        "order_id": "InvoiceNo",
    }
    assert extra == ("Country",)


def test_unit_price_and_quantity_stand_in_for_a_missing_amount():
    headers = ["CustomerID", "InvoiceDate", "UnitPrice", "Quantity"]
    mapping, _ = match_columns(headers, ALIASES, Path("t.csv"), TRANSACTION_FILE)
    assert "amount" not in mapping
    assert mapping["unit_price"] == "UnitPrice" and mapping["quantity"] == "Quantity"
    with pytest.raises(InputError) as raised:
        match_columns(headers[:3], ALIASES, Path("t.csv"), TRANSACTION_FILE)
    message = str(raised.value)
    assert message.startswith("transactions file t.csv: required column 'amount'")
    assert "or unit_price and quantity to compute it from" in message


def test_beside_transactions_the_customer_file_needs_no_spending_score():
    from customer_segmentation.inputs.files import CUSTOMER_FILE_BESIDE_TRANSACTIONS

    mapping, _ = match_columns(
        REFERENCE_HEADER[:4], ALIASES, Path("c.csv"), CUSTOMER_FILE_BESIDE_TRANSACTIONS
    )
    assert "spending_score" not in mapping
    with pytest.raises(InputError, match="required column 'spending_score'"):
        match_columns(REFERENCE_HEADER[:4], ALIASES, Path("c.csv"), CUSTOMER_FILE)


def test_a_parquet_file_of_typed_columns_is_not_read_for_its_formats(tmp_path):
    # typed numbers and ids cannot be ambiguous: only text columns are looked
    # at, so the rows are counted from the file's metadata
    path = tmp_path / "typed.parquet"
    with duckdb.connect() as con:
        con.execute(
            "copy (select 7::bigint as CustomerID, 'F' as Gender, 30 as Age,"
            ' 15.5::double as "Annual Income (k$)",'
            " '1.234,5' as \"Spending Score (1-100)\")"
            f" to {sql_literal(str(path))} (format parquet)"
        )
    found = inspect_file(path, ALIASES)
    assert found.data_rows == 1
    # the text column alone speaks: a decimal comma, the typed 15.5 unheard
    assert (found.evidence.comma_decimals, found.evidence.point_decimals) == (1, 0)
    typed = {"id": "BIGINT", "gender": "VARCHAR", "age": "INTEGER"}
    mapping = {"customer_id": "id", "gender": "gender", "age": "age"}
    assert evidence_sql(mapping, typed) == []
    assert [name for name, _ in evidence_sql(mapping)][-1] == "whole_number_ids"
    fractional_ids = {**typed, "id": "DOUBLE"}
    assert [n for n, _ in evidence_sql(mapping, fractional_ids)] == ["whole_number_ids"]
