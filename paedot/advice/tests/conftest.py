"""The strategy sheet library in every advice test.

A data migration loads it into a new database, but tests using committed_db (browser journeys, concurrency tests)
clear every table that is not reference data; loading again here (idempotent, one query when nothing changed) keeps
these tests independent of the order the suite runs in.
"""

from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def strategy_sheets(db):
    from paedot.advice.services import load_strategy_sheets

    load_strategy_sheets()
