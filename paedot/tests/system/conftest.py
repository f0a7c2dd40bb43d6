"""The browser journeys' fixtures live in paedot/tests/browser.py, a plugin of the root conftest, so that every app's
journeys share one browser. Import the axe helper from there; never import the fixtures into a test module (a
second session fixture starts a second Playwright, which refuses to run)."""
