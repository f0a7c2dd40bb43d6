"""Letters and reminders: a booking gives the family a letter, an email with a calendar file and a text message,
sent through the outbox after the booking commits; reminders go once before each live appointment."""

from __future__ import annotations

import datetime as dt

import icalendar
import pytest
import time_machine
from django.core import mail
from django.core.management import call_command
from django.urls import reverse

from paedot.appointments import messages
from paedot.appointments.letters import calendar_file, event_uid, london_time
from paedot.appointments.models import Appointment
from paedot.appointments.services import (
    book_appointment,
    cancel_appointment,
    move_appointment,
    plan_treatment_block,
)
from paedot.appointments.tests.factories import clinic, clinician_working, london
from paedot.diaries.models import Location, LocationKind
from paedot.letters.models import Letter
from paedot.letters.services import letter_pdf
from paedot.notifications.models import Message
from paedot.referrals.tests.factories import referral_in, staff

pytestmark = pytest.mark.django_db

CHILD = {"given_name": "Zara", "family_name": "Exampleton", "address": "12 Example Street, Birmingham"}
PARENT = {"name": "Sam Exampleton", "email": "sam@example.com", "phone": "07700 900123"}
# Clocks go forward on Sunday 28 March 2027 (Easter Day; Monday 29th is a bank holiday): 10am on Tuesday 30 March is
# 09:00 UTC.
AFTER_CLOCK_CHANGE = london(2027, 3, 30, 10, 0)


@pytest.fixture(autouse=True)
def immediate_tasks(settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    settings.NOTIFY_API_KEY = ""
    settings.NOTIFY_SMS_TEMPLATE_ID = ""
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"


@pytest.fixture(autouse=True)
def before_the_clocks_change():
    with time_machine.travel("2027-03-20 09:00 +00:00", tick=False) as traveller:
        yield traveller


def child_invited(**parent):
    return referral_in("invited", child=CHILD, parent_carer={**PARENT, **parent})


def book(referral, start=AFTER_CLOCK_CHANGE, location=None, kind="assessment", **kw):
    return book_appointment(
        referral=referral,
        clinician=kw.pop("clinician", None) or clinician_working(),
        kind=kind,
        location=location or clinic(),
        start=start,
        duration_minutes=kw.pop("duration_minutes", 60),
        booked_by=staff("clinical_admin"),
        **kw,
    )


def place(kind):
    return Location.objects.get(kind=kind)


def parse(ics: bytes):
    return icalendar.Calendar.from_ical(ics)


def text_of(letter: Letter) -> str:
    import re

    return " ".join(re.sub(r"<[^>]+>", " ", letter.html).split())


class TestBooking:
    def test_a_booking_gives_a_letter_and_queues_an_email_and_a_text_sent_after_commit(
        self, django_capture_on_commit_callbacks
    ):
        referral = child_invited()
        with django_capture_on_commit_callbacks(execute=True) as callbacks:
            appointment = book(referral)
            assert Letter.objects.filter(referral=referral, kind="appointment").count() == 1
            assert set(Message.objects.values_list("channel", "status")) == {("email", "queued"), ("sms", "queued")}
            assert mail.outbox == []
        assert len(callbacks) == 2
        reference = f"appointment:{appointment.pk}:booked"
        email = Message.objects.get(channel="email")
        assert (email.reference, email.status, email.recipient) == (reference, "sent", "sam@example.com")
        # No GOV.UK Notify key here: the text waits in the local outbox.
        sms = Message.objects.get(channel="sms")
        assert (sms.reference, sms.status, sms.recipient) == (reference, "outbox_only", "07700900123")
        assert "Tuesday 30 March 2027 at 10am" in sms.body
        assert "Zara" not in sms.body and "Example Street" not in sms.body

        [sent] = mail.outbox
        assert sent.to == ["sam@example.com"]
        assert sent.subject == "Occupational therapy appointment on Tuesday 30 March 2027 at 10am"
        assert "Soho Health Centre" in sent.body
        [(filename, content, mimetype)] = sent.attachments
        assert (filename, mimetype) == ("appointment.ics", "text/calendar")
        [event] = parse(content if isinstance(content, bytes) else content.encode()).walk("VEVENT")
        assert str(event["uid"]) == event_uid(appointment)

    def test_the_letter_gives_the_time_in_london_after_the_clocks_change_and_the_address(self):
        appointment = book(child_invited())
        assert appointment.start == dt.datetime(2027, 3, 30, 9, 0, tzinfo=dt.UTC)
        letter = Letter.objects.get(kind="appointment")
        text = text_of(letter)
        assert letter.subject == "Your appointment on Tuesday 30 March 2027 at 10am"
        assert "Tuesday 30 March 2027 at 10am (until 11am)" in text
        assert "Soho Health Centre 247-251 Soho Road" in text
        assert "B21 9RY" in text
        assert "Who you will see Ot Person, occupational therapist." in text
        assert "What to bring Please bring: Zara&#39;s glasses" in text and "school books" in text
        assert "If you need to change or cancel" in text and "0121 465 8551" in text
        assert "interpreter" in text
        assert letter_pdf(letter).startswith(b"%PDF")

    def test_a_winter_appointment_is_in_gmt(self, django_capture_on_commit_callbacks):
        with django_capture_on_commit_callbacks(execute=True):
            book(child_invited(), start=london(2027, 3, 25, 9, 30))
        assert "Thursday 25 March 2027 at 9:30am" in text_of(Letter.objects.get(kind="appointment"))

    def test_a_home_visit_letter_gives_the_childs_address_but_the_calendar_does_not(self):
        appointment = book(child_invited(), location=place(LocationKind.HOME), kind="home_visit")
        text = text_of(Letter.objects.get(kind="appointment"))
        assert "At your home 12 Example Street Birmingham" in text
        [event] = parse(calendar_file([appointment])).walk("VEVENT")
        assert str(event["location"]) == "Home visit"
        assert "Example Street" not in calendar_file([appointment]).decode()

    def test_a_telephone_appointment_says_we_will_call(self):
        book(child_invited(), location=place(LocationKind.TELEPHONE), kind="telephone")
        text = text_of(Letter.objects.get(kind="appointment"))
        assert "By telephone" in text and "We will call you" in text
        assert "Soho Road" not in text.split("Where")[1].split("Who you will see")[0]

    def test_the_letter_says_an_interpreter_will_be_arranged(self):
        book(child_invited(language="Urdu", interpreter_needed=True))
        assert "You told us you would like an interpreter (Urdu)" in text_of(Letter.objects.get(kind="appointment"))

    def test_no_email_or_text_without_an_address_or_a_mobile_but_still_a_letter(
        self, django_capture_on_commit_callbacks
    ):
        with django_capture_on_commit_callbacks(execute=True):
            book(child_invited(email="", phone="0121 496 0000"))
        assert Letter.objects.filter(kind="appointment").count() == 1
        assert not Message.objects.exists()
        assert mail.outbox == []

    def test_a_refused_booking_tells_the_family_nothing(self, django_capture_on_commit_callbacks):
        ot = clinician_working()
        book(child_invited(), clinician=ot)
        Message.objects.all().delete()
        with django_capture_on_commit_callbacks(execute=True), pytest.raises(Exception, match="already has"):
            book(child_invited(), clinician=ot)
        assert Letter.objects.filter(kind="appointment").count() == 1
        assert not Message.objects.exists()


class TestCalendarFile:
    def test_the_event_is_in_london_time_and_never_names_the_child(self):
        appointment = book(child_invited())
        ics = calendar_file([appointment], reference=appointment.referral.reference)
        calendar = parse(ics)
        assert calendar.walk("VTIMEZONE")[0]["tzid"] == "Europe/London"
        [event] = calendar.walk("VEVENT")
        assert event["dtstart"].params["TZID"] == "Europe/London"
        assert event.decoded("dtstart") == AFTER_CLOCK_CHANGE
        assert event.decoded("dtstart").astimezone(dt.UTC).hour == 9
        assert event.decoded("dtend") - event.decoded("dtstart") == dt.timedelta(minutes=60)
        assert str(event["summary"]) == "Occupational therapy assessment"
        assert "247-251 Soho Road" in str(event["location"])
        assert b"Zara" not in ics and b"Exampleton" not in ics
        assert b"DTSTART;TZID=Europe/London:20270330T100000" in ics

    def test_the_uid_is_the_same_every_time_for_one_appointment(self):
        first, second = book(child_invited()), book(child_invited(), start=london(2027, 3, 31, 10, 0))
        assert parse(calendar_file([first])).walk("VEVENT")[0]["uid"] == event_uid(first)
        assert event_uid(first) == event_uid(Appointment.objects.get(pk=first.pk))
        assert event_uid(first) != event_uid(second)

    def test_staff_download_an_appointments_calendar_file(self, client):
        appointment = book(child_invited())
        client.force_login(staff("ot"))
        response = client.get(reverse("appointments:download_calendar_file", args=[appointment.pk]))
        assert response.status_code == 200
        assert response["Content-Type"] == "text/calendar"
        assert response["Content-Disposition"] == f'attachment; filename="appointment-{appointment.pk}.ics"'
        assert parse(response.content).walk("VEVENT")[0]["uid"] == event_uid(appointment)

    @pytest.mark.parametrize("role", ["auditor", "partner_system"])
    def test_only_staff_who_see_diaries_may_download_it(self, client, role):
        appointment = book(child_invited())
        client.force_login(staff(role))
        response = client.get(reverse("appointments:download_calendar_file", args=[appointment.pk]))
        assert response.status_code == 403
        assert b"VCALENDAR" not in response.content


class TestBlock:
    def test_a_block_gives_one_letter_listing_every_session_and_the_review_and_one_calendar_file(
        self, django_capture_on_commit_callbacks
    ):
        referral = child_invited()
        with django_capture_on_commit_callbacks(execute=True):
            block = plan_treatment_block(
                referral=referral,
                clinician=clinician_working(),
                location=clinic(),
                first_start=london(2027, 3, 23, 10, 0),
                sessions=3,
                planned_by=staff("ot"),
            )
        [letter] = Letter.objects.filter(referral=referral, kind__in=["appointment", "treatment_block"])
        assert letter.kind == "treatment_block"
        text = text_of(letter)
        # 23 March is GMT; 30 March and after are BST: always 10am in London.
        for day in ("Tuesday 23 March 2027", "Tuesday 30 March 2027", "Tuesday 6 April 2027"):
            assert f"{day} 10am to 10:45am" in text
        assert "Review" in text and "Tuesday 13 April 2027" in text
        [sent] = mail.outbox
        [(filename, content, _)] = sent.attachments
        events = parse(content if isinstance(content, bytes) else content.encode()).walk("VEVENT")
        assert filename == "appointments.ics"
        assert [e.decoded("dtstart") for e in events] == [a.start for a in [*block.sessions, block.review]]
        assert {str(e["uid"]) for e in events} == {event_uid(a) for a in [*block.sessions, block.review]}
        assert Message.objects.filter(reference=f"series:{block.series.pk}:booked").count() == 2


class TestChanges:
    def test_a_moved_appointment_gets_a_letter_and_an_updated_calendar_event(self, django_capture_on_commit_callbacks):
        appointment = book(child_invited())
        with django_capture_on_commit_callbacks(execute=True):
            move_appointment(appointment=appointment, start=london(2027, 3, 31, 14, 0), moved_by=staff("ot"))
        letter = Letter.objects.get(kind="appointment_change")
        assert letter.subject == "Your appointment has moved to Wednesday 31 March 2027 at 2pm"
        assert "which was on Tuesday 30 March 2027 at 10am" in text_of(letter)
        update = next(m for m in mail.outbox if "moved" in m.subject)
        [event] = parse(update.attachments[0][1]).walk("VEVENT")
        assert str(event["uid"]) == event_uid(appointment)
        assert event.decoded("dtstart") == london(2027, 3, 31, 14, 0)

    def test_a_cancelled_appointment_gets_a_letter_and_a_cancelled_event(self, django_capture_on_commit_callbacks):
        appointment = book(child_invited())
        with django_capture_on_commit_callbacks(execute=True):
            cancel_appointment(
                appointment=appointment, by="service", reason="Therapist unwell", cancelled_by=staff("ot")
            )
        letter = Letter.objects.get(kind="appointment_change")
        assert "we have had to cancel" in text_of(letter)
        update = next(m for m in mail.outbox if "cancelled" in m.subject)
        calendar = parse(update.attachments[0][1])
        assert calendar["method"] == "CANCEL"
        assert calendar.walk("VEVENT")[0]["status"] == "CANCELLED"


class TestReminders:
    def test_the_reminder_is_queued_once_however_often_the_command_runs(
        self, before_the_clocks_change, django_capture_on_commit_callbacks
    ):
        appointment = book(child_invited())
        before_the_clocks_change.move_to("2027-03-29 08:00 +01:00")
        with django_capture_on_commit_callbacks(execute=True):
            call_command("send_appointment_reminders", stdout=(first := _Out()))
            call_command("send_appointment_reminders", stdout=(second := _Out()))
        assert first.text.strip() == "Families reminded: 1."
        assert second.text.strip() == "Families reminded: 0."
        reminders = Message.objects.filter(reference__startswith=f"appointment:{appointment.pk}:reminder:")
        assert sorted(reminders.values_list("channel", flat=True)) == ["email", "sms"]
        [email] = [m for m in mail.outbox if m.subject.startswith("Reminder")]
        assert email.subject == "Reminder: occupational therapy appointment on Tuesday 30 March 2027 at 10am"
        assert "Please bring: Zara's glasses or hearing aids" in email.body
        assert reminders.get(channel="sms").body.startswith(
            "Paediatric Occupational Therapy Service: Reminder: you have an occupational therapy assessment on "
            "Tuesday 30 March 2027 at 10am"
        )

    def test_only_appointments_in_the_next_two_days_are_reminded(self, before_the_clocks_change):
        soon = book(child_invited())
        later = book(child_invited(), start=london(2027, 4, 6, 10, 0))
        before_the_clocks_change.move_to("2027-03-29 08:00 +01:00")
        assert messages.send_appointment_reminders() == 1
        assert Message.objects.filter(reference__contains=f"appointment:{soon.pk}:reminder").exists()
        assert not Message.objects.filter(reference__contains=f"appointment:{later.pk}:reminder").exists()

    def test_a_cancelled_appointment_is_not_reminded(self, before_the_clocks_change):
        appointment = book(child_invited())
        cancel_appointment(appointment=appointment, by="family", reason="Holiday", cancelled_by=staff("clinical_admin"))
        before_the_clocks_change.move_to("2027-03-29 08:00 +01:00")
        assert messages.send_appointment_reminders() == 0
        assert not Message.objects.filter(reference__contains="reminder").exists()

    def test_a_reminder_not_yet_sent_is_withdrawn_when_its_appointment_is_cancelled_and_never_goes(
        self, before_the_clocks_change
    ):
        from paedot.notifications.models import NOT_SENT
        from paedot.notifications.tasks import deliver

        appointment = book(child_invited())
        before_the_clocks_change.move_to("2027-03-29 08:00 +01:00")
        assert messages.send_appointment_reminders() == 1
        reminders = Message.objects.filter(reference__contains=f"appointment:{appointment.pk}:reminder")
        email = reminders.get(channel="email")
        reminders.filter(pk=email.pk).update(status="queued")  # the mail server was down: waiting to try again
        cancel_appointment(appointment=appointment, by="service", reason="OT ill", cancelled_by=staff("clinical_admin"))
        assert set(reminders.values_list("status", flat=True)) == {"withdrawn"}  # the email and the unsent text
        assert "cancelled before this was sent" in reminders.get(channel="email").error
        assert deliver(email.pk) == "withdrawn"  # the retry already queued sends nothing
        assert not reminders.filter(status__in=NOT_SENT).exists()  # nothing for staff to send again

    def test_a_reminder_sent_is_left_as_it_was_and_one_waiting_for_the_old_time_is_withdrawn_on_a_move(
        self, before_the_clocks_change
    ):
        appointment = book(child_invited())
        before_the_clocks_change.move_to("2027-03-29 08:00 +01:00")
        messages.send_appointment_reminders()
        old = Message.objects.filter(reference__contains=f"appointment:{appointment.pk}:reminder")
        old.filter(channel="email").update(status="sent")  # the email went; the text is still waiting
        move_appointment(appointment=appointment, start=london(2027, 3, 30, 15, 0), moved_by=staff("ot"))
        assert dict(old.values_list("channel", "status")) == {"email": "sent", "sms": "withdrawn"}
        assert messages.send_appointment_reminders() == 1  # the new time's reminder is not blocked

    def test_a_moved_appointment_is_reminded_again_for_its_new_time(self, before_the_clocks_change):
        appointment = book(child_invited())
        before_the_clocks_change.move_to("2027-03-29 08:00 +01:00")
        assert messages.send_appointment_reminders() == 1
        move_appointment(appointment=appointment, start=london(2027, 3, 30, 15, 0), moved_by=staff("ot"))
        assert messages.send_appointment_reminders() == 1
        assert Message.objects.filter(reference__contains="reminder", channel="sms").count() == 2

    def test_families_in_a_group_are_reminded_of_its_session(self, before_the_clocks_change):
        from paedot.groups.services import create_programme, enrol

        ot = clinician_working()
        lead = staff("team_lead")
        programme = create_programme(
            name="Handwriting group",
            description="",
            audience="children",
            capacity=6,
            clinician=ot,
            location=clinic(),
            room=None,
            created_by=lead,
        )
        book(None, kind="group", clinician=ot, programme=programme, notify=False)
        children = [referral_in("waiting", child=CHILD, parent_carer=PARENT) for _ in range(2)]
        for referral in children:
            enrol(programme=programme, referral=referral, enrolled_by=lead)
        before_the_clocks_change.move_to("2027-03-29 08:00 +01:00")
        assert messages.send_appointment_reminders() == 2
        assert messages.send_appointment_reminders() == 0
        assert Message.objects.filter(reference__contains="reminder", channel="email").count() == 2


def test_times_are_written_the_nhs_way():
    assert [london_time(london(2027, 1, 11, h, m)) for h, m in [(9, 0), (9, 30), (12, 0), (12, 15), (14, 5)]] == [
        "9am",
        "9:30am",
        "midday",
        "12:15pm",
        "2:05pm",
    ]


class _Out:
    def __init__(self):
        self.text = ""

    def write(self, value):
        self.text += value

    def flush(self):
        pass


# Booked or moved after the event: the family is told only of what is still to come (hazard H12). Now is Saturday 20
# March 2027, 9am.


def child_seen_since_january():
    return referral_in("booked", received_date=dt.date(2027, 1, 4), child=CHILD, parent_carer=PARENT)


APPOINTMENT_LETTERS = ("appointment", "treatment_block", "appointment_change")


def letters_to(referral=None):
    letters = Letter.objects.filter(kind__in=APPOINTMENT_LETTERS)
    return letters.filter(referral=referral) if referral is not None else letters


def block_from(first_start, referral=None):
    return plan_treatment_block(
        referral=referral or child_seen_since_january(),
        clinician=clinician_working(),
        location=clinic(),
        first_start=first_start,
        sessions=3,
        planned_by=staff("ot"),
    )


class TestBookedAfterTheEvent:
    def test_an_appointment_booked_after_it_started_sends_no_letter_email_or_text(
        self, django_capture_on_commit_callbacks
    ):
        referral = child_seen_since_january()
        with django_capture_on_commit_callbacks(execute=True):
            appointment = book(referral, start=london(2027, 3, 15, 10, 0), kind="treatment")
        assert Appointment.objects.filter(pk=appointment.pk).exists()  # booked all the same
        assert not letters_to(referral).exists()
        assert not Message.objects.exists()
        assert mail.outbox == []

    def test_a_block_partly_in_the_past_tells_the_family_only_of_the_sessions_to_come(
        self, django_capture_on_commit_callbacks
    ):
        referral = child_seen_since_january()
        with django_capture_on_commit_callbacks(execute=True):
            # Tuesdays 9, 16 and 23 March, the review on the 30th: the first two have happened.
            block = block_from(london(2027, 3, 9, 10, 0), referral)
        to_come = [block.sessions[2], block.review]
        [letter] = letters_to(referral)
        assert letter.kind == "treatment_block"
        assert letter.subject == "Your 1 more occupational therapy session, from Tuesday 23 March 2027"
        text = text_of(letter)
        assert "We have booked the rest of Zara Exampleton's block of occupational therapy: 1 more session" in text
        assert "Session 3 Tuesday 23 March 2027 10am to 10:45am" in text
        assert "Review Tuesday 30 March 2027" in text
        assert "9 March" not in text and "16 March" not in text and "Session 1" not in text
        [sent] = mail.outbox
        assert sent.subject == "1 more occupational therapy session, from Tuesday 23 March 2027"
        assert "9 March" not in sent.body and "16 March" not in sent.body
        events = parse(sent.attachments[0][1]).walk("VEVENT")
        assert [e.decoded("dtstart") for e in events] == [a.start for a in to_come]
        sms = Message.objects.get(channel="sms")
        assert sms.body.startswith(
            "Paediatric Occupational Therapy Service: We have booked 2 appointments. The first is an occupational "
            "therapy session on Tuesday 23 March 2027 at 10am"
        )

    def test_a_block_wholly_in_the_past_sends_the_family_nothing(self, django_capture_on_commit_callbacks):
        referral = child_seen_since_january()
        with django_capture_on_commit_callbacks(execute=True):
            block = block_from(london(2027, 2, 16, 10, 0), referral)  # 16 February to the review on 9 March
        assert Appointment.objects.filter(series=block.series).count() == 4  # booked all the same
        assert not letters_to(referral).exists()
        assert not Message.objects.exists()
        assert mail.outbox == []
        (warning,) = block.series.warnings
        assert (
            "No letter, email or text message was sent to the family, because these sessions have"
            in (warning["message"])
        )

    def test_a_block_with_only_its_review_to_come_tells_the_family_of_the_review(
        self, django_capture_on_commit_callbacks
    ):
        referral = child_seen_since_january()
        with django_capture_on_commit_callbacks(execute=True):
            block = block_from(london(2027, 3, 2, 10, 0), referral)  # 2, 9 and 16 March; the review on the 23rd
        [letter] = letters_to(referral)
        assert letter.subject == "Your occupational therapy review on Tuesday 23 March 2027"
        text = text_of(letter)
        assert "We have booked a review for Zara Exampleton, after their block of occupational therapy sessions" in text
        assert "Session" not in text.split("When")[1].split("Where")[0]
        [sent] = mail.outbox
        [event] = parse(sent.attachments[0][1]).walk("VEVENT")
        assert event.decoded("dtstart") == block.review.start
        assert Message.objects.get(channel="sms").body.startswith(
            "Paediatric Occupational Therapy Service: We have booked an occupational therapy review on Tuesday 23 "
            "March 2027 at 10am"
        )

    def test_no_reminder_is_ever_queued_for_an_appointment_that_has_started(self, before_the_clocks_change):
        past = book(child_seen_since_january(), start=london(2027, 3, 19, 10, 0), kind="treatment")
        soon = book(child_invited())  # Tuesday 30 March at 10am
        assert messages.queue_reminders(past) == 0
        before_the_clocks_change.move_to("2027-03-30 10:01 +01:00")  # a minute after it started
        assert messages.queue_reminders(soon) == 0
        assert messages.send_appointment_reminders() == 0
        assert not Message.objects.filter(reference__contains="reminder").exists()


class TestMovedAfterTheEvent:
    def test_an_appointment_moved_into_the_past_sends_the_family_nothing(self, django_capture_on_commit_callbacks):
        appointment = book(child_seen_since_january())  # Tuesday 30 March: told
        Message.objects.all().delete()
        mail.outbox.clear()
        with django_capture_on_commit_callbacks(execute=True):
            move_appointment(appointment=appointment, start=london(2027, 3, 16, 14, 0), moved_by=staff("ot"))
        assert Appointment.objects.get(pk=appointment.pk).start == london(2027, 3, 16, 14, 0)
        assert not Letter.objects.filter(kind="appointment_change").exists()
        assert not Message.objects.exists()
        assert mail.outbox == []

    def test_an_appointment_booked_after_the_event_then_moved_to_come_gets_a_booking_letter_not_a_change(
        self, django_capture_on_commit_callbacks
    ):
        appointment = book(child_seen_since_january(), start=london(2027, 3, 16, 10, 0), kind="treatment")
        assert not letters_to().exists()  # never told of 16 March
        with django_capture_on_commit_callbacks(execute=True):
            move_appointment(appointment=appointment, start=london(2027, 3, 31, 14, 0), moved_by=staff("ot"))
        [letter] = letters_to()
        assert letter.kind == "appointment"
        assert letter.subject == "Your appointment on Wednesday 31 March 2027 at 2pm"
        assert "16 March" not in text_of(letter)
        [sent] = mail.outbox
        assert sent.subject == "Occupational therapy appointment on Wednesday 31 March 2027 at 2pm"
        assert set(Message.objects.values_list("reference", flat=True)) == {f"appointment:{appointment.pk}:booked"}


# Moves and cancellations are decided from what the family was last told (hazard H12). Now is Saturday 20 March 2027.


def sent_to_family():
    return set(Message.objects.values_list("reference", flat=True))


def child_invited_since_january():
    return referral_in("invited", received_date=dt.date(2027, 1, 4), child=CHILD, parent_carer=PARENT)


class TestCancelledWithoutTelling:
    def test_cancelling_an_appointment_booked_after_it_happened_sends_the_family_nothing(
        self, django_capture_on_commit_callbacks
    ):
        referral = child_seen_since_january()
        appointment = book(referral, start=london(2027, 3, 16, 10, 0), kind="treatment")
        with django_capture_on_commit_callbacks(execute=True):
            cancelled = cancel_appointment(
                appointment=appointment, by="service", reason="Typed wrongly", cancelled_by=staff("ot")
            )
        assert cancelled.cancelled
        assert not letters_to(referral).exists()
        assert not Message.objects.exists()
        assert mail.outbox == []

    def test_cancelling_an_appointment_never_told_of_though_still_to_come_sends_the_family_nothing(
        self, django_capture_on_commit_callbacks
    ):
        referral = child_seen_since_january()
        appointment = book(referral, kind="treatment", notify=False)  # Tuesday 30 March, never told of
        with django_capture_on_commit_callbacks(execute=True):
            cancel_appointment(appointment=appointment, by="service", reason="OT unwell", cancelled_by=staff("ot"))
        assert not letters_to(referral).exists()
        assert mail.outbox == []

    def test_cancelling_an_appointment_whose_told_time_has_gone_sends_the_family_nothing(
        self, before_the_clocks_change, django_capture_on_commit_callbacks
    ):
        referral = child_invited_since_january()
        appointment = book(referral)  # Tuesday 30 March at 10am: told
        told = set(letters_to(referral).values_list("pk", flat=True))
        before_the_clocks_change.move_to("2027-03-31 09:00 +01:00")  # the day after: no outcome recorded
        with django_capture_on_commit_callbacks(execute=True):
            cancel_appointment(appointment=appointment, by="service", reason="OT unwell", cancelled_by=staff("ot"))
        assert set(letters_to(referral).values_list("pk", flat=True)) == told
        assert not Message.objects.filter(reference__endswith=":cancelled").exists()

    def test_cancelling_an_appointment_told_of_and_to_come_tells_the_family(self, django_capture_on_commit_callbacks):
        referral = child_invited_since_january()
        appointment = book(referral)
        with django_capture_on_commit_callbacks(execute=True):
            cancel_appointment(appointment=appointment, by="service", reason="OT unwell", cancelled_by=staff("ot"))
        assert letters_to(referral).filter(kind="appointment_change").count() == 1
        assert {f"appointment:{appointment.pk}:cancelled"} <= sent_to_family()

    def test_an_appointment_told_of_then_moved_into_the_past_and_cancelled_is_cancelled_at_the_time_the_family_holds(
        self, django_capture_on_commit_callbacks
    ):
        referral = child_invited_since_january()
        appointment = book(referral)  # told: Tuesday 30 March at 10am
        move_appointment(appointment=appointment, start=london(2027, 3, 16, 14, 0), moved_by=staff("ot"))
        mail.outbox.clear()
        with django_capture_on_commit_callbacks(execute=True):
            cancel_appointment(appointment=appointment, by="service", reason="Typed wrongly", cancelled_by=staff("ot"))
        letter = letters_to(referral).get(kind="appointment_change")
        assert letter.subject == "Your appointment on Tuesday 30 March 2027 is cancelled"
        assert "appointment on Tuesday 30 March 2027 at 10am" in text_of(letter)
        assert "16 March" not in text_of(letter)
        [sent] = mail.outbox
        assert sent.subject == "Your appointment on Tuesday 30 March 2027 at 10am is cancelled"
        calendar = parse(sent.attachments[0][1])
        assert calendar["method"] == "CANCEL"
        [event] = calendar.walk("VEVENT")
        assert (str(event["uid"]), event.decoded("dtstart")) == (event_uid(appointment), AFTER_CLOCK_CHANGE)


class TestWhatTheFamilyWasLastTold:
    def test_the_time_the_family_was_told_is_kept_on_booking_and_on_each_move_they_are_told_of(self):
        appointment = book(child_invited_since_january())
        assert Appointment.objects.get(pk=appointment.pk).family_last_told_start == AFTER_CLOCK_CHANGE
        move_appointment(appointment=appointment, start=london(2027, 3, 31, 14, 0), moved_by=staff("ot"))
        assert Appointment.objects.get(pk=appointment.pk).family_last_told_start == london(2027, 3, 31, 14, 0)
        move_appointment(appointment=appointment, start=london(2027, 3, 16, 14, 0), moved_by=staff("ot"))  # past
        assert Appointment.objects.get(pk=appointment.pk).family_last_told_start == london(2027, 3, 31, 14, 0)

    def test_nothing_is_kept_for_an_appointment_booked_in_the_past_or_without_telling_the_family(self):
        referral = child_seen_since_january()
        past = book(referral, start=london(2027, 3, 16, 10, 0), kind="treatment")
        untold = book(referral, kind="treatment", notify=False)
        assert Appointment.objects.get(pk=past.pk).family_last_told_start is None
        assert Appointment.objects.get(pk=untold.pk).family_last_told_start is None

    def test_a_block_keeps_the_time_told_only_for_the_appointments_still_to_come(self):
        block = block_from(london(2027, 3, 9, 10, 0))  # 9, 16 and 23 March; the review on the 30th
        told = dict(Appointment.objects.filter(series=block.series).values_list("start", "family_last_told_start"))
        assert told == {
            london(2027, 3, 9, 10, 0): None,
            london(2027, 3, 16, 10, 0): None,
            london(2027, 3, 23, 10, 0): london(2027, 3, 23, 10, 0),
            AFTER_CLOCK_CHANGE: AFTER_CLOCK_CHANGE,
        }

    def test_an_appointment_told_of_moved_into_the_past_and_then_to_come_gets_a_change_from_the_time_they_were_told(
        self, django_capture_on_commit_callbacks
    ):
        referral = child_invited_since_january()
        appointment = book(referral)  # told: Tuesday 30 March at 10am
        move_appointment(appointment=appointment, start=london(2027, 3, 16, 14, 0), moved_by=staff("ot"))
        mail.outbox.clear()
        with django_capture_on_commit_callbacks(execute=True):
            move_appointment(appointment=appointment, start=london(2027, 3, 31, 14, 0), moved_by=staff("ot"))
        assert letters_to(referral).filter(kind="appointment").count() == 1  # the booking's: no second booking letter
        letter = letters_to(referral).get(kind="appointment_change")
        assert letter.subject == "Your appointment has moved to Wednesday 31 March 2027 at 2pm"
        assert "which was on Tuesday 30 March 2027 at 10am" in text_of(letter)
        assert "16 March" not in text_of(letter)
        [sent] = mail.outbox
        assert sent.subject == "Your appointment has moved to Wednesday 31 March 2027 at 2pm"
        [event] = parse(sent.attachments[0][1]).walk("VEVENT")
        assert str(event["uid"]) == event_uid(appointment)  # the family's event moves, no second one
        assert event.decoded("dtstart") == london(2027, 3, 31, 14, 0)
        booked = [ref for ref in sent_to_family() if ref.endswith(":booked")]
        assert booked == [f"appointment:{appointment.pk}:booked"]  # the first booking's only

    def test_moved_into_the_past_and_back_to_the_time_the_family_was_told_sends_nothing(
        self, django_capture_on_commit_callbacks
    ):
        referral = child_invited_since_january()
        appointment = book(referral)
        before = sent_to_family()
        with django_capture_on_commit_callbacks(execute=True):
            move_appointment(appointment=appointment, start=london(2027, 3, 16, 10, 0), moved_by=staff("ot"))
            move_appointment(appointment=appointment, start=AFTER_CLOCK_CHANGE, moved_by=staff("ot"))
        assert not letters_to(referral).filter(kind="appointment_change").exists()
        assert sent_to_family() == before
        from paedot.core.models import AuditEvent

        assert [e.detail["family_sent"] for e in AuditEvent.objects.filter(action="appointment.moved")] == ["", ""]

    def test_moved_there_away_and_back_again_the_family_is_told_each_time(self, django_capture_on_commit_callbacks):
        referral = child_invited_since_january()
        appointment = book(referral)  # A: Tuesday 30 March at 10am
        mail.outbox.clear()
        b = london(2027, 3, 31, 14, 0)
        with django_capture_on_commit_callbacks(execute=True):
            for start in (b, AFTER_CLOCK_CHANGE, b):
                move_appointment(appointment=appointment, start=start, moved_by=staff("ot"))
        assert letters_to(referral).filter(kind="appointment_change").count() == 3
        assert [m.subject for m in mail.outbox] == [
            "Your appointment has moved to Wednesday 31 March 2027 at 2pm",
            "Your appointment has moved to Tuesday 30 March 2027 at 10am",
            "Your appointment has moved to Wednesday 31 March 2027 at 2pm",
        ]
        assert Message.objects.filter(channel="sms", reference__contains=":moved:").count() == 3

    def test_an_appointment_of_a_block_planned_without_telling_the_family_gets_a_booking_letter_when_moved(
        self, django_capture_on_commit_callbacks
    ):
        referral = child_seen_since_january()
        block = plan_treatment_block(
            referral=referral,
            clinician=clinician_working(),
            location=clinic(),
            first_start=london(2027, 3, 23, 10, 0),
            sessions=2,
            planned_by=staff("ot"),
            notify=False,
        )
        with django_capture_on_commit_callbacks(execute=True):
            move_appointment(appointment=block.sessions[0], start=london(2027, 3, 24, 10, 0), moved_by=staff("ot"))
        [letter] = letters_to(referral)
        assert letter.kind == "appointment"
        assert letter.subject == "Your appointment on Wednesday 24 March 2027 at 10am"
        assert sent_to_family() == {f"appointment:{block.sessions[0].pk}:booked"}


class TestBlockPlannedWithoutTellingTheFamily:
    def test_a_block_partly_in_the_past_planned_without_telling_the_family_says_nothing_was_sent(self):
        referral = child_seen_since_january()
        block = plan_treatment_block(
            referral=referral,
            clinician=clinician_working(),
            location=clinic(),
            first_start=london(2027, 3, 9, 10, 0),  # 9 and 16 March have happened; 23 March and the review to come
            sessions=3,
            planned_by=staff("ot"),
            notify=False,
        )
        (warning,) = block.series.warnings
        assert "No letter, email or text message was sent to the family about this block" in warning["message"]
        assert "told only of the appointments still to come" not in warning["message"]
        assert not letters_to(referral).exists()
        assert not Message.objects.exists()
