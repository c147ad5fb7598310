"""Every dialect macro (macros/portable, and the macros built on them) gives
the same answers on DuckDB and on Spark.

Each case is a macro call and the value DuckDB, the reference, gives; one
`dbt show` per engine evaluates them all as the columns of one row.
"""

import json
import os
import subprocess
from pathlib import Path

import pytest
from spark_runs import REPO, SPARK_BIN, spark_env

# (column, expression with macro calls, expected); an expression given as
# {engine: sql} spells a literal the engines write differently.
CASES = [
    ("full_match_digits", "full_match(\"'0042'\", '[+-]?[0-9]+')", True),
    ("full_match_part", "full_match(\"'4.2'\", '[+-]?[0-9]+')", False),
    ("full_match_point", "full_match(\"'a.b'\", '[a-z][.][a-z]')", True),
    ("full_match_any", "full_match(\"'axb'\", '[a-z][.][a-z]')", False),
    ("is_finite_nan", "is_finite(\"cast('nan' as double)\")", False),
    ("is_finite_inf", "is_finite(\"cast('-inf' as double)\")", False),
    ("is_finite_number", "is_finite('1.5e300')", True),
    ("text_to_double_exponent", "text_to_double(\"'-1.5e3'\")", -1500.0),
    ("text_to_double_java_suffix", "text_to_double(\"'15d'\")", None),
    ("text_to_double_hex", "text_to_double(\"'0x1p3'\")", None),
    ("text_to_double_word", "text_to_double(\"'fifteen'\")", None),
    ("text_to_double_nan", "is_finite(text_to_double(\"'NaN'\"))", False),
    (
        "trim_white_space",
        "trim_white_space(\"chr(9) || ' x y ' || chr(13) || chr(10)\")",
        "x y",
    ),
    (
        "integers_between",
        "'(select sum(n) * 100 + count(*) from (select ' "
        "~ integers_between(2, 5) ~ ' as n) as numbers)'",
        1404,
    ),
    (
        "array_sum",
        {
            "duckdb": "array_sum('list_value(0.25, 0.5, 1.0)')",
            "spark": "array_sum('array(0.25d, 0.5d, 1.0d)')",
        },
        1.75,
    ),
    (
        "array_element",
        {
            "duckdb": "array_element('list_value(0.25, 0.5)', 2)",
            "spark": "array_element('array(0.25d, 0.5d)', 2)",
        },
        0.5,
    ),
    (
        "array_element_past_the_end",
        {
            "duckdb": "array_element('list_value(0.25, 0.5)', 3)",
            "spark": "array_element('array(0.25d, 0.5d)', 3)",
        },
        None,
    ),
    (
        "whole_number_type",
        "'cast(cast(' ~ \"'-0042'\" ~ ' as ' ~ whole_number_type() ~ ') as string)'",
        "-42",
    ),
    (
        "whole_number_type_38_digits",
        "'cast(cast(' ~ \"'\" ~ '9' * 38 ~ \"'\" ~ ' as ' ~ whole_number_type()"
        " ~ ') as string)'",
        "9" * 38,
    ),
    (
        "hash64_same_input",
        "hash64([\"'a'\", '1']) ~ ' = ' ~ hash64([\"'a'\", '1'])",
        True,
    ),
    ("hash64_other_input", "hash64([\"'a'\"]) ~ ' != ' ~ hash64([\"'b'\"])", True),
    (
        "file_row_number",
        "'(select max(n) from (select ' ~ file_row_number() ~ ' as n from "
        "(values (1), (2), (3)) as t (x)) as numbered)'",
        3,
    ),
    ("number_text_half_to_even", "number_text('2.5', 0)", "2"),
    ("number_text_half_up", "number_text('3.5', 0)", "4"),
    ("number_text_places", "number_text('1234.5678', 1)", "1234.6"),
    ("number_text_null", "number_text('cast(null as double)', 0)", None),
    ("parse_date_iso", "parse_date(\"'2024-03-31'\", 'null')", "2024-03-31"),
    (
        "parse_date_iso_time",
        "parse_date(\"'2024-03-31 08:26:00'\", 'null')",
        "2024-03-31",
    ),
    ("parse_date_compact", "parse_date(\"'20240331'\", 'null')", "2024-03-31"),
    ("parse_date_year_alone", "parse_date(\"'2024'\", 'null')", None),
    ("parse_date_word", "parse_date(\"'soon'\", \"'day_first'\")", None),
    (
        "parse_date_day_first",
        "parse_date(\"'31/03/2024'\", \"'day_first'\")",
        "2024-03-31",
    ),
    (
        "parse_date_month_first_time",
        "parse_date(\"'3/31/2024 8:26'\", \"'month_first'\")",
        "2024-03-31",
    ),
    (
        "parse_date_short_year",
        "parse_date(\"'31.03.24'\", \"'day_first'\")",
        "2024-03-31",
    ),
    ("parse_date_1900s", "parse_date(\"'31/03/75'\", \"'day_first'\")", "1975-03-31"),
    (
        "parse_number_thousands",
        "parse_number(\"'1,234.5'\", \"'.'\")",
        1234.5,
    ),
    ("parse_number_comma_decimal", "parse_number(\"'1.234,5'\", \"','\")", 1234.5),
    ("parse_number_bad_grouping", "parse_number(\"'15,5'\", \"'.'\")", None),
    ("parse_number_infinite", "parse_number(\"'inf'\", \"'.'\")", None),
    ("raw_text", "raw_text(\"' 42' || chr(13)\")", "42"),
    ("raw_text_blank", "raw_text(\"chr(9) || ' '\")", None),
    (
        "canonical_id",
        "canonical_id(\"'007'\", 'true') ~ ' || ' ~ canonical_id(\"'007'\", 'false')",
        "7007",
    ),
]


def inline_sql(engine: str) -> str:
    columns = []
    for column, expression, _ in CASES:
        call = expression[engine] if isinstance(expression, dict) else expression
        columns.append(f"{{{{ {call} }}}} as {column}")
    return "select\n    " + ",\n    ".join(columns)


def show(engine: str, folder: Path) -> dict:
    env = spark_env(folder)
    if engine == "duckdb":
        dbt = REPO / ".venv" / "bin" / "dbt"
        target = "local"
        env["SEGMENTS_WAREHOUSE"] = str(folder / "warehouse.duckdb")
    else:
        dbt = SPARK_BIN / "dbt"
        target = "spark_local"
    result = subprocess.run(
        [
            str(dbt),
            "show",
            "--inline",
            inline_sql(engine),
            "--output",
            "json",
            "--target",
            target,
            "--target-path",
            str(folder / "target"),
            "--log-path",
            str(folder / "logs"),
            "--quiet",
        ],
        cwd=REPO,
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, (result.stdout + result.stderr)[-3000:]
    (row,) = json.loads(result.stdout[result.stdout.index("{") :])["show"]
    return row


@pytest.mark.parametrize("engine", ["duckdb", "spark"])
def test_every_dialect_macro_gives_the_reference_answer(engine, tmp_path):
    row = show(engine, tmp_path)
    wrong = {
        column: (row[column], expected)
        for column, _, expected in CASES
        if row[column] != expected
    }
    assert not wrong, f"{engine}: column: (got, expected) {wrong}"
