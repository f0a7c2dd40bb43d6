"""The staff outbox (hazard H12): messages that failed or were kept unsent are listed first for the people who act
on them, sent again or closed as dealt with another way, each audited; a restricted child's messages stay hidden."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.core import mail
from django.utils import timezone

from paedot.core.models import AuditEvent
from paedot.notifications.models import Message
from paedot.notifications.tests.factories import message, person
from paedot.referrals.tests.factories import referral_in
from paedot.restricted_records.services import break_glass, restrict_record

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("immediate_tasks")]

URL = "/staff/messages/"


def at(found: Message, days_ago: int) -> Message:
    Message.objects.filter(pk=found.pk).update(created_at=timezone.now() - dt.timedelta(days=days_ago))
    found.refresh_from_db()
    return found


def listed_ids(page: str, *messages: Message) -> list[int]:
    """The messages' ids in the order the page lists them."""
    positions = {m.pk: page.index(f'id="message-{m.pk}"') for m in messages if f'id="message-{m.pk}"' in page}
    return sorted(positions, key=positions.get)


def test_failed_and_unsent_messages_come_first_newest_first_without_their_text(client, admin_user):
    referral = referral_in("waiting")
    sent = at(message("sent", referral=referral), 0)
    old_failure = at(message("failed", referral=referral), 3)
    new_failure = at(message("failed", referral=referral), 1)
    unsent_text = at(message("outbox_only", referral=referral, channel="sms"), 2)
    client.force_login(admin_user)

    response = client.get(URL)

    assert response.status_code == 200
    page = response.content.decode()
    assert listed_ids(page, sent, old_failure, new_failure, unsent_text) == [
        new_failure.pk,
        unsent_text.pk,
        old_failure.pk,
        sent.pk,
    ]
    row = page[page.index(f'id="message-{new_failure.pk}"') :]
    row = row[: row.index("</tr>")]
    assert "Failed" in row and "5 tries" in row and "ConnectionRefusedError" in row
    assert "parent@example.com" in row and "parent or carer" in row
    assert f'href="/staff/referrals/{referral.reference}"' in row
    assert f'href="/staff/messages/{new_failure.pk}"' in row
    assert new_failure.body not in page  # the list never shows what a message says


def test_the_list_filters_by_status_and_channel(client, admin_user):
    failed_email = message("failed")
    unsent_text = message("outbox_only", channel="sms")
    sent_email = message("sent")
    client.force_login(admin_user)

    page = client.get(URL, {"status": "failed"}).content.decode()
    assert listed_ids(page, failed_email, unsent_text, sent_email) == [failed_email.pk]
    page = client.get(URL, {"channel": "sms"}).content.decode()
    assert listed_ids(page, failed_email, unsent_text, sent_email) == [unsent_text.pk]
    assert client.get(URL, {"status": "lost"}).status_code == 400


def test_the_list_costs_the_same_queries_however_many_messages(client, admin_user, django_assert_max_num_queries):
    referral = referral_in("waiting")
    client.force_login(admin_user)
    for _ in range(3):
        message("failed", referral=referral)
    with django_assert_max_num_queries(12) as few:
        client.get(URL)
    for _ in range(30):
        message("failed", referral=referral_in("received"))
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(URL)


def test_the_message_page_shows_its_text_tries_and_error_and_reading_it_is_recorded(client, admin_user):
    referral = referral_in("waiting")
    failed = message("failed", referral=referral)
    client.force_login(admin_user)

    response = client.get(f"{URL}{failed.pk}")

    assert response.status_code == 200
    page = response.content.decode()
    assert failed.body in page
    assert "ConnectionRefusedError: the mail server refused" in page
    assert "Not sent" in page and "Send again" in page and "Mark as dealt with" in page
    assert f'href="/staff/referrals/{referral.reference}"' in page
    viewed = AuditEvent.objects.get(action="record.viewed", object_type="notifications.message")
    assert viewed.child_id == referral.child_id


def test_a_failed_message_is_sent_again_with_its_tries_reset_and_the_resend_audited(
    client, admin_user, django_capture_on_commit_callbacks
):
    referral = referral_in("waiting")
    failed = message("failed", referral=referral)
    client.force_login(admin_user)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"{URL}{failed.pk}/send-again", {"reason": "Mum's email address corrected"})

    assert response.status_code == 302
    assert response["Location"] == f"{URL}{failed.pk}"
    failed.refresh_from_db()
    assert (failed.status, failed.attempts, failed.error) == ("sent", 1, "")
    [sent] = mail.outbox
    assert sent.body == failed.body
    event = AuditEvent.objects.get(action="message.resent")
    assert event.actor == admin_user
    assert event.reason == "Mum's email address corrected"
    assert event.child_id == referral.child_id
    assert event.detail["was"] == "failed" and event.detail["attempts"] == 5
    assert event.detail["error"] == "ConnectionRefusedError"  # the class only: the text may carry an address
    page = client.get(f"{URL}{failed.pk}").content.decode()
    assert "Sent again (it had 5 failed tries) by" in page
    assert "Mum&#39;s email address corrected" in page


def test_a_sent_message_cannot_be_sent_again(client, team_lead_user):
    sent = message("sent")
    client.force_login(team_lead_user)

    response = client.post(f"{URL}{sent.pk}/send-again", {"reason": "Just in case"})

    assert response.status_code == 409
    assert "This message was sent: sending it again would tell the person twice." in response.content.decode()
    sent.refresh_from_db()
    assert sent.status == "sent"
    assert not AuditEvent.objects.filter(action="message.resent").exists()
    assert "Send again" not in client.get(f"{URL}{sent.pk}").content.decode()


def test_sending_again_needs_a_reason_and_keeps_the_page(client, admin_user):
    failed = message("failed")
    client.force_login(admin_user)
    response = client.post(f"{URL}{failed.pk}/send-again", {"reason": "  "})
    assert response.status_code == 400
    assert "Give the reason for sending it again" in response.content.decode()
    failed.refresh_from_db()
    assert failed.status == "failed"


def test_a_message_handled_by_phone_is_marked_dealt_with_and_leaves_the_list_to_act_on(client, admin_user):
    referral = referral_in("waiting")
    unsent = message("outbox_only", referral=referral, channel="sms")
    client.force_login(admin_user)

    response = client.post(f"{URL}{unsent.pk}/dealt-with", {"reason": "Phoned mum and told her the new time"})

    assert response.status_code == 302
    unsent.refresh_from_db()
    assert unsent.status == "dealt_with"
    assert unsent.dealt_with_by == admin_user
    assert unsent.dealt_with_reason == "Phoned mum and told her the new time"
    event = AuditEvent.objects.get(action="message.dealt_with")
    assert (event.actor, event.reason, event.detail["was"]) == (admin_user, unsent.dealt_with_reason, "outbox_only")
    page = client.get(URL, {"status": "outbox_only"}).content.decode()
    assert listed_ids(page, unsent) == []
    assert client.post(f"{URL}{unsent.pk}/dealt-with", {"reason": "Again"}).status_code == 409


def test_an_ot_reads_the_outbox_but_does_not_send_again_or_close(client, ot_user):
    failed = message("failed", referral=referral_in("waiting"))
    client.force_login(ot_user)
    assert client.get(URL).status_code == 200
    page = client.get(f"{URL}{failed.pk}").content.decode()
    assert failed.body in page and "Send again" not in page
    assert client.post(f"{URL}{failed.pk}/send-again", {"reason": "x"}).status_code == 403
    assert client.post(f"{URL}{failed.pk}/dealt-with", {"reason": "x"}).status_code == 403
    failed.refresh_from_db()
    assert failed.status == "failed"


@pytest.mark.parametrize("role", ["ota", "auditor", "commissioner", "system_admin", "partner_system"])
def test_other_roles_may_not_see_the_outbox(client, role):
    failed = message("failed")
    client.force_login(person(role, f"{role}-outbox"))
    assert client.get(URL).status_code == 403
    assert client.get(f"{URL}{failed.pk}").status_code == 403
    assert 'href="/staff/messages/"' not in client.get("/staff/security").content.decode()


def test_the_header_links_to_the_outbox_for_those_who_may_see_it(client, admin_user):
    client.force_login(admin_user)
    assert 'href="/staff/messages/"' in client.get("/staff/security").content.decode()


def test_a_restricted_childs_messages_are_hidden_from_staff_not_named_on_the_record(client):
    lead = person("team_lead", "lead-outbox")
    named, other = person("clinical_admin", "admin-named"), person("clinical_admin", "admin-other")
    restricted = referral_in("waiting")
    restrict_record(child=restricted.child, reason="Safeguarding.", named_staff=[named], by=lead)
    hidden = message("failed", referral=restricted)
    shown = message("failed", referral=referral_in("waiting"))

    client.force_login(other)
    page = client.get(URL).content.decode()
    assert listed_ids(page, hidden, shown) == [shown.pk]
    assert restricted.reference not in page
    assert client.get(f"{URL}{hidden.pk}").status_code == 404
    assert client.post(f"{URL}{hidden.pk}/send-again", {"reason": "x"}).status_code == 404

    client.force_login(named)
    assert listed_ids(client.get(URL).content.decode(), hidden, shown) == [shown.pk, hidden.pk]
    assert client.get(f"{URL}{hidden.pk}").status_code == 200


def test_a_break_glass_notice_is_for_team_leads_only(client):
    lead = person("team_lead", "lead-notice", email="lead@example.nhs.uk")
    admin = person("clinical_admin", "admin-notice")
    referral = referral_in("waiting")
    restrict_record(child=referral.child, reason="Staff member's child.", named_staff=[admin], by=lead)
    break_glass(referral=referral, user=person("ot", "ot-glass"), reason="Mum phoned, record needed now")
    notice = Message.objects.get(reference__startswith="break-glass:")
    assert notice.referral == referral and not notice.to_parent_carer

    client.force_login(admin)  # named on the record, but the notice says who opened it and why: audit information
    assert listed_ids(client.get(URL).content.decode(), notice) == []
    assert client.get(f"{URL}{notice.pk}").status_code == 404
    client.force_login(lead)
    assert listed_ids(client.get(URL).content.decode(), notice) == [notice.pk]
    assert "Email to staff, about this child" in client.get(f"{URL}{notice.pk}").content.decode()


def test_a_bookings_email_and_text_name_the_childs_referral_and_go_to_the_parent(django_capture_on_commit_callbacks):
    from paedot.appointments.tests.test_messages import book, child_invited

    with time_machine.travel("2027-03-20 09:00 +00:00", tick=False):
        referral = child_invited()
        with django_capture_on_commit_callbacks(execute=True):
            book(referral)
    booked = Message.objects.filter(reference__contains=":booked")
    assert sorted(booked.values_list("channel", flat=True)) == ["email", "sms"]
    assert all(m.referral_id == referral.pk and m.to_parent_carer for m in booked)


def test_messages_kept_before_the_link_are_linked_to_their_referral_by_their_reference(
    django_capture_on_commit_callbacks,
):
    """The migration that added the link reads each older message's reference, so a restricted child's older
    messages are hidden too."""
    import importlib

    from django.apps import apps

    from paedot.appointments.tests.test_messages import book, child_invited

    migration = importlib.import_module("paedot.notifications.migrations.0002_outbox_for_staff")
    with time_machine.travel("2027-03-20 09:00 +00:00", tick=False):
        referral = child_invited()
        with django_capture_on_commit_callbacks(execute=True):
            book(referral)
    person("team_lead", "lead-backfill", email="lead@example.nhs.uk")  # who is told when the glass is broken
    break_glass(referral=referral, user=person("ot", "ot-backfill"), reason="Needed now")
    digest = message("sent", reference="attention-digest:1:2027-03-20")
    Message.objects.update(referral=None, to_parent_carer=False)

    migration.link_messages_to_referrals(apps, None)

    linked = {m.reference.split(":")[0]: m for m in Message.objects.exclude(pk=digest.pk)}
    assert linked["appointment"].referral_id == referral.pk and linked["appointment"].to_parent_carer
    assert linked["break-glass"].referral_id == referral.pk and not linked["break-glass"].to_parent_carer
    digest.refresh_from_db()
    assert digest.referral_id is None
