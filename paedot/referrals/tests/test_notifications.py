"""The acknowledgement email: one to each address on the referral, with the service's details as staff set them."""

from __future__ import annotations

import pytest
from django.core import mail
from django.db import transaction
from django_tasks_db.models import DBTaskResult

from paedot.public.services import update_service_details
from paedot.referrals.notifications import send_acknowledgements
from paedot.referrals.services import receive_referral
from paedot.referrals.tests.factories import make_referral, submission

pytestmark = pytest.mark.django_db


def test_the_referrer_and_the_parent_each_get_an_acknowledgement_with_the_reference():
    referral = make_referral()

    assert send_acknowledgements(referral.pk) == 2

    assert sorted(message.to[0] for message in mail.outbox) == ["jo@example.nhs.uk", "sara@example.com"]
    for message in mail.outbox:
        assert referral.reference in message.subject
        assert referral.reference in message.body
        assert "0121 465 8551" in message.body
        assert "Soho Health Centre, 247-251 Soho Road, Birmingham, B21 9RY" in message.body


def test_the_acknowledgement_gives_the_phone_and_address_staff_set():
    update_service_details(
        changes={
            "name": "Children's Therapy Service",
            "base_name": "Example Child Development Centre",
            "address": "10 Example Street\nBirmingham",
            "postcode": "B1 1AA",
            "phone": "0121 000 1234",
            "email": "childrens.ot@example.nhs.uk",
            "opening_hours": "Monday to Thursday, 8am to 4pm",
        },
        changed_by=None,
    )
    referral = make_referral()

    send_acknowledgements(referral.pk)

    message = mail.outbox[0]
    assert message.subject.endswith("- Children's Therapy Service")
    assert "The Children's Therapy Service received" in message.body  # plain text: no "&#39;"
    assert "call us on 0121 000 1234 (Monday to Thursday, 8am to 4pm)" in message.body
    assert "Example Child Development Centre, 10 Example Street, Birmingham, B1 1AA" in message.body
    assert "Email: childrens.ot@example.nhs.uk" in message.body
    assert "0121 465 8551" not in message.body
    assert "Soho" not in message.body


def test_no_address_no_email():
    referral = make_referral(referrer={"email": ""}, parent_carer={"email": ""})

    assert send_acknowledgements(referral.pk) == 0
    assert mail.outbox == []


def test_the_acknowledgement_task_is_queued_with_the_referral_and_rolled_back_with_it(database_tasks):
    referral = receive_referral(submission=submission(), source="online")
    assert DBTaskResult.objects.filter(args_kwargs={"args": [referral.pk], "kwargs": {}}).count() == 1

    with pytest.raises(RuntimeError), transaction.atomic():
        receive_referral(submission=submission(), source="online")
        raise RuntimeError("the referral is not stored")

    assert DBTaskResult.objects.count() == 1
    assert mail.outbox == []


def test_with_the_immediate_backend_nothing_is_sent_before_the_commit(
    immediate_tasks, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        receive_referral(submission=submission(), source="online")

    assert mail.outbox == []
    for callback in callbacks:
        callback()
    assert len(mail.outbox) == 2


def test_no_acknowledgement_is_queued_when_not_asked_for(database_tasks):
    make_referral()

    assert not DBTaskResult.objects.exists()
