"""How dbt reads the inputs: each one's format, decided from what inspecting
it found, on either engine."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from customer_segmentation.inputs.files import FileColumns, FileKind
from customer_segmentation.inputs.formats import FileFormat, file_format
from customer_segmentation.inputs.tables import InputTable


def decide_formats(
    inputs: Iterable[tuple[FileKind, Path | InputTable | None, FileColumns | None]],
    dbt_vars: dict[str, object],
) -> tuple[dict[str, FileFormat], bool]:
    """How dbt reads each input file (inputs/formats.py), and whether ids are whole
    numbers in every file. No file at all (the demo seed): nothing, so the
    staging models decide from the seed."""
    given = [(kind, path, found) for kind, path, found in inputs if found]
    if not given:
        return {}, True
    formats = {
        kind.view: (
            file_format(
                found.evidence,
                kind.label,
                path,
                number_format=dbt_vars.get("number_format"),
                date_format=dbt_vars.get("date_format"),
            )
            if found
            else FileFormat()
        )
        for kind, path, found in inputs
    }
    return formats, all(found.evidence.whole_number_ids for _, _, found in given)
