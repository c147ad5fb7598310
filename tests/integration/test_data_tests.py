"""Every dbt data test can fail: none repeats a constraint DuckDB enforces."""

import json

# Generic tests and the constraint that already makes each one pass.
REPEATS = {
    "not_null": {"not_null", "primary_key"},
    "unique": {"unique", "primary_key"},
    "accepted_values": {"check"},
    "accepted_range": {"check"},
}


def column_constraints(model: dict) -> dict[str, set[str]]:
    """Column -> the constraint types enforced on it (model-level included)."""
    found: dict[str, set[str]] = {
        name: {c["type"] for c in column.get("constraints", [])}
        for name, column in model["columns"].items()
    }
    for constraint in model.get("constraints", []):
        for name in constraint.get("columns", []):
            found.setdefault(name, set()).add(constraint["type"])
            if constraint["type"] == "primary_key" and len(constraint["columns"]) > 1:
                found[name].discard("primary_key")  # only the combination is unique
                found[name].add("not_null")
    return found


def repeated_constraints(manifest: dict) -> list[str]:
    """The data tests that check what an enforced contract constraint checks."""
    repeated = []
    for test in manifest["nodes"].values():
        if test["resource_type"] != "test" or not test.get("test_metadata"):
            continue
        model = manifest["nodes"].get(test.get("attached_node") or "")
        if not model or not model["config"].get("contract", {}).get("enforced"):
            continue
        name = test["test_metadata"]["name"]
        if name == "unique_combination_of_columns":
            columns = test["test_metadata"]["kwargs"]["combination_of_columns"]
            keys = [
                c["columns"]
                for c in model.get("constraints", [])
                if c["type"] in ("primary_key", "unique")
            ]
            if sorted(columns) in [sorted(k) for k in keys]:
                repeated.append(test["name"])
            continue
        enforced = column_constraints(model).get(test.get("column_name") or "", set())
        if enforced & REPEATS.get(name, set()):
            repeated.append(test["name"])
    return repeated


def test_no_data_test_repeats_an_enforced_constraint(demo_run):
    manifest = json.loads((demo_run.target_dir / "manifest.json").read_text())
    assert repeated_constraints(manifest) == []


def test_the_check_finds_a_repeated_constraint(demo_run):
    manifest = json.loads((demo_run.target_dir / "manifest.json").read_text())
    segments = manifest["nodes"]["model.customer_segmentation.customer_segments"]
    summary = manifest["nodes"]["model.customer_segmentation.cluster_summary"]
    manifest["nodes"]["test.repeat.not_null"] = {
        "resource_type": "test",
        "name": "not_null_customer_segments_gender",
        "attached_node": segments["unique_id"],
        "column_name": "gender",
        "test_metadata": {"name": "not_null", "kwargs": {}},
    }
    manifest["nodes"]["test.repeat.unique"] = {
        "resource_type": "test",
        "name": "unique_cluster_summary_cluster_id",
        "attached_node": summary["unique_id"],
        "column_name": "cluster_id",
        "test_metadata": {"name": "unique", "kwargs": {}},
    }
    assert sorted(repeated_constraints(manifest)) == [
        "not_null_customer_segments_gender",
        "unique_cluster_summary_cluster_id",
    ]
