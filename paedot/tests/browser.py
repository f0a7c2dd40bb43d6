"""Browser journeys' fixtures: Python Playwright driving Debian's chromium (never a downloaded browser).

A plugin of the root conftest, so every app's journeys share one browser for the whole run (two sync Playwright
instances in one process refuse to start). In CI these fail, never skip, when the browser is missing. The app runs
in a thread against the test database; `committed_db` keeps the reference data and clears what each journey made.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"

# Playwright's sync API runs an event loop in this thread; the ORM calls the tests make are still synchronous.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists():
        pytest.fail(f"Browser tests need Debian's chromium at {CHROMIUM} (apt-get install chromium).")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def app_server(committed_db):
    """The whole app, served on a free local port for this test."""
    from django.contrib.staticfiles.handlers import StaticFilesHandler
    from django.test.testcases import LiveServerThread

    thread = LiveServerThread("127.0.0.1", StaticFilesHandler, port=0)
    thread.daemon = True
    thread.start()
    thread.is_ready.wait()
    if thread.error:
        raise thread.error
    yield f"http://127.0.0.1:{thread.port}"
    thread.terminate()


@pytest.fixture
def page(browser, app_server):
    context = browser.new_context(base_url=app_server, viewport={"width": 1024, "height": 900})
    page = context.new_page()
    page.set_default_timeout(15_000)
    # Anything our Content Security Policy refused (a script, a style) is a page that would break: fail on it.
    refused: list[str] = []
    page.on(
        "console", lambda message: refused.append(message.text) if "Content Security Policy" in message.text else None
    )
    yield page
    context.close()
    assert not refused, f"The Content Security Policy refused something on a page: {refused}"


# Signs, in what the browser says, that the document was replaced while a script ran in it.
SWAPPED = ("documentElement", "scrollingElement", "scrollWidth", "Execution context was destroyed", "is not defined")


def evaluate_settled(page, *scripts: str, arg=None):
    """Run scripts in the page once it has finished loading; the last one's result.

    A click that submits a form returns before the next page has replaced this one, and a script run across that
    swap reads a document that is gone. So wait for the page to load, and if it was swapped mid-run anyway, wait
    again and run them in the page now there (a few tries; a page that keeps changing still fails).
    """
    from playwright.sync_api import Error as PlaywrightError

    for attempt in range(4):
        page.wait_for_load_state("load")
        try:
            result = None
            for script in scripts:
                result = page.evaluate(script, arg) if arg is not None else page.evaluate(script)
            return result
        except PlaywrightError as error:
            if attempt == 3 or not any(sign in str(error) for sign in SWAPPED):
                raise
            page.wait_for_timeout(200)
    return None


def axe_violations(page, *, impacts=("serious", "critical")) -> list[dict]:
    """Run axe-core in the page; the serious and critical violations, each with the nodes it found."""
    if not AXE.exists():
        pytest.fail("axe-core is missing: run make install (npm ci).")
    # Evaluated through the browser's devtools channel, not added as a <script>: the page's Content Security
    # Policy (rightly) refuses scripts it did not serve.
    result = evaluate_settled(
        page, AXE.read_text(encoding="utf-8"), "async () => await axe.run(document, {resultTypes: ['violations']})"
    )
    return [
        {"id": v["id"], "impact": v["impact"], "help": v["help"], "nodes": [n["html"] for n in v["nodes"]][:3]}
        for v in result["violations"]
        if v["impact"] in impacts
    ]
