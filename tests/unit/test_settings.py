import re

import pytest

from customer_segmentation.segment_model.settings import (
    ClusteringSettings,
    SettingsError,
    check_run_vars,
    settings_fingerprint,
    settings_from_vars,
)


def test_blank_or_missing_vars_keep_the_defaults():
    assert settings_from_vars({}) == ClusteringSettings()
    assert settings_from_vars(None) == ClusteringSettings()
    assert settings_from_vars({"k": "", "k_min": "None", "n_init": None}) == (
        ClusteringSettings()
    )


def test_vars_arrive_as_text_and_are_parsed():
    settings = settings_from_vars(
        {
            "cluster_features": "['age', 'spending_score']",
            "k": "4",
            "k_max": 12,
            "segment_name_threshold": "0.75",
        }
    )
    assert settings.features == ("age", "spending_score")
    assert settings.k_override == 4
    assert settings.k_max == 12
    assert settings.name_threshold == 0.75


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ({"k": "four"}, "var k='four' is not a whole number; it accepts 2..30"),
        ({"k": "1"}, "var k=1 is out of range; it accepts 2..30"),
        ({"k_max": "99"}, "var k_max=99 is out of range"),
        ({"cluster_features": "income"}, "var cluster_features='income' is not usable"),
        ({"cluster_features": "age"}, "two or more distinct names"),
        ({"cluster_features": "age,age"}, "two or more distinct names"),
        ({"k_min": "4", "k_max": "5"}, "k_max must be at least k_min + 2"),
        (
            {"segment_name_threshold": "-1"},
            "var segment_name_threshold='-1' is not usable",
        ),
        ({"n_init": "0"}, "var n_init=0 is out of range"),
        ({"elbow_sample_size": "10"}, "var elbow_sample_size=10 is out of range"),
        ({"max_match_distance": "far"}, "var max_match_distance='far' is not"),
    ],
)
def test_bad_values_name_the_var_and_what_it_accepts(raw, message):
    with pytest.raises(SettingsError, match=re.escape(message)):
        settings_from_vars(raw)


def test_the_fingerprint_changes_with_any_clustering_setting():
    default = settings_fingerprint(ClusteringSettings())
    assert settings_fingerprint(settings_from_vars({})) == default
    for changed in (
        {"k": "4"},
        {"cluster_features": "age,spending_score"},
        {"elbow_sample_size": "5000"},
        {"random_state": "1"},
    ):
        assert settings_fingerprint(settings_from_vars(changed)) != default, changed


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ({"outlier_radius_multiple": "-2"}, "var outlier_radius_multiple='-2'"),
        ({"max_drift_ratio": "0.5"}, "var max_drift_ratio='0.5' is not usable"),
        ({"model_mode": "score"}, "unknown var 'model_mode'"),
        ({"rfm_as_of": "01/07/2026"}, "var rfm_as_of='01/07/2026' is not a date"),
        ({"rfm_score_method": "quartile"}, "var rfm_score_method='quartile'"),
        ({"rfm_cut_points": {"frequency": [1, 2, 3]}}, "at 'frequency'"),
        ({"rfm_cut_points": {"frequency": [1, 3, 2, 4]}}, "at 'frequency'"),
        ({"rfm_cut_points": {"recency": [1, 2, 3, 4]}}, "at 'recency'"),
        ({"rfm_cut_points": "1,2,3,4"}, "var rfm_cut_points='1,2,3,4'"),
    ],
)
def test_run_level_vars_are_checked_too(raw, message):
    with pytest.raises(SettingsError, match=re.escape(message)):
        check_run_vars(raw)


def test_rfm_vars_reach_dbt_as_parsed_values():
    _, parsed = check_run_vars(
        {
            "rfm_as_of": " 2026-07-01 ",
            "rfm_score_method": "ntile",
            "rfm_cut_points": {"monetary": ["10", 20, 40.5, "1e3"]},
        }
    )
    assert parsed == {
        "rfm_as_of": "2026-07-01",
        "rfm_score_method": "ntile",
        "rfm_cut_points": {"monetary": [10.0, 20.0, 40.5, 1000.0]},
    }
