"""With the database backend (the default), a queued message waits as a task row until `manage.py db_worker`
picks it up: nothing is sent in the request that queued it."""

from __future__ import annotations

import pytest
from django.core import mail
from django.db import transaction
from django_tasks_db.management.commands.db_worker import Worker
from django_tasks_db.models import DBTaskResult

from paedot.notifications.services import queue_message


@pytest.fixture
def database_tasks(settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    mail.outbox = []


def run_worker_until_idle():
    Worker(
        queue_names=["default"],
        interval=0,
        batch=True,
        backend_name="default",
        startup_delay=False,
        max_tasks=None,
        worker_id="test-worker",
        excluded_queue_names=[],
    ).run()


def test_the_worker_sends_what_the_request_queued(committed_db, database_tasks):
    with transaction.atomic():
        message = queue_message(
            channel="email", recipient="parent@example.com", subject="Hello", body="Hello", reference="test:worker"
        )
        assert not DBTaskResult.objects.exists()  # queued only once the transaction commits
    task = DBTaskResult.objects.get()
    assert task.task_path == "paedot.notifications.tasks.send_message"
    assert task.args_kwargs == {"args": [message.pk], "kwargs": {}}  # an id, never the message itself
    assert mail.outbox == []

    run_worker_until_idle()

    message.refresh_from_db()
    assert message.status == "sent"
    assert len(mail.outbox) == 1
    assert DBTaskResult.objects.get().status == "SUCCESSFUL"


def test_a_failed_send_is_retried_later_not_at_once(committed_db, database_tasks, settings):
    settings.EMAIL_BACKEND = "paedot.notifications.tests.test_outbox.FlakyBackend"
    from paedot.notifications.tests.test_outbox import FlakyBackend

    FlakyBackend.calls, FlakyBackend.failures = 0, 1
    message = queue_message(channel="email", recipient="parent@example.com", body="Hello", reference="test:retry")

    run_worker_until_idle()  # the first try fails; the retry waits a minute, so the worker goes idle

    message.refresh_from_db()
    assert (message.status, message.attempts) == ("queued", 1)
    retry = DBTaskResult.objects.filter(status="READY").get()
    assert retry.run_after is not None
    assert retry.run_after > message.updated_at
