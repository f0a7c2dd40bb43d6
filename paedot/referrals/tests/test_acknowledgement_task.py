"""With the database task backend (the service's), POST /api/referrals stores the referral and queues its
acknowledgement emails as a task; the worker (`manage.py db_worker`) sends them, not the request."""

from __future__ import annotations

import json

from django.core import mail
from django_tasks_db.management.commands.db_worker import Worker
from django_tasks_db.models import DBTaskResult

from paedot.core.models import AuditEvent
from paedot.referrals.models import Referral
from paedot.referrals.tests.factories import referral_payload
from paedot.staff.services import create_staff_user, issue_api_token


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


def test_the_request_only_queues_the_acknowledgements_and_the_worker_sends_them(client, committed_db, database_tasks):
    partner = create_staff_user(username="gp-system", role="partner_system", full_name="GP system")
    token = issue_api_token(user=partner, name="test GP system")

    response = client.post(
        "/api/referrals",
        data=json.dumps(referral_payload()),
        content_type="application/json",
        headers={"authorization": f"Bearer {token}"},
    )

    assert response.status_code == 201, response.content
    referral = Referral.objects.get(reference=response.json()["reference"])
    assert mail.outbox == []  # nothing sent in the request
    task = DBTaskResult.objects.get()
    assert task.task_path == "paedot.referrals.tasks.send_acknowledgement_emails"
    assert task.args_kwargs == {"args": [referral.pk], "kwargs": {}}  # an id, never the child's details

    run_worker_until_idle()

    assert sorted(message.to[0] for message in mail.outbox) == ["jo@example.nhs.uk", "sara@example.com"]
    assert DBTaskResult.objects.get().status == "SUCCESSFUL"
    acknowledged = AuditEvent.objects.filter(action="referral.acknowledged", object_id=str(referral.pk))
    assert acknowledged.count() == 2
