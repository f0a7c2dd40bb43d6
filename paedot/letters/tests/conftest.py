# The browser journeys' fixtures (Debian's chromium, the app served in a thread), for the letters-to-post journey.
from paedot.tests.system.conftest import app_server, browser, page  # noqa: F401
