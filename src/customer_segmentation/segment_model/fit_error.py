"""The one error a fit raises for the user: the data cannot be segmented as asked."""

from __future__ import annotations

from collections.abc import Callable


class FitError(ValueError):
    """Raised inside a dbt Python model, it reaches the user through dbt's run
    results; :data:`MARKER` lets running/report.py find the reason there and
    show it alone, as one line."""

    MARKER = "Cannot segment: "

    def __init__(self, reason: str) -> None:
        super().__init__(f"{self.MARKER}{reason}")


class FitTracebacks:
    """Passes dbt's output on, without the Python traceback of a FitError:
    the run ends with its reason in one line, so the traceback before it
    only buries that line. Any other traceback is passed on whole."""

    START = "Traceback (most recent call last):"

    def __init__(self, forward: Callable[[str], None]) -> None:
        self.forward = forward
        self.held: list[str] | None = None

    def __call__(self, line: str) -> None:
        if self.held is None:
            if line.strip() == self.START:
                self.held = [line]
            else:
                self.forward(line)
            return
        self.held.append(line)
        if FitError.MARKER in line:
            self.held = None  # the run's own error line says it
        elif line.strip() and not line.startswith(" "):
            self.flush()  # not a FitError's: shown as it came

    def flush(self) -> None:
        held, self.held = self.held or [], None
        for line in held:
            self.forward(line)
