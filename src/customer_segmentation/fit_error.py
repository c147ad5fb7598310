"""The one error a fit raises for the user: the data cannot be segmented as asked."""


class FitError(ValueError):
    """Raised inside a dbt Python model, it reaches the user through dbt's run
    results; :data:`MARKER` lets run_report.py find the reason there and
    show it alone, as one line."""

    MARKER = "Cannot segment: "

    def __init__(self, reason: str) -> None:
        super().__init__(f"{self.MARKER}{reason}")
