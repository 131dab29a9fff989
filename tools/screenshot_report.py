"""Render the report of a warehouse and screenshot it, full page, in Debian's headless Chromium.

    .venv/bin/eventcoder run seeds/articles --warehouse data
    .venv/bin/python tools/screenshot_report.py --warehouse data --out docs/report.png

Needs /usr/bin/chromium (`apt-get install -y chromium`); never `playwright install`, which downloads a browser.
The page is opened with the network blocked, as a reader without one would see it. With `pngquant` on the PATH
(`apt-get install -y pngquant`) the PNG is quantised to about a third of its size.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import tempfile
from pathlib import Path

from playwright.sync_api import sync_playwright

from warehouse.report import write_report

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--warehouse", type=Path, default=Path("data"))
    parser.add_argument("--out", type=Path, default=Path("docs/report.png"))
    parser.add_argument("--width", type=int, default=1040, help="viewport width in CSS pixels")
    args = parser.parse_args()
    if not Path(CHROMIUM).exists():
        raise SystemExit(f"{CHROMIUM} is missing: apt-get install -y chromium")
    with tempfile.TemporaryDirectory() as tmp:
        page_path = Path(tmp) / "report.html"
        write_report(args.warehouse, page_path)
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            context = browser.new_context(viewport={"width": args.width, "height": 900}, offline=True)
            page = context.new_page()
            page.goto(page_path.as_uri(), wait_until="load")
            args.out.parent.mkdir(parents=True, exist_ok=True)
            # JPEG would be smaller, but PNG keeps the thin map outlines and chart text crisp
            page.screenshot(path=str(args.out), full_page=True)
            browser.close()
    if shutil.which("pngquant"):  # Debian's pngquant, if installed, cuts the file to about a third
        subprocess.run(
            ["pngquant", "--quality=70-95", "--speed=1", "--strip", "--force", "--ext=.png", str(args.out)], check=True
        )
    print(f"{args.out}: {args.out.stat().st_size:,} bytes")


if __name__ == "__main__":
    main()
