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


def generic_test(test: str, model: str, column: str) -> dict:
    """A manifest node for a generic test of one column."""
    return {
        "resource_type": "test",
        "name": f"{test}_{model}_{column}",
        "attached_node": f"model.customer_segmentation.{model}",
        "column_name": column,
        "test_metadata": {"name": test, "kwargs": {}},
    }


def test_the_check_finds_a_repeated_constraint(demo_run):
    manifest = json.loads((demo_run.target_dir / "manifest.json").read_text())
    # not null on a not-null column; unique on a primary key
    for test, model, column in [
        ("not_null", "customer_segments", "gender"),
        ("unique", "cluster_summary", "cluster_id"),
    ]:
        manifest["nodes"][f"test.repeat.{test}"] = generic_test(test, model, column)

    assert sorted(repeated_constraints(manifest)) == [
        "not_null_customer_segments_gender",
        "unique_cluster_summary_cluster_id",
    ]
