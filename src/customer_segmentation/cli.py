"""`segments`: build, test and publish customer segments from your files.

`segments run` checks the settings, builds with dbt, publishes and reports.

`segments run --refit` fits a new model even when the saved one applies, and
moves aside what the publish folder's manifest does not vouch for.
`segments docs` and `segments powerbi` run `dbt docs generate` (and the
Power BI generator) under the same locks, so they wait for a run.

Environment (all optional; a path variable set but empty is an error):
  SEGMENTS_INPUT        customer file, .csv or .parquet (default: the demo seed)
  SEGMENTS_TRANSACTIONS transactions file, .csv or .parquet, or `demo` (default: none)
  SEGMENTS_PUBLISH_DIR  where the published files go (default: publish/)
  SEGMENTS_VARS         dbt vars as YAML or JSON, e.g. '{k: 4}'
  SEGMENTS_WAREHOUSE    dbt's working DuckDB file (default: <target>/warehouse.duckdb)
  DBT_TARGET_PATH       dbt's target folder (default: target/)
  SEGMENTS_LOCK_TIMEOUT seconds to wait for another run on the same folders (1800)
  SEGMENTS_TIMINGS      write each stage's wall time (seconds) to this JSON file

Any failure, and Ctrl-C, ends with one line on stderr; the full detail of an unexpected
one, or of a library error behind an expected one, is appended to
<target>/segments.log.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from contextlib import suppress
from importlib import metadata
from pathlib import Path

from customer_segmentation.inputs.files import (
    InputError,
)
from customer_segmentation.inputs.formats import FormatError
from customer_segmentation.messages import (
    GIVEN_OPTIONS,
    OPTION_VARIABLES,
    one_line,
    say,
    write_detail,
)
from customer_segmentation.powerbi.project import EditedFiles, generate
from customer_segmentation.publishing import beneath
from customer_segmentation.publishing.locking import LockBusy, lock_timeout, run_locks
from customer_segmentation.publishing.publish_folder import (
    PublishError,
    delete_owned,
    inspect_folder,
)
from customer_segmentation.publishing.target_folder import (
    TargetError,
    add_file,
    check_target,
    claim_target,
    clean_target,
    is_owned,
    owned_listing,
    owned_target,
)
from customer_segmentation.publishing.warehouse import WarehouseError
from customer_segmentation.run_steps import claim_folders, generate_docs, run
from customer_segmentation.running.plan import Folders, UsageError
from customer_segmentation.segment_model.settings import (
    SettingsError,
)
from customer_segmentation.segment_model.store import (
    HistoryError,
)

LOG_FILE = "segments.log"

# Errors that say what went wrong and what to do; anything else is a bug
# or an environment problem, reported in one line with its detail logged.
EXPECTED_ERRORS = (
    UsageError,
    InputError,
    SettingsError,
    PublishError,
    HistoryError,
    LockBusy,
    WarehouseError,
    FormatError,
    TargetError,
)


def docs(args: argparse.Namespace) -> None:
    """Build the dbt docs site under the locks a run takes."""
    project_dir = Path(args.project_dir).resolve()
    folders = Folders.from_environment(project_dir, publishing=False)
    check_target(folders.target)
    timeout = lock_timeout(os.environ.get("SEGMENTS_LOCK_TIMEOUT"))
    with (
        run_locks(folders.locks(), timeout, say=say) as locks,
        owned_target(folders.target),
    ):
        claim_folders(project_dir, folders, refit=False)
        generate_docs(project_dir, folders, locks)
    say(f"Docs written to {folders.target}; `make docs` serves them")


def powerbi(args: argparse.Namespace) -> None:
    """Regenerate the Power BI projects from the docs' manifest and catalog."""
    project_dir = Path(args.project_dir).resolve()
    folders = Folders.from_environment(project_dir, publishing=False)
    out = Path(args.out).expanduser().resolve()
    guarded = {**folders.locks(), out: "Power BI folder"}
    check_target(folders.target)
    timeout = lock_timeout(os.environ.get("SEGMENTS_LOCK_TIMEOUT"))
    with run_locks(guarded, timeout, say=say) as locks, owned_target(folders.target):
        claim_folders(project_dir, folders, refit=False)
        generate_docs(project_dir, folders, locks)
        try:
            written = generate(folders.target, out)
        except EditedFiles as error:
            raise UsageError(str(error)) from None
    say(f"wrote {len(written)} files to {out}/")


def clean(args: argparse.Namespace) -> None:
    """Delete the publish and target folders, as far as their manifests
    vouch for their files."""
    project_dir = Path(args.project_dir).resolve()
    folders = Folders.from_environment(project_dir, publishing=True)
    timeout = lock_timeout(os.environ.get("SEGMENTS_LOCK_TIMEOUT"))
    guarded = {
        folders.publish_dir: "publish folder",
        folders.target: "dbt target folder",
    }
    with run_locks(guarded, timeout, say=say):
        clean_publish_folder(folders.publish_dir)
        clean_target_folder(folders.target)


def clean_publish_folder(publish_dir: Path) -> None:
    if publish_dir.is_symlink() or not publish_dir.is_dir():
        return
    state = inspect_folder(publish_dir)
    if state.manifest is None:
        if state.unowned:
            say(f"Left {publish_dir} as it is: it has no manifest of ours")
        else:
            publish_dir.rmdir()
        return
    if not delete_owned(publish_dir, state.manifest):
        say(f"Removed the published files of {publish_dir}; the rest is yours")


def clean_target_folder(target: Path) -> None:
    if target.is_symlink() or not target.is_dir():
        return
    if owned_listing(target) is None:
        say(f"Left {target} as it is: it has no manifest of ours")
    elif not clean_target(target):
        say(f"Removed what dbt and this product wrote in {target}; the rest is yours")


# What each option of `segments run` is (messages.OPTION_VARIABLES names
# the environment variable it stands for).
OPTION_HELP = {
    "--input": "customer file, .csv or .parquet",
    "--transactions": "transactions file, .csv or .parquet, or `demo`",
    "--customer-table": "customer table read in place (catalog.schema.table)",
    "--transaction-table": "transactions table read in place",
    "--attach": "a DuckDB database to read those tables from, read only",
    "--publish-dir": "where the published files go",
    "--vars": "dbt vars as YAML or JSON, e.g. '{k: 4}'",
    "--warehouse": "dbt's working DuckDB file",
    "--target-path": "dbt's target folder",
    "--lock-timeout": "seconds to wait for another run on the same folders",
}
OPTIONS = {
    option: (OPTION_VARIABLES[option], meaning)
    for option, meaning in OPTION_HELP.items()
}


def apply_options(args: argparse.Namespace) -> None:
    """Options given on the command line take the place of their variables,
    for this process and the dbt it starts; messages name the option."""
    given = []
    for option, (variable, _) in OPTIONS.items():
        value = getattr(args, option.removeprefix("--").replace("-", "_"), None)
        if value is not None:
            os.environ[variable] = value
            given.append(option)
    os.environ[GIVEN_OPTIONS] = ",".join(given)


def version() -> str:
    try:
        return metadata.version("customer-segmentation")
    except metadata.PackageNotFoundError:
        return "unknown (not installed)"


def parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="segments", description=__doc__.splitlines()[0]
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {version()}")
    parser.add_argument(
        "--project-dir", default=".", help="the dbt project folder (default: .)"
    )
    commands = parser.add_subparsers(dest="command", required=True)
    run_command = commands.add_parser(
        "run", help="build, test and publish the segments"
    )
    run_command.add_argument(
        "--refit",
        action="store_true",
        help="fit a new model even if the saved one still applies",
    )
    for option, (variable, meaning) in OPTIONS.items():
        run_command.add_argument(option, help=f"{meaning} (default: ${variable})")
    run_command.set_defaults(action=run)
    commands.add_parser(
        "docs", help="generate the dbt docs site (taking the run's locks)"
    ).set_defaults(action=docs)
    powerbi_command = commands.add_parser(
        "powerbi", help="regenerate the Power BI projects (taking the run's locks)"
    )
    powerbi_command.add_argument(
        "--out", default="powerbi", help="the Power BI folder (default: powerbi)"
    )
    powerbi_command.set_defaults(action=powerbi)
    commands.add_parser(
        "clean", help="delete the published files (never a file of yours)"
    ).set_defaults(action=clean)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    apply_options(args)
    try:
        args.action(args)
    except EXPECTED_ERRORS as error:
        # An error a library raised (DuckDB, Arrow, the OS) says more than
        # the line shows: its full text goes to the log.
        detail = ""
        if error.__cause__ is not None:
            log = keep_detail(Path(args.project_dir), error)
            detail = f" (full detail in {log})" if log else ""
        print(f"segments: error: {one_line(str(error))}{detail}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print(
            "segments: interrupted; a publish folder is only ever replaced whole, "
            "so it holds the last complete publish",
            file=sys.stderr,
        )
        return 130
    except Exception as error:
        log = keep_detail(Path(args.project_dir), error)
        where = f"full detail in {log}" if log else "no log could be written"
        print(
            f"segments: error: unexpected failure: {one_line(error)} ({where}). "
            "The previously published files are unchanged.",
            file=sys.stderr,
        )
        return 1
    return 0


def error_log(project_dir: Path) -> Path:
    """Where the detail of an unexpected failure goes: <target>/segments.log
    when the target folder is the product's (or new, and so made its own),
    else the system's temporary folder (a folder that is not ours gets
    nothing)."""
    raw = os.environ.get("DBT_TARGET_PATH", "").strip()
    target = Path(raw or project_dir / "target").expanduser().resolve()
    with suppress(TargetError, OSError):
        claim_target(target)
    if is_owned(target) and not beneath.through_link(target, LOG_FILE):
        return target / LOG_FILE
    return (
        Path(tempfile.gettempdir())
        / f"segments-{os.getuid() if hasattr(os, 'getuid') else 0}.log"
    )


def keep_detail(project_dir: Path, error: BaseException) -> Path | None:
    """Append the error's detail to the log, listing it as the product's."""
    log = write_detail(error_log(project_dir), error)
    if log is not None and log.name == LOG_FILE:
        add_file(log.parent, LOG_FILE)
    return log


if __name__ == "__main__":
    sys.exit(main())
