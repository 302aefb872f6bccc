"""Take screenshots of pages of a running carecoop at phone and desktop widths.

    .venv/bin/python scripts/screenshots.py http://127.0.0.1:8000 / /accounts/login/ ...
    .venv/bin/python scripts/screenshots.py --login EMAIL PASSWORD http://127.0.0.1:8000 /accounts/
    .venv/bin/python scripts/screenshots.py --out docs/screenshots --prefix worker- --login ... URL /today/

Pictures go to var/screenshots/, named after the path and the width.
"""

import argparse
import re
from pathlib import Path

from playwright.sync_api import sync_playwright

WIDTHS = {"phone": (375, 812), "desktop": (1280, 900)}
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--login", nargs=2, metavar=("EMAIL", "PASSWORD"))
    parser.add_argument("--out", default="var/screenshots")
    parser.add_argument("--prefix", default="", help="put before each picture's name, e.g. worker-")
    parser.add_argument("base_url")
    parser.add_argument("paths", nargs="+")
    options = parser.parse_args()
    out = Path(options.out)
    out.mkdir(parents=True, exist_ok=True)

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=ARGS)
        context = browser.new_context(locale="en-GB")
        page = context.new_page()
        if options.login:
            page.goto(options.base_url + "/accounts/login/")
            page.get_by_label("Email").fill(options.login[0])
            page.get_by_label("Password").fill(options.login[1])
            page.get_by_role("button", name="Log in").click()
            page.wait_for_load_state("load")
        for path in options.paths:
            for name, (width, height) in WIDTHS.items():
                page.set_viewport_size({"width": width, "height": height})
                page.goto(options.base_url + path)
                slug = re.sub(r"[^a-z0-9]+", "-", path.lower()).strip("-") or "home"
                target = out / f"{options.prefix}{slug}-{name}.png"
                page.screenshot(path=str(target), full_page=True)
                print(target)
        browser.close()


if __name__ == "__main__":
    main()
