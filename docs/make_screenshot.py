"""Make docs/report-screenshot.png: the first A4 page of the HTML report of the bundled example.

Usage (needs the `test` extra for playwright and Debian's chromium, never `playwright install`):
    .venv/bin/python docs/make_screenshot.py [ASSESSMENT] [--ruleset ID|PATH] [--output PNG]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]
# A4 at 96 CSS pixels per inch: 210 mm x 297 mm.
A4_VIEWPORT = {"width": 794, "height": 1123}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("assessment", nargs="?", default=str(ROOT / "assessments/examples/kivu-gold-self.yaml"))
    parser.add_argument("--ruleset", default=None)
    parser.add_argument("--output", default=str(ROOT / "docs/report-screenshot.png"))
    args = parser.parse_args(argv)
    if not Path(args.assessment).is_file():
        print(f"error: {args.assessment} does not exist; give an assessment file.", file=sys.stderr)
        return 2
    if not Path(CHROMIUM).exists():
        print(f"error: {CHROMIUM} is missing; install it with `apt-get install -y chromium`.", file=sys.stderr)
        return 2

    from playwright.sync_api import sync_playwright

    from engine.pipeline import assess_file
    from engine.render import render_html

    _, _, result = assess_file(Path(args.assessment), args.ruleset)
    html = render_html(result)
    with tempfile.TemporaryDirectory() as folder:
        page_file = Path(folder) / "report.html"
        page_file.write_text(html, encoding="utf-8")
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            try:
                page = browser.new_page(viewport=A4_VIEWPORT, device_scale_factor=1)
                page.goto(page_file.as_uri())
                page.screenshot(path=args.output, full_page=False)
            finally:
                browser.close()
    print(f"wrote {args.output}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
