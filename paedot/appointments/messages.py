"""What the family is told about appointments: the letter, an email with a calendar file, a text message, and a
reminder before each appointment.

The booking services call these inside their transaction: the letter is kept with the booking, and the email and
text wait in the outbox (paedot.notifications) until the transaction commits, then a background task sends them.
Each message has a reference naming what it is about, so it is never queued twice.
"""

from __future__ import annotations

import copy
import datetime as dt

from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from paedot.appointments import letters, rules
from paedot.appointments.models import Appointment, AppointmentSeries, Kind
from paedot.appointments.policy import attendance_policy
from paedot.notifications.models import Channel, Message, MessageStatus
from paedot.notifications.rules import uk_mobile
from paedot.notifications.services import Attachment, queue_message
from paedot.public.models import ServiceDetails
from paedot.referrals.models import CLOSED_STATUSES, Referral

# Reminders go to families whose appointment starts within this time (the daily run sends each one once).
REMINDER_AHEAD = dt.timedelta(days=attendance_policy().reminder_days_ahead)

ICS = "text/calendar"


def _stamp(start: dt.datetime) -> str:
    """The start in UTC, in message references: a moved appointment gets a new reminder for its new time."""
    return start.astimezone(dt.UTC).strftime("%Y%m%dT%H%MZ")


def reminder_prefix(appointment: Appointment, *, start: dt.datetime | None = None) -> str:
    """The start of the references of this appointment's reminders; of those for one start, when it is given."""
    return f"appointment:{appointment.pk}:reminder:" + (_stamp(start) if start else "")


def _queue_email_and_text(
    referral: Referral,
    *,
    reference: str,
    subject: str,
    email_body: str,
    sms_body: str,
    attachment: Attachment | None = None,
) -> list[Message]:
    parent = referral.parent_carer
    queued = []
    if parent.email:
        queued.append(
            queue_message(
                channel=Channel.EMAIL,
                recipient=parent.email,
                subject=subject,
                body=email_body,
                reference=reference,
                attachment=attachment,
                referral=referral,
                to_parent_carer=True,
            )
        )
    if uk_mobile(parent.phone):
        queued.append(
            queue_message(
                channel=Channel.SMS,
                recipient=parent.phone,
                body=sms_body,
                reference=reference,
                referral=referral,
                to_parent_carer=True,
            )
        )
    return queued


def _note_told(appointments: list[Appointment]) -> None:
    """Keep the time each family has just been sent (the letter always goes; the email and text where there are
    details): a later move or cancellation is decided from it (rules.move_message, family_told_of_cancellation).
    update(), so the calendar event's sequence (from updated_at) is not disturbed."""
    Appointment.objects.filter(pk__in=[a.pk for a in appointments]).update(family_last_told_start=F("start"))
    for appointment in appointments:
        appointment.family_last_told_start = appointment.start


def tell_family_about_booking(appointment: Appointment, *, now: dt.datetime | None = None, issued_by=None) -> None:
    """The appointment letter, an email with the .ics file, and a text message. Called inside the booking's
    transaction. Nothing at all for an appointment that had started when it was booked (`now`: by default when it
    was booked): the family is not told of what has already happened."""
    if not rules.family_told_of(appointment.start, now or appointment.created_at):
        return
    _note_told([appointment])
    referral = appointment.referral
    letters.issue_appointment_letter(appointment, issued_by=issued_by)
    visit = letters.visit(appointment)
    _queue_email_and_text(
        referral,
        reference=f"appointment:{appointment.pk}:booked",
        subject=f"Occupational therapy appointment on {visit.day} at {visit.time}",
        email_body=letters.email_text(
            [visit],
            reference=referral.reference,
            intro=f"We have booked an appointment for {referral.child.given_name}.",
        ),
        sms_body=letters.sms_text(visit, lead="We have booked an", reference=referral.reference),
        attachment=Attachment(
            filename="appointment.ics",
            content=letters.calendar_file([appointment], reference=referral.reference),
            mimetype=ICS,
        ),
    )


def tell_family_about_block(series: AppointmentSeries, *, now: dt.datetime | None = None) -> None:
    """One letter listing every session and the review, one email with all of them in its .ics file, and one text
    message. Called inside the block's transaction, once for the whole block.

    Only the appointments still to come at `now` (by default when the block was planned) are told: a block recorded
    partly after the event lists the rest of it, and one wholly in the past sends nothing."""
    referral = series.referral
    now = now or series.created_at
    live = list(
        series.appointments.live().select_related("location", "room", "clinician", "referral__child").order_by("start")
    )
    appointments = [a for a in live if rules.family_told_of(a.start, now)]
    if not appointments:
        return
    _note_told(appointments)
    earlier = sum(1 for a in live if a.kind != Kind.REVIEW and not rules.family_told_of(a.start, now))
    letters.issue_block_letter(series, appointments, earlier=earlier)
    visits = [letters.visit(a) for a in appointments]
    first = visits[0]
    sessions = sum(1 for v in visits if v.kind != "review")
    name = referral.child.given_name
    if not earlier:
        subject = f"{sessions} occupational therapy sessions, from {first.day}"
        intro = f"We have booked {sessions} occupational therapy sessions for {name}, and a review after them."
    elif sessions:
        subject = f"{sessions} more occupational therapy session{'s' if sessions != 1 else ''}, from {first.day}"
        intro = (
            f"We have booked the rest of {name}'s block of occupational therapy: {sessions} more "
            f"session{'s' if sessions != 1 else ''}, and a review after them."
        )
    else:
        subject = f"Occupational therapy review on {first.day}"
        intro = f"We have booked a review of {name}'s occupational therapy, after the block of sessions."
    lead = f"We have booked {len(visits)} appointments. The first is an" if len(visits) > 1 else "We have booked an"
    _queue_email_and_text(
        referral,
        reference=f"series:{series.pk}:booked",
        subject=subject,
        email_body=letters.email_text(visits, reference=referral.reference, intro=intro),
        sms_body=letters.sms_text(first, lead=lead, reference=referral.reference),
        attachment=Attachment(
            filename="appointments.ics",
            content=letters.calendar_file(appointments, reference=referral.reference),
            mimetype=ICS,
        ),
    )


def tell_family_about_change(appointment: Appointment, *, was: dt.datetime | None = None, changed_by=None) -> None:
    """A moved or cancelled appointment: a letter, and an email with the updated calendar event (the same UID, so
    the family's calendar moves or removes it), and a text message. `was`: the time the family was last told of
    (the services pass family_last_told_start): a move is "from" it, and a cancellation names it, which is the
    appointment the family holds even if staff have since moved it into the past."""
    referral = appointment.referral
    if referral is None:
        return
    appointment.refresh_from_db()
    letter = letters.issue_change_letter(appointment, was=was, issued_by=changed_by)
    visit = letters.visit(appointment)
    in_calendar = appointment
    if appointment.cancelled:
        at = was or appointment.start
        what = f"Your appointment on {letters.london_date(at)} at {letters.london_time(at)} is cancelled"
        reference = f"appointment:{appointment.pk}:cancelled"
        if was is not None and was != appointment.start:
            # The cancelled event as the family's calendar holds it (the UID is what removes it; the time reads right).
            in_calendar = copy.copy(appointment)
            in_calendar.start, in_calendar.end = was, was + (appointment.end - appointment.start)
    else:
        what = f"Your appointment has moved to {visit.day} at {visit.time}"
        # Each move told is its own message, named by its letter: moved there, away and back again is told twice.
        reference = f"appointment:{appointment.pk}:moved:{_stamp(appointment.start)}:letter:{letter.pk}"
        _note_told([appointment])
    service = ServiceDetails.current()
    _queue_email_and_text(
        referral,
        reference=reference,
        subject=what,
        email_body=letters.cancellation_email_text(appointment, what=what, reference=referral.reference)
        if appointment.cancelled
        else letters.email_text([visit], reference=referral.reference, intro=f"{what}."),
        sms_body=f"{service.name}: {what}. Questions? Call {service.phone}. Ref {referral.reference}",
        attachment=Attachment(
            filename="appointment.ics",
            content=letters.calendar_file([in_calendar], reference=referral.reference),
            mimetype=ICS,
        ),
    )


# A group session the service cancelled -----------------------------------------------------------------------------


def _reminded_of(session: Appointment) -> dict[Referral, dt.datetime]:
    """The families with a place in the group (and an open referral) who were sent a reminder of this session, each
    with the time they were reminded of (the latest, if the session moved after a reminder): read from the
    reminders' references (queue_reminders)."""
    prefix = f"appointment:{session.pk}:reminder:"
    reminders = Message.objects.filter(
        reference__startswith=prefix,
        referral__in=Referral.objects.filter(
            group_enrolments__programme_id=session.programme_id, group_enrolments__withdrawn_at__isnull=True
        ).exclude(status__in=CLOSED_STATUSES),
    ).exclude(status=MessageStatus.WITHDRAWN)  # withdrawn before it went: they were never reminded by it
    reminders = reminders.select_related("referral__child", "referral__parent_carer")
    reminded: dict[Referral, dt.datetime] = {}
    for reminder in reminders:
        stamp = reminder.reference[len(prefix) :].split(":", 1)[0]
        try:
            at = dt.datetime.strptime(stamp, "%Y%m%dT%H%MZ").replace(tzinfo=dt.UTC)
        except ValueError:
            continue
        if reminder.referral not in reminded or at > reminded[reminder.referral]:
            reminded[reminder.referral] = at
    return reminded


def cancellation_reference(session: Appointment, referral: Referral) -> str:
    return f"appointment:{session.pk}:cancelled:referral:{referral.pk}"


def tell_group_about_cancellation(session: Appointment, *, now: dt.datetime) -> list[Referral]:
    """A group session the service cancelled: each family with a place who was reminded of it, while the time they
    were reminded of is still to come, is sent an email and a text (as reminders are sent; no letter) saying it is
    cancelled. Families never reminded of it are sent nothing (hazard H12: the page and the API say so, for staff to
    tell them). Returns the families sent a message."""
    if session.programme_id is None:
        return []
    service = ServiceDetails.current()
    name = session.programme.name if session.programme_id else "group"
    told = []
    for referral, at in sorted(_reminded_of(session).items(), key=lambda item: item[0].pk):
        if not rules.family_told_of(at, now):
            continue
        what = f"The {name} session on {letters.london_date(at)} at {letters.london_time(at)} is cancelled"
        queued = _queue_email_and_text(
            referral,
            reference=cancellation_reference(session, referral),
            subject=what,
            email_body=letters.cancellation_email_text(session, what=what, reference=referral.reference),
            sms_body=f"{service.name}: {what}. Questions? Call {service.phone}. Ref {referral.reference}",
        )
        if queued:
            told.append(referral)
    return told


def families_told_of_group_cancellation(session: Appointment) -> list[str]:
    """The referral references of the families sent a cancellation of this group session, in order."""
    return list(
        Message.objects.filter(reference__startswith=f"appointment:{session.pk}:cancelled:referral:")
        .order_by("referral__reference")
        .values_list("referral__reference", flat=True)
        .distinct()
    )


# Reminders -------------------------------------------------------------------------------------------------------


def _families(appointment: Appointment) -> list[Referral]:
    """Who to remind: the child's family, or for a group session every family with a place in the group."""
    if appointment.referral_id:
        return [appointment.referral] if appointment.referral.status not in CLOSED_STATUSES else []
    if appointment.programme_id is None:
        return []
    return list(
        Referral.objects.filter(
            group_enrolments__programme_id=appointment.programme_id, group_enrolments__withdrawn_at__isnull=True
        )
        .exclude(status__in=CLOSED_STATUSES)
        .select_related("child", "parent_carer")
        .distinct()
    )


def queue_reminders(appointment: Appointment) -> int:
    """Queue the reminder for each family not yet reminded of this appointment at this time; returns how many. None
    for an appointment (or group session) that has already started: a reminder of it could only confuse."""
    if not rules.family_told_of(appointment.start, timezone.now()):
        return 0
    visit = letters.visit(appointment)
    reminded = 0
    for referral in _families(appointment):
        suffix = "" if appointment.referral_id else f":referral:{referral.pk}"
        reference = f"appointment:{appointment.pk}:reminder:{_stamp(appointment.start)}{suffix}"
        if Message.objects.filter(reference=reference).exists():
            continue  # a cheap skip; the unique reference is what guarantees one reminder
        queued = _queue_email_and_text(
            referral,
            reference=reference,
            subject=f"Reminder: occupational therapy appointment on {visit.day} at {visit.time}",
            email_body=letters.email_text(
                [visit],
                reference=referral.reference,
                intro=f"This is a reminder of {referral.child.given_name}'s appointment.",
                note=visit.bring_sentence,
            ),
            sms_body=letters.sms_text(visit, lead="Reminder: you have an", reference=referral.reference),
        )
        reminded += bool(queued)
    return reminded


def send_appointment_reminders(*, now: dt.datetime | None = None) -> int:
    """Queue a reminder for every live appointment starting within REMINDER_AHEAD. Run daily; running it again
    queues nothing new (each reminder's reference is unique). Returns how many families were newly reminded."""
    now = now or timezone.now()
    due = (
        Appointment.objects.live()
        .filter(start__gte=now, start__lt=now + REMINDER_AHEAD, outcome="")
        .filter(Q(referral__isnull=False) | Q(programme__isnull=False))
        .select_related("location", "room", "clinician", "referral__child", "referral__parent_carer")
        .order_by("start", "id")
    )
    reminded = 0
    for appointment in due.iterator(chunk_size=200):
        with transaction.atomic():
            reminded += queue_reminders(appointment)
    return reminded
