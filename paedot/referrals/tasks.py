"""Background tasks of referrals: the acknowledgement emails, sent by the task worker (`manage.py db_worker`)
rather than in the request that received the referral, so a referral is stored as fast as the database allows
and a slow mail server never holds up a partner system. The task's argument is the referral's id only: the task
table and the worker's log hold no personal data.
"""

from __future__ import annotations

from functools import partial

from django.db import transaction
from django_tasks import task
from django_tasks_db import DatabaseBackend


@task()
def send_acknowledgement_emails(referral_id: int) -> int:
    """Email the referrer and the parent/carer that the referral arrived; returns how many were sent."""
    from paedot.referrals.notifications import send_acknowledgements

    return send_acknowledgements(referral_id)


def queue_acknowledgements(referral_id: int) -> None:
    """Queue the acknowledgement emails; call inside the referral's transaction.

    With the database backend the task is a row in our own database, so it is queued now: it commits with the
    referral (a crash after the commit cannot lose it) and goes if the referral is rolled back. Any other backend
    (the immediate one runs the task at once) is given the task only after the commit, so nothing is sent for a
    referral that was never stored.
    """
    if isinstance(send_acknowledgement_emails.get_backend(), DatabaseBackend):
        send_acknowledgement_emails.enqueue(referral_id)
    else:
        transaction.on_commit(partial(send_acknowledgement_emails.enqueue, referral_id))
