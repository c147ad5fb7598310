"""docs/running.md's table of vars is checked against where each default lives."""

import re

import yaml
from pipeline_runs import REPO

from customer_segmentation.lifetime_value.tables import ClvSettings
from customer_segmentation.segment_model.settings import (
    PARSERS,
    SQL_VARS,
    ClusteringSettings,
)

HEADER = "| var | default | meaning |"


def readme_var_rows() -> dict[str, str]:
    """var -> default, as docs/running.md's table of vars states them."""
    text = (REPO / "docs" / "running.md").read_text(encoding="utf-8")
    table = text[text.index(HEADER) :].split("\n\n", 1)[0].splitlines()[2:]
    rows: dict[str, str] = {}
    for line in table:
        names, defaults = (cell.strip() for cell in line.strip("|").split("|")[:2])
        names = re.findall(r"`(\w+)`", names)
        values = [v.strip().strip("`") for v in defaults.split(", ")]
        if len(values) != len(names):  # one default shared, e.g. a list
            values = [defaults.strip("`")] * len(names)
        rows.update(zip(names, values, strict=True))
    return rows


# Read by the lifetime-value Python models, which hold their defaults.
CLV_DEFAULTS = {
    "clv_horizon_weeks": "horizon_weeks",
    "clv_discount_rate": "discount_rate",
}


def home_default(name: str) -> str:
    """A var's default where it is defined: segment_model/settings.py,
    lifetime_value/tables.py, or dbt_project.yml."""
    if name in CLV_DEFAULTS:
        return str(getattr(ClvSettings(), CLV_DEFAULTS[name]))
    if name in SQL_VARS:
        project = yaml.safe_load((REPO / "dbt_project.yml").read_text())
        value = project["vars"][name]
        if isinstance(value, bool):  # as YAML writes it
            return str(value).lower()
        return "none" if value is None else str(value)
    value = getattr(ClusteringSettings(), PARSERS[name][0])
    if value is None:
        return "none"
    return ",".join(value) if isinstance(value, tuple) else str(value)


def test_the_guide_lists_every_var_with_its_real_default():
    rows = readme_var_rows()
    assert sorted(rows) == sorted([*PARSERS, *SQL_VARS])
    assert {name: home_default(name) for name in rows} == rows
