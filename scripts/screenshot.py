"""Take a screenshot of a page of the running app for the README, in Debian's chromium.

Against a scratch database with the demo data, so the screenshots show synthetic people only:

    export DATABASE_URL=sqlite:////tmp/shot.sqlite3
    .venv/bin/python manage.py migrate && .venv/bin/python manage.py load_reference_data
    .venv/bin/python manage.py seed_demo
    .venv/bin/python manage.py runserver 127.0.0.1:8000 --noreload &

    .venv/bin/python scripts/screenshot.py http://127.0.0.1:8000/ docs/screenshots/service-page.png
    .venv/bin/python scripts/screenshot.py http://127.0.0.1:8000/staff/referrals/ docs/screenshots/inbox.png \
        --sign-in admin demo-password-2026
"""

from __future__ import annotations

import argparse
import subprocess
import sys
from urllib.parse import urljoin

from playwright.sync_api import sync_playwright

CHROMIUM = "/usr/bin/chromium"
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("url")
    parser.add_argument("out")
    parser.add_argument("--sign-in", nargs=2, metavar=("USERNAME", "PASSWORD"))
    parser.add_argument("--width", type=int, default=1280)
    parser.add_argument("--height", type=int, default=900)
    args = parser.parse_args()
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        page = browser.new_page(viewport={"width": args.width, "height": args.height})
        if args.sign_in:
            page.goto(urljoin(args.url, "/staff/sign-in"))
            page.fill("#id_username", args.sign_in[0])
            page.fill("#id_password", args.sign_in[1])
            with page.expect_navigation():
                page.get_by_role("button", name="Sign in").click()
            if "/staff/two-factor/verify" in page.url:
                # Demo accounts share a published demo key; the command prints its current code.
                code = (
                    subprocess.run(  # noqa: S603 (our own manage.py, a username given by the person running it)
                        [sys.executable, "manage.py", "demo_two_factor_code", args.sign_in[0]],
                        capture_output=True,
                        text=True,
                        check=True,
                    )
                    .stdout.strip()
                    .split()[-1]
                )
                page.get_by_label("Code from your authenticator app, or a recovery code").fill(code)
                with page.expect_navigation():
                    page.get_by_role("button").last.click()
        page.goto(args.url)
        page.screenshot(path=args.out)
        browser.close()


if __name__ == "__main__":
    main()
