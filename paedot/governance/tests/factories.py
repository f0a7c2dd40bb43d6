"""A child with something in every part of the record, made through the real services as staff would, and a second
child sharing the same group, to show an export never mentions anyone else. All synthetic."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from paedot.advice.services import give_advice_pack, load_strategy_sheets
from paedot.appointments.services import book_appointment, record_outcome
from paedot.appointments.tests.factories import clinic, clinician_working, london
from paedot.care.services.consent import record_consent
from paedot.care.services.equipment import issue_equipment
from paedot.care.tests.factories import assessed, episode_for, package_with_goals, reviewed
from paedot.casenotes.services import add_addendum, write_note
from paedot.children.models import Child
from paedot.children.services import change_child_details
from paedot.core.audit import record_event
from paedot.groups.models import GroupProgramme
from paedot.groups.services import create_programme, enrol, record_attendance, schedule_sessions
from paedot.referrals.attachments import add_attachment
from paedot.referrals.models import Referral
from paedot.referrals.tests.factories import make_referral, referral_in, staff
from paedot.restricted_records.services import break_glass, restrict_record

BOOKED_ON = "2027-01-04 09:00 +00:00"  # a Monday: appointments and group sessions from the 11th
SEEN_BY = "2027-02-01 12:00 +00:00"  # after every session: outcomes, assessment, package, review

# A real PDF's first bytes: attachments are checked by content, not by name.
PDF_BYTES = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"

CHILD = {
    "given_name": "Ayaan",
    "family_name": "Fullrecord",
    "date_of_birth": dt.date(2018, 5, 10),
    "nhs_number": "9434765919",
    "address": "1 Soho Road, Birmingham",
    "postcode": "B21 9RY",
}
PARENT = {"name": "Sara Fullrecord", "relationship": "Mother", "phone": "07700 900123", "email": "sara@example.com"}
OTHER_CHILD = {
    "given_name": "Bella",
    "family_name": "Otherchild",
    "date_of_birth": dt.date(2017, 3, 2),
    "nhs_number": "9912003888",
    "address": "9 Elsewhere Lane, Birmingham",
    "postcode": "B21 9RY",
}
OTHER_PARENT = {
    "name": "Olga Otherchild",
    "relationship": "Mother",
    "phone": "07700 900999",
    "email": "olga@example.com",
}


@dataclass
class FullRecord:
    referral: Referral
    second_referral: Referral
    other: Referral
    programme: GroupProgramme


def _group(ot) -> tuple[GroupProgramme, list]:
    programme = create_programme(
        name="Handwriting group",
        description="Pencil grip and letter formation.",
        audience=GroupProgramme.Audience.CHILDREN,
        capacity=8,
        clinician=ot,
        location=clinic(),
        room=None,
        created_by=ot,
    )
    sessions = schedule_sessions(
        programme=programme,
        first_start=london(2027, 1, 12, 14),
        sessions=2,
        interval_days=7,
        duration_minutes=60,
        override_reason="",
        scheduled_by=ot,
    ).sessions
    return programme, sessions


def full_record() -> FullRecord:
    """Ayaan: referred, screened, triaged, invited, in a group, booked, seen, missed two appointments (a flag),
    assessed, a package of care with goals reviewed, equipment, consent, an advice pack, notes with an addendum,
    a scanned form, messages to his mother, a second referral flagged as a duplicate, a restricted record opened
    by breaking the glass, and a misspelt record of him merged into his. Bella, in the same group, has a record of
    her own."""
    load_strategy_sheets()
    admin, lead = staff("clinical_admin"), staff("team_lead", "lead-governance")
    ot = clinician_working("ot", "ot-governance")
    for person, (given, family) in ((ot, ("Olu", "Therapist")), (admin, ("Ada", "Admin")), (lead, ("Lee", "Lead"))):
        person.first_name, person.last_name = given, family
        person.save(update_fields=["first_name", "last_name"])

    with time_machine.travel(BOOKED_ON, tick=False):
        referral = referral_in("invited", child=CHILD, parent_carer=PARENT, school_name="Testfield Primary School")
        other = referral_in("waiting", child=OTHER_CHILD, parent_carer=OTHER_PARENT)
        programme, sessions = _group(ot)
        enrol(programme=programme, referral=referral, enrolled_by=admin)
        enrol(programme=programme, referral=other, enrolled_by=admin)
        appointments = [
            book_appointment(
                referral=referral,
                clinician=ot,
                kind="assessment" if day == 11 else "treatment",
                location=clinic(),
                start=london(2027, 1, day, 10),
                duration_minutes=45,
                booked_by=admin,
            )
            for day in (11, 18, 25)
        ]
        add_attachment(
            referral=referral,
            uploaded_file=SimpleUploadedFile("scanned-referral.pdf", PDF_BYTES, content_type="application/pdf"),
            uploaded_by=admin,
        )
        # The same NHS number while the first referral is open: flagged as a certain duplicate.
        second = make_referral(child=CHILD, parent_carer=PARENT)

    with time_machine.travel(SEEN_BY, tick=False):
        record_attendance(appointment=sessions[0], referral=referral, outcome="attended", recorded_by=ot)
        record_attendance(appointment=sessions[0], referral=other, outcome="attended", recorded_by=ot)
        record_outcome(appointment=appointments[0], outcome="attended", recorded_by=ot)
        record_outcome(appointment=appointments[1], outcome="was_not_brought", recorded_by=ot)
        record_outcome(appointment=appointments[2], outcome="was_not_brought", recorded_by=ot)
        episode = episode_for(referral, by=ot)
        assessed(referral, by=ot, clinical_impression="Immature grasp; struggles with buttons.")
        package = package_with_goals(referral, n=2, by=ot)
        reviewed(package, [0, 1], by=ot, summary="Both goals met or better.")
        issue_equipment(
            referral=referral,
            kind="equipment",
            item="Writing slope",
            issued_on=dt.date(2027, 2, 1),
            review_on=dt.date(2027, 5, 1),
            issued_by=ot,
        )
        for recipient in ("family", "school"):
            record_consent(episode=episode, recipient=recipient, given=True, given_by="Mum", recorded_by=ot)
        give_advice_pack(
            referral=referral,
            sheets=["dressing", "pencil-grip-and-handwriting"],
            home_notes="Practise the buttons on the school shirt after tea.",
            school_notes="Ayaan sits best near the front.",
            for_home=True,
            for_school=True,
            given_by=ot,
        )
        note = write_note(
            referral=referral,
            contact_kind="telephone",
            contact_on=dt.date(2027, 1, 29),
            body="Spoke to mum about pencil grip practice at home.",
            author=ot,
        )
        add_addendum(note=note, body="Mum called back: the pencil grips arrived.", by=ot)
        write_note(
            referral=other,
            contact_kind="telephone",
            contact_on=dt.date(2027, 1, 29),
            body="Spoke to Bella's mum about scissors.",
            author=ot,
        )
        record_event(action="record.viewed", actor=ot, target=referral, detail={"path": "/staff/referrals/"})
        # The family moved: the old address stays in the record's history.
        change_child_details(
            child=referral.child,
            changes={"address": "7 New Road, Birmingham"},
            reason="Mum phoned with the new address (synthetic).",
            changed_by=admin,
            referral=referral,
        )
        from paedot.alerts.services import raise_alert

        raise_alert(referral=referral, category="communication_needs", text="Mum prefers Urdu: interpreter", by=admin)
        restrict_record(child=referral.child, reason="A safeguarding concern (synthetic).", named_staff=[ot], by=lead)
        break_glass(referral=referral, user=admin, reason="The family rang to rebook (synthetic).")
    # An earlier record of Ayaan, spelt differently, that a person confirmed was his and merged into this one.
    Child.objects.create(
        given_name="Ayan",
        family_name=referral.child.family_name,
        date_of_birth=referral.child.date_of_birth,
        postcode=referral.child.postcode,
        merged_into=referral.child,
        merged_at=timezone.now(),
    )
    referral.refresh_from_db()
    return FullRecord(referral=referral, second_referral=second, other=other, programme=programme)
