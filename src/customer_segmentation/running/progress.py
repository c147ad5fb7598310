"""What a run says while it works: the stage, how far through, the time so far.

On a terminal each stage is a tqdm bar (items done of the total where the
stage knows it: dbt nodes, tables, charts); anywhere else (a log, CI, a
pipe) each stage is one plain line when it starts, then one when it ends
with what it did. The wall time of every stage is also kept for the
benchmark harness (``SEGMENTS_TIMINGS``).
"""

from __future__ import annotations

import json
import re
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TextIO

from tqdm import tqdm

# The stages a user sees, in order; the key is the timing's name.
STAGES = {
    "inspect": "Checking the input files",
    "load_last_publish": "Loading the saved history and the inputs",
    "dbt_build": "Building and testing with dbt",
    "publish": "Publishing the tables",
    "dashboard": "Drawing the dashboard",
}
# dbt's own progress lines: "12 of 98 OK created sql table model ...".
DBT_NODE = re.compile(r"\b(\d+) of (\d+) (?!START\b)[A-Z][A-Z-]*\b")
ANSI = re.compile(r"\x1b\[[0-9;]*m")


class Stage:
    """One stage's count of items done, shown as it changes."""

    def __init__(self, bar: tqdm | None, unit: str, stream: TextIO) -> None:
        self.bar = bar
        self.unit = unit
        self.stream = stream
        self.done = 0
        self.total: int | None = None

    def advance(self, done: int | None = None, total: int | None = None) -> None:
        """One more item done (or ``done`` of ``total`` when given)."""
        self.total = total if total is not None else self.total
        self.done = done if done is not None else self.done + 1
        if self.bar is not None:
            if self.total is not None and self.bar.total != self.total:
                self.bar.total = self.total
            self.bar.n = self.done
            self.bar.refresh()

    def dbt_line(self, line: str) -> None:
        """Pass a line of dbt's output on, counting the nodes it finished."""
        found = DBT_NODE.search(ANSI.sub("", line))
        if found:
            self.advance(int(found.group(1)), int(found.group(2)))
        if self.bar is not None:
            self.bar.write(line.rstrip("\n"))
        else:
            end = "" if line.endswith("\n") else "\n"
            print(line, end=end, file=self.stream, flush=True)

    def summary(self) -> str:
        """ ", 12 of 98 dbt nodes": how far the stage got, where it counts."""
        if not self.unit:
            return ""
        if self.total is None:
            return f", {self.done:,} {self.unit if self.done != 1 else self.unit[:-1]}"
        return f", {self.done:,} of {self.total:,} {self.unit}"


class Progress:
    """The run's stages as they happen, and their wall times."""

    def __init__(self, stream: TextIO | None = None, terminal: bool | None = None):
        self.stream = stream or sys.stdout
        self.terminal = self.stream.isatty() if terminal is None else terminal
        self.started = time.perf_counter()
        self.seconds: dict[str, float] = {}

    def elapsed(self) -> str:
        return f"{time.perf_counter() - self.started:,.1f} s"

    @contextmanager
    def stage(self, key: str, unit: str = "", shown: bool = True) -> Iterator[Stage]:
        """Time ``key``; when ``shown``, tell the user it started and ended."""
        title = STAGES.get(key, key)
        number = f"{list(STAGES).index(key) + 1}/{len(STAGES)}" if key in STAGES else ""
        bar = None
        if shown and self.terminal:
            bar = tqdm(
                desc=f"{number} {title}",
                unit=f" {unit}",
                file=self.stream,
                leave=True,
                dynamic_ncols=True,
                # a stage that counts nothing shows its time alone
                bar_format=None if unit else "{desc} [{elapsed}]",
            )
        elif shown:
            self.say(f"[{self.elapsed()}] {number} {title} ...")
        stage = Stage(bar, unit, self.stream)
        start = time.perf_counter()
        try:
            yield stage
        finally:
            took = time.perf_counter() - start
            self.seconds[key] = self.seconds.get(key, 0.0) + took
            if bar is not None:
                bar.close()
            elif shown:
                self.say(
                    f"[{self.elapsed()}] {number} {title}: done in {took:,.1f} s"
                    f"{stage.summary()}"
                )

    def say(self, line: str) -> None:
        print(line, file=self.stream, flush=True)

    def save(self, path: str | None) -> None:
        if path:
            Path(path).write_text(json.dumps(self.seconds, indent=2), encoding="utf-8")
