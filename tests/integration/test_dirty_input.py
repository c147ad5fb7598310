"""A dirty export: every bad row is kept with its reason, the rest segment as before."""

import pytest
from customer_files import read_rows, write_csv
from pipeline_runs import numbering_models, require_success, run_pipeline

BAD_ROWS = {
    "missing_customer_id": ["", "Male", "30", "50", "50"],
    "missing_age": ["9002", "Male", "", "50", "50"],
    "non_numeric_age": ["9003", "Male", "thirty", "50", "50"],
    "missing_annual_income": ["9004", "Male", "30", " ", "50"],
    "non_numeric_annual_income": ["9005", "Male", "30", "50k", "50"],
    "missing_spending_score": ["9006", "Male", "30", "50", ""],
    "non_numeric_spending_score": ["9007", "Male", "30", "50", "high"],
    "age_not_whole_number": ["9008", "Male", "30.5", "50", "50"],
    "age_out_of_range": ["9009", "Male", "130", "50", "50"],
    "negative_annual_income": ["9010", "Male", "30", "-1", "50"],
    "spending_score_not_whole_number": ["9011", "Male", "30", "50", "50.5"],
    "spending_score_out_of_range": ["9012", "Male", "30", "50", "0"],
}
CONFLICTING = [
    ["9013", "Female", "30", "50", "50"],
    ["9013", "Female", "31", "50", "50"],
]
SPELLINGS = {"Male": ["M", " male", "MALE "], "Female": ["f", " FEMALE", "female"]}


@pytest.fixture(scope="module")
def dirty(tmp_path_factory, baseline_file):
    header, rows = read_rows(baseline_file)
    dirty_rows = [list(row) for row in rows]
    for i, row in enumerate(dirty_rows[:30]):
        row[1] = SPELLINGS[row[1]][i % 3]
    dirty_rows[40][1] = ""
    repeated = [list(rows[5]), list(rows[17]), list(rows[17])]
    dirty_rows += repeated
    expected = {}
    for reason, row in BAD_ROWS.items():
        dirty_rows.append(row)
        expected[len(dirty_rows)] = reason
    for row in CONFLICTING:
        dirty_rows.append(row)
        expected[len(dirty_rows)] = "conflicting_duplicate_id"
    folder = tmp_path_factory.mktemp("dirty")
    path = write_csv(folder / "dirty.csv", header, dirty_rows)
    run = require_success(run_pipeline(folder / "run", path))
    return {"run": run, "rows": rows, "dirty_rows": dirty_rows, "expected": expected}


def test_every_bad_row_is_rejected_with_its_reason(dirty):
    rejected = dict(
        dirty["run"].query(
            "select source_row_number, reject_reason from rejected_customers"
        )
    )
    assert rejected == dirty["expected"]


def test_only_a_file_with_rejects_has_its_lines_numbered(dirty):
    numbering = numbering_models(dirty["run"].target_dir)
    assert {m for m in numbering if "customer" in m} == {"rejected_customers"}


def test_rejected_rows_keep_their_raw_values(dirty):
    row = dirty["run"].query(
        "select customer_id, gender, age, annual_income_k, spending_score"
        " from rejected_customers where reject_reason = 'non_numeric_annual_income'"
    )
    assert row == [("9005", "Male", "30", "50k", "50")]


def test_every_input_row_is_accounted_for(dirty):
    [audit] = dirty["run"].query(
        "select input_rows, clean_customers, duplicate_rows_removed, rejected_rows,"
        " conflicting_duplicate_id_rows, missing_age_rows from load_audit"
    )
    assert audit == (len(dirty["dirty_rows"]), len(dirty["rows"]), 3, 14, 2, 1)


def test_clean_customers_keep_their_segments(dirty, baseline_run):
    segments = "select customer_id, cluster_id, segment_name from customer_segments"
    assert sorted(dirty["run"].query(segments)) == sorted(baseline_run.query(segments))


def test_gender_spellings_normalise_and_blank_is_unknown(dirty, baseline_run):
    genders = "select customer_id, gender from customer_segments"
    cleaned = dict(dirty["run"].query(genders))
    original = dict(baseline_run.query(genders))
    blank_id = str(int(dirty["rows"][40][0]))
    assert cleaned.pop(blank_id) == "Unknown"
    original.pop(blank_id)
    assert cleaned == original


# Spellings exports use, by the gender they stand for (issue 34: all of them
# were Unknown, with no word).
SPELLED = {
    "Female": ["Femenino", "Weiblich", "W", "Femme", "féminin"],
    "Male": ["Masculino", "Männlich", "Homme", "h", "MANN"],
}


def test_genders_are_read_in_many_spellings_and_unknown_ones_are_named(
    baseline_file, baseline_run, tmp_path
):
    header, rows = read_rows(baseline_file)
    spelled = []
    for number, row in enumerate(rows):
        if number % 10 == 0:
            gender = "Fémale"  # a spelling nobody lists: stays Unknown
        else:
            choices = SPELLED[row[1]]
            gender = choices[number % len(choices)]
        spelled.append([row[0], gender, *row[2:]])
    path = write_csv(tmp_path / "spelled.csv", header, spelled)

    run = require_success(run_pipeline(tmp_path / "run", path))

    expected = {
        row[0]: "Unknown" if number % 10 == 0 else row[1]
        for number, row in enumerate(rows)
    }
    assert (
        dict(run.query("select customer_id, gender from customer_segments")) == expected
    )
    warnings = [line for line in run.stdout.splitlines() if "gender Unknown" in line]
    assert warnings == [
        "Warning: 10% of customers (20 of 200) have gender Unknown; the file "
        "spells it 'Fémale' 20. Add spellings to seeds/gender_spellings.csv to "
        "read them."
    ]
    # the segments do not depend on gender
    assert run.query(
        "select count(*) from customer_segments group by cluster_id order by 1"
    ) == (
        baseline_run.query(
            "select count(*) from customer_segments group by cluster_id order by 1"
        )
    )
