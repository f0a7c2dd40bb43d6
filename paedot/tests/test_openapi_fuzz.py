"""Schemathesis against /api/openapi.json: every operation, with requests made from the schema (its examples, the
boundaries of every field, then random data), never answers 5xx or shows a stack trace, and a refused request keeps
nothing. Run in-process on the test database (the WSGI app in this thread), as a team lead (the widest role) and
as a partner system, with the path parameters pointing at one real child's record so requests reach the services.
"""

from __future__ import annotations

import contextlib
import re

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error

from paedot.tests.test_routes_by_role import TODAY, _make_record

pytestmark = pytest.mark.django_db

TRACEBACK = re.compile(r'Traceback \(most recent call last\)|File "/|Exception Value|django\.db\.utils|psycopg')

# What a refused request must not have left behind: one query counting the tables a request could add to.
KEPT_TABLES = [
    "referrals_referral",
    "children_child",
    "referrals_referralattachment",
    "appointments_appointment",
    "appointments_appointmentseries",
    "casenotes_clinicalnote",
    "casenotes_addendum",
    "letters_letter",
    "care_assessment",
    "care_package",
    "care_review",
    "care_equipmentissue",
    "care_consenttoshare",
    "groups_groupprogramme",
    "groups_enrolment",
    "advice_advicepack",
    "alerts_alert",
    "staff_apitoken",
]


@schemathesis.check
def no_stack_trace(ctx, response, case):
    """The body never shows the code's insides, whatever the status."""
    if TRACEBACK.search(response.text or ""):
        raise AssertionError(f"A stack trace in the answer to {case.operation.label}")


def kept() -> tuple[int, ...]:
    from django.db import connection

    # The table names are the constants above, never input.
    counts = ", ".join(f"(SELECT COUNT(*) FROM {connection.ops.quote_name(t)})" for t in KEPT_TABLES)  # noqa: S608
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {counts}")
        return tuple(cursor.fetchone())


@pytest.fixture(scope="module")
def record(django_db_setup, django_db_blocker, tmp_path_factory):
    """One child's whole record (the route walk's), on the walk's Wednesday: made once, rolled back at the end; each
    operation's requests run in a savepoint of their own."""
    import time_machine
    from django.db import transaction
    from django.test import override_settings

    with (
        django_db_blocker.unblock(),
        time_machine.travel(TODAY, tick=False),
        # Thousands of requests from one address: the limits are tested in test_hostile_input and paedot/core.
        override_settings(MEDIA_ROOT=tmp_path_factory.mktemp("media"), RATE_LIMITS=[]),
        transaction.atomic(),
        _connection_kept_between_requests(),
    ):
        yield _make_record()
        transaction.set_rollback(True)


@contextlib.contextmanager
def _connection_kept_between_requests():
    """Django closes the database connection at the start and end of each request it serves through WSGI; inside
    the test's transaction that would close it mid-test. Django's own test client unhooks the same signal."""
    from django.core.signals import request_finished, request_started
    from django.db import close_old_connections

    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


def _load_schema():
    from paedot.config.wsgi import application

    schema = schemathesis.openapi.from_wsgi("/api/openapi.json", application)
    # The schema's own examples, then a few generated requests each, valid and not. (The coverage phase, every
    # field's boundaries, would be some 3,000 requests: a minute more on every CI run.)
    schema.config.phases.update(phases=["examples", "fuzzing"])
    return schema


schema = _load_schema()

# Path parameters point at the record's real things, so generated bodies get past "not found" into the services.
REAL = {
    "reference": "reference",
    "appointment_id": "appointment_id",
    "package_id": "package_id",
    "issue_id": "issue_id",
    "note_id": "note_id",
    "programme_id": "programme_id",
    "alert_id": "alert_id",
    "slug": "sheet",
}


def as_caller(case, record, role: str) -> None:
    for name in case.path_parameters or {}:
        if name == "token_id":
            case.path_parameters[name] = record.token_ids[role]
        elif name in REAL:
            case.path_parameters[name] = record.values[REAL[name]]
    case.headers = {**(case.headers or {}), "Authorization": f"Bearer {record.tokens[role]}"}


QUICK = {
    "deadline": None,
    "suppress_health_check": [HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.filter_too_much],
}


def call_and_check(case) -> None:
    changes = case.method.upper() != "GET"
    before = kept() if changes else ()
    response = case.call_and_validate(checks=[not_a_server_error, no_stack_trace])
    if changes and response.status_code >= 400:
        assert kept() == before, f"{case.operation.label} answered {response.status_code} but kept something"


@schema.parametrize()
@settings(max_examples=6, **QUICK)
def test_no_operation_fails_for_a_team_lead(case, record):
    as_caller(case, record, "team_lead")
    call_and_check(case)


@schema.parametrize()
@settings(max_examples=3, **QUICK)
def test_no_operation_fails_for_a_partner_system(case, record):
    """Most answers are 403 or 404 (a partner sees only the referrals it sent): fewer examples."""
    as_caller(case, record, "partner_system")
    call_and_check(case)


def test_every_schema_in_the_api_has_a_name_of_its_own():
    """Two schema classes with one name shared one entry in /api/openapi.json: POST /api/packages/{id}/reviews was
    documented with the equipment review's body, and documents with the advice pack's letters. Fuzzing from the
    schema sent the wrong bodies; a client reading it would have too."""
    from ninja import Schema

    def subclasses(cls):
        for sub in cls.__subclasses__():
            yield sub
            yield from subclasses(sub)

    named: dict[str, set[str]] = {}
    for cls in subclasses(Schema):
        if cls.__module__.startswith("paedot.") and ".tests." not in cls.__module__:
            named.setdefault(cls.__name__, set()).add(f"{cls.__module__}.{cls.__qualname__}")
    assert {name: places for name, places in named.items() if len(places) > 1} == {}
    components = schema.raw_schema["components"]["schemas"]
    assert "note" not in components["ReviewIn"]["properties"]
    assert "decision" in components["ReviewIn"]["properties"]
