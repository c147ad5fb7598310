"""Headless Chromium (Debian's package) for page tests: screenshots and the DOM."""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
# Screenshots land here so a person can look at them after the run.
OUTPUT_DIR = Path(os.environ.get("TEST_OUTPUT_DIR", REPO / "test-output"))

# Without the networking flags Chromium keeps trying to reach Google's
# services, which a closed network refuses.
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--hide-scrollbars",
]


def chromium() -> str:
    found = shutil.which("chromium")
    if found is None:
        raise RuntimeError(
            "chromium not found: `make test` installs Debian's chromium package; "
            "without root, run `sudo apt-get install chromium`"
        )
    return found


def render(page: Path, *, screenshot: Path | None = None, wait_ms: int = 8000) -> str:
    """Load a local page, let its scripts run, return the resulting DOM."""
    with tempfile.TemporaryDirectory() as profile:
        base = [chromium(), *FLAGS, f"--user-data-dir={profile}"]
        timing = [f"--virtual-time-budget={wait_ms}", "--window-size=1400,1000"]
        dom = subprocess.run(
            [*base, *timing, "--dump-dom", page.as_uri()],
            capture_output=True,
            text=True,
            timeout=120,
            check=True,
        ).stdout
        if screenshot is not None:
            screenshot.parent.mkdir(parents=True, exist_ok=True)
            subprocess.run(
                [*base, *timing, f"--screenshot={screenshot}", page.as_uri()],
                capture_output=True,
                timeout=120,
                check=True,
            )
    return dom


def launch(playwright):
    """Playwright driving Debian's Chromium (test tools may not download one)."""
    return playwright.chromium.launch(
        executable_path=chromium(), args=[f for f in FLAGS if f != "--headless"]
    )
