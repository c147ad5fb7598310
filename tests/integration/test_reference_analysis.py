"""The Mall Customers analysis, reproduced exactly from ../shared/data."""

import pytest
from pipeline_runs import numbering_models

pytestmark = pytest.mark.reference


def test_elbow_chooses_five_clusters_by_the_knee(reference_run):
    chosen = reference_run.query(
        "select k, selection_rule from elbow_curve where is_chosen"
    )
    assert chosen == [(5, "knee")]
    tried = reference_run.query("select k from elbow_curve order by k")
    assert [k for (k,) in tried] == list(range(1, 11))
    metrics = reference_run.query(
        "select count(*) from elbow_curve where k >= 2 and silhouette is not null"
        " and davies_bouldin is not null and calinski_harabasz is not null"
    )
    assert metrics == [(9,)]


def test_cluster_sizes(reference_run):
    sizes = reference_run.query(
        "select customers from cluster_summary order by customers desc"
    )
    assert [n for (n,) in sizes] == [81, 39, 35, 23, 22]


def test_named_segments_and_their_spending(reference_run):
    rows = reference_run.query(
        "select segment_name, customers, round(avg_spending_score, 2)"
        " from cluster_summary"
    )
    by_name = {name: (n, score) for name, n, score in rows}
    assert by_name["High Income, High Spend"] == (39, 82.13)
    assert by_name["Low Income, High Spend"] == (22, 79.36)
    assert by_name["Average"][0] == 81
    assert by_name["High Income, Low Spend"][0] == 35
    assert by_name["Low Income, Low Spend"][0] == 23


def test_overview_ratio_and_gender_split(reference_run):
    [(customers, income, score, ratio, female, male)] = reference_run.query(
        "select customers, round(avg_annual_income_k, 2),"
        " round(avg_spending_score, 2), round(income_to_spend_ratio, 2),"
        " female_share, male_share from segment_overview"
    )
    assert (customers, income, score, ratio) == (200, 60.56, 50.2, 1.21)
    assert (female, male) == (0.56, 0.44)
    genders = reference_run.query(
        "select gender, sum(customers) from gender_dist group by gender order by 1"
    )
    assert genders == [("Female", 112), ("Male", 88)]


def test_age_band_counts(reference_run):
    bands = reference_run.query(
        "select age_band, sum(customers) from age_groups"
        " group by age_band, age_band_order order by age_band_order"
    )
    assert bands == [
        ("<=20", 17),
        ("21-30", 45),
        ("31-40", 60),
        ("41-50", 38),
        ("51-60", 23),
        ("61+", 17),
    ]


def test_nothing_rejected_from_the_clean_reference_file(reference_run):
    assert reference_run.query("select count(*) from rejected_customers") == [(0,)]


def test_segment_descriptions_say_where_each_segment_sits(reference_run):
    descriptions = dict(
        reference_run.query(
            "select segment_name, segment_description from cluster_summary"
        )
    )
    assert descriptions["Low Income, High Spend"] == (
        "Youngest segment (average 25 vs 39 overall); income well below average "
        "(26 k$ vs 61 k$); spending well above average (score 79 vs 50); "
        "59% female (56% overall)."
    )
    assert descriptions["Low Income, Low Spend"].startswith("Oldest segment")
    assert descriptions["High Income, Low Spend"].startswith(
        "Age about average (average 41 vs 39 overall); income well above average"
    )


def test_a_clean_file_is_never_numbered(reference_run):
    # rejected_customers numbers the file's lines only when a row was
    # rejected; no model numbers the rows of a clean file
    assert reference_run.query("select count(*) from rejected_customers") == [(0,)]
    assert numbering_models(reference_run.target_dir) == set()
