"""Both PBIP projects as files, the manifest that says which files are ours,
and writing them without touching anyone's edits; the command line."""

from __future__ import annotations

import argparse
import json
import os
from pathlib import Path

from customer_segmentation.messages import first_few, plural
from customer_segmentation.powerbi.pages import report_definition
from customer_segmentation.powerbi.schema_urls import (
    PBIP_SCHEMA,
    PBIR_SCHEMA,
    PBISM_SCHEMA,
    PLATFORM_SCHEMA,
)
from customer_segmentation.powerbi.semantic_model import (
    MODES,
    StorageMode,
    Table,
    load_tables,
)
from customer_segmentation.powerbi.tmdl import model_files, tag
from customer_segmentation.publishing import beneath
from customer_segmentation.publishing.ownership import (
    Manifest,
    digest_bytes,
    is_unchanged,
    read_manifest,
)


def platform(kind: str, mode: StorageMode) -> dict:
    return {
        "$schema": PLATFORM_SCHEMA,
        "metadata": {"type": kind, "displayName": mode.project},
        "config": {"version": "2.0", "logicalId": tag("item", kind, mode.project)},
    }


def as_json(value: object) -> str:
    return json.dumps(value, indent=2, ensure_ascii=False) + "\n"


def project_files(tables: list[Table]) -> dict[str, str]:
    """Every file of the projects, by path relative to powerbi/."""
    files = {".gitignore": "**/.pbi/localSettings.json\n**/.pbi/cache.abf\n"}
    definition = report_definition()
    for mode in MODES:
        report, model = f"{mode.project}.Report", f"{mode.project}.SemanticModel"
        files[f"{mode.project}.pbip"] = as_json(
            {
                "$schema": PBIP_SCHEMA,
                "version": "1.0",
                "artifacts": [{"report": {"path": report}}],
                "settings": {"enableAutoRecovery": True},
            }
        )
        files[f"{model}/.platform"] = as_json(platform("SemanticModel", mode))
        files[f"{model}/definition.pbism"] = as_json(
            {"$schema": PBISM_SCHEMA, "version": "4.2", "settings": {}}
        )
        for path, text in model_files(tables, mode).items():
            files[f"{model}/{path}"] = text
        files[f"{report}/.platform"] = as_json(platform("Report", mode))
        files[f"{report}/definition.pbir"] = as_json(
            {
                "$schema": PBIR_SCHEMA,
                "version": "4.0",
                "datasetReference": {"byPath": {"path": f"../{model}"}},
            }
        )
        for path, value in definition.items():
            files[f"{report}/definition/{path}"] = as_json(value)
    return files


MANIFEST_FILE = ".customer-segmentation-manifest"
MANIFEST_OWNER = "customer-segmentation Power BI projects"


class EditedFiles(Exception):
    """Generated files that were changed since: regenerating would lose the edits."""


def with_manifest(files: dict[str, str]) -> dict[str, str]:
    """The files plus the manifest that lists them (one home of ownership)."""
    listed = {path: digest_bytes(text.encode("utf-8")) for path, text in files.items()}
    manifest = Manifest(MANIFEST_OWNER, listed)
    return {**files, MANIFEST_FILE: manifest.to_text()}


def conflicts(out: Path, files: dict[str, str], previous: Manifest | None) -> list[str]:
    """Files the write would overwrite that it cannot vouch for.

    A file is overwritten only when it already holds the new text, or the
    previous manifest lists it unchanged.
    """
    clashes = []
    for relative, text in files.items():
        path = out / relative
        if beneath.through_link(out, relative):
            clashes.append(relative)  # a link: whatever it leads to is not ours
            continue
        if relative == MANIFEST_FILE or not os.path.lexists(path):
            continue
        if path.is_file():
            if path.read_bytes() == text.encode("utf-8"):
                continue
            listed = previous.files.get(relative) if previous else None
            if listed and is_unchanged(out, relative, listed):
                continue
        clashes.append(relative)
    return clashes


def generate(target: Path, out: Path) -> list[Path]:
    """Write both projects into ``out``, touching only what this generator owns.

    Edited generated files (Power BI Desktop saves into them) stop the
    write before anything is written; files it never generated are left
    alone; files it generated before and no longer does are removed only
    when unchanged.
    """
    manifest = json.loads((target / "manifest.json").read_text(encoding="utf-8"))
    catalog = json.loads((target / "catalog.json").read_text(encoding="utf-8"))
    files = with_manifest(project_files(load_tables(manifest, catalog)))
    previous = read_manifest(out, MANIFEST_FILE, MANIFEST_OWNER)
    edited = conflicts(out, files, previous)
    if edited:
        raise EditedFiles(
            f"{out}: {plural(len(edited), 'file')} changed since this generator "
            f"wrote them ({first_few(edited)}); regenerating would overwrite "
            "your edits (Power BI Desktop saves into these files). Copy them "
            "elsewhere, restore the generated files (git checkout), and run "
            "again. Nothing was written."
        )
    written = []
    out.mkdir(parents=True, exist_ok=True)
    for relative, text in sorted(files.items()):
        beneath.write_file(out, relative, text.encode("utf-8"))
        written.append(out / relative)
    for relative in sorted(set(previous.files) - set(files) if previous else ()):
        # generated before, no longer
        beneath.unlink_if_unchanged(out, relative, previous.files[relative])
    return written


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--target", type=Path, default=Path("target"))
    parser.add_argument("--out", type=Path, default=Path("powerbi"))
    args = parser.parse_args(argv)
    try:
        written = generate(args.target, args.out)
    except EditedFiles as error:
        raise SystemExit(f"powerbi: error: {error}") from None
    print(f"wrote {len(written)} files to {args.out}/")


if __name__ == "__main__":
    main()
