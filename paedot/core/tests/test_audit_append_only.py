"""The audit trail is only ever added to: the app refuses to change it, and so does the database."""

from __future__ import annotations

import pytest
from django.db import DatabaseError, connection, transaction

from paedot.core.audit import record_event
from paedot.core.models import AuditEvent, AuditTrailIsAppendOnly

pytestmark = pytest.mark.django_db


@pytest.fixture
def event():
    return record_event(action="test.happened", actor_label="tester", reason="why")


def test_an_event_cannot_be_saved_again(event):
    event.reason = "a better story"
    with pytest.raises(AuditTrailIsAppendOnly):
        event.save()
    assert AuditEvent.objects.get(pk=event.pk).reason == "why"


def test_an_event_cannot_be_deleted(event):
    with pytest.raises(AuditTrailIsAppendOnly):
        event.delete()
    assert AuditEvent.objects.filter(pk=event.pk).exists()


@pytest.mark.parametrize(
    "change",
    [
        lambda events: events.update(reason="rewritten"),
        lambda events: events.delete(),
        lambda events: events.bulk_update(list(events), ["reason"]),
        lambda events: events.update_or_create(pk=events.first().pk, defaults={"reason": "rewritten"}),
    ],
    ids=["update", "delete", "bulk_update", "update_or_create"],
)
def test_a_queryset_cannot_change_or_delete_events(event, change):
    with pytest.raises(AuditTrailIsAppendOnly):
        change(AuditEvent.objects.all())
    assert AuditEvent.objects.get(pk=event.pk).reason == "why"


def test_the_database_refuses_an_update_sent_straight_to_it(event):
    with (
        pytest.raises(DatabaseError, match="audit events cannot be changed"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute("UPDATE core_auditevent SET reason = %s WHERE id = %s", ["rewritten", event.pk])
    assert AuditEvent.objects.get(pk=event.pk).reason == "why"


def test_the_database_refuses_a_delete_sent_straight_to_it(event):
    with (
        pytest.raises(DatabaseError, match="audit events cannot be changed"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute("DELETE FROM core_auditevent WHERE id = %s", [event.pk])
    assert AuditEvent.objects.filter(pk=event.pk).exists()


def test_the_database_still_accepts_new_events(event):
    with connection.cursor() as cursor:
        cursor.execute("SELECT COUNT(*) FROM core_auditevent")
        before = cursor.fetchone()[0]
    record_event(action="test.happened_again", actor_label="tester")
    assert AuditEvent.objects.count() == before + 1


def test_the_browser_tests_can_still_empty_the_trail_and_the_guard_comes_back(event):
    """committed_db empties every table between browser tests: TRUNCATE on PostgreSQL (no row trigger fires),
    DELETE with the guard lifted on SQLite."""
    from paedot.core.audit import sqlite_append_only_guard_lifted

    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # The test's transaction still holds the deferred foreign-key checks of the insert; committed_db's
            # statements each commit, so it has none.
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute("TRUNCATE core_auditevent")
        else:
            with sqlite_append_only_guard_lifted(cursor):
                cursor.execute("DELETE FROM core_auditevent")
    assert not AuditEvent.objects.exists()
    again = record_event(action="test.happened", actor_label="tester")
    with (
        pytest.raises(DatabaseError, match="audit events cannot be changed"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute("DELETE FROM core_auditevent WHERE id = %s", [again.pk])
