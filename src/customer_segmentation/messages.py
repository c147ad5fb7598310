"""Errors as the one line a user reads, with the detail kept for the log."""

from __future__ import annotations

import os
import traceback
from datetime import UTC, datetime
from pathlib import Path

# DuckDB appends these after the reason: advice for its own API, the reader's
# settings, and the SQL it ran. None of it helps someone who exported a file.
DUCKDB_NOISE = ("Possible fix", "Possible Solution", "  file = ", "LINE ")
MAX_PART = 200


def say(line: str) -> None:
    """A line of what the run is doing, shown at once."""
    print(line, flush=True)


def printable(text: str) -> str:
    """``text`` with control characters (NUL, CR, ...) shown as escapes."""
    return "".join(c if c.isprintable() else repr(c)[1:-1] for c in text)


def one_line(error: BaseException | str) -> str:
    """A message on one line: white space folded, control characters escaped."""
    text = error if isinstance(error, str) else str(_message(error))
    return printable(" ".join(text.split()))


def _message(error: BaseException) -> object:
    return getattr(error, "strerror", None) or error


def duckdb_reason(error: BaseException) -> str:
    """DuckDB's own explanation in one line, without its advice and SQL.

    Its first line alone ("CSV Error on Line: 2") does not say what is wrong;
    the reason ("... not utf-8 encoded") follows on the next lines.
    """
    parts = []
    for line in str(error).splitlines():
        if line.startswith(DUCKDB_NOISE):
            break
        if line.strip():
            part = one_line(line)
            parts.append(part if len(part) <= MAX_PART else part[:MAX_PART] + "...")
    return "; ".join(parts) or type(error).__name__


def write_detail(log: Path, error: BaseException) -> Path | None:
    """Append the error's full traceback to ``log``; None if that fails too."""
    try:
        log.parent.mkdir(parents=True, exist_ok=True)
        with log.open("a", encoding="utf-8") as handle:
            handle.write(f"--- {datetime.now(UTC):%Y-%m-%d %H:%M:%S} UTC\n")
            handle.write("".join(traceback.format_exception(error)))
    except OSError:
        return None
    return log


def plural(count: int, noun: str) -> str:
    """``1 file``, ``2 files``."""
    return f"{count} {noun}{'' if count == 1 else 's'}"


def first_few(names: list[str], shown: int = 3) -> str:
    """The first names of a list, and how many there are in all past that."""
    more = f", ... ({len(names)} in all)" if len(names) > shown else ""
    return ", ".join(names[:shown]) + more


# Command-line options of `segments run` and the environment variables they
# stand for: an option given wins, the variable is the fallback.
OPTION_VARIABLES = {
    "--input": "SEGMENTS_INPUT",
    "--transactions": "SEGMENTS_TRANSACTIONS",
    "--customer-table": "SEGMENTS_CUSTOMER_TABLE",
    "--transaction-table": "SEGMENTS_TRANSACTION_TABLE",
    "--attach": "SEGMENTS_ATTACH",
    "--publish-dir": "SEGMENTS_PUBLISH_DIR",
    "--vars": "SEGMENTS_VARS",
    "--warehouse": "SEGMENTS_WAREHOUSE",
    "--target-path": "DBT_TARGET_PATH",
    "--lock-timeout": "SEGMENTS_LOCK_TIMEOUT",
}
# The options given on this command line, for this process and its children.
GIVEN_OPTIONS = "SEGMENTS_GIVEN_OPTIONS"


def setting(variable: str) -> str:
    """A setting as the user gave it: its option when the command line
    named it, else its environment variable."""
    given = os.environ.get(GIVEN_OPTIONS, "").split(",")
    for option, name in OPTION_VARIABLES.items():
        if name == variable and option in given:
            return option
    return variable
