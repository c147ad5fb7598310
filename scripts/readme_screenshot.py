"""Screenshot publish/dashboard.html for the README (after `make run`).

.venv/bin/python scripts/readme_screenshot.py docs/images/dashboard.png
"""

import sys
from pathlib import Path

from playwright.sync_api import sync_playwright

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "tests"))
from browser import launch  # noqa: E402


def main(output: Path) -> None:
    with sync_playwright() as playwright:
        browser = launch(playwright)
        page = browser.new_page(viewport={"width": 1280, "height": 1500})
        page.goto((REPO / "publish" / "dashboard.html").as_uri())
        page.wait_for_selector("body[data-state=ready]", timeout=30_000)
        page.screenshot(path=str(output))
        browser.close()


if __name__ == "__main__":
    main(Path(sys.argv[1]))
