"""Notes pages: writing the note of an appointment or a call (sign or keep a draft), a child's notes with their
addenda and countersignatures, changing one's own draft, the OT's countersignature queue, and who may do each."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine

from paedot.casenotes.models import Addendum, ClinicalNote
from paedot.casenotes.services import add_addendum, countersign
from paedot.casenotes.tests.factories import appointment, seen_referral, telephone_note
from paedot.core.models import AuditEvent
from paedot.referrals.tests.factories import staff

pytestmark = pytest.mark.django_db


def notes_page(referral) -> str:
    return f"/staff/notes/{referral.reference}/"


def contact_form(**overrides) -> dict:
    data = {
        "contact_kind": "telephone",
        "contact_on_day": "19",
        "contact_on_month": "1",
        "contact_on_year": "2027",
        "contact_at": "14:30",
        "body": "Rang dad: the pencil grip helps.",
        "action": "sign",
    }
    data.update(overrides)
    return data


# --- Who may do what -----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["auditor", "system_admin"])
def test_roles_outside_the_clinical_team_do_not_see_notes(client, role):
    referral = seen_referral()
    client.force_login(staff(role))
    assert client.get(notes_page(referral)).status_code == 403
    assert client.get(f"/staff/notes/{referral.reference}/new").status_code == 403
    assert client.get("/staff/notes/countersign").status_code == 403


def test_admin_staff_read_notes_but_do_not_write_or_countersign_them(client, admin_user, ota_user):
    referral = seen_referral()
    note = telephone_note(referral, ota_user)
    client.force_login(admin_user)
    page = client.get(notes_page(referral))
    assert page.status_code == 200
    assert "Write a note of a contact" not in page.text
    assert "Add an addendum" not in page.text
    assert client.get(f"/staff/notes/{referral.reference}/new").status_code == 403
    assert client.post(f"/staff/notes/countersign/{note.pk}").status_code == 403
    assert (
        client.post(f"/staff/notes/{referral.reference}/{note.pk}/addenda", {f"note-{note.pk}-body": "x"}).status_code
        == 403
    )


def test_an_unknown_referral_is_404(client, ot_user):
    client.force_login(ot_user)
    assert client.get("/staff/notes/NOPE123/").status_code == 404


def test_sign_in_is_needed(client):
    response = client.get(notes_page(seen_referral()))
    assert response.status_code == 302 and "sign-in" in response.url


# --- Writing --------------------------------------------------------------------------------------------------------


def test_the_appointment_page_links_to_writing_its_note_for_clinicians_only(client, ot_user, admin_user):
    session = appointment(seen_referral(), ot_user)
    client.force_login(ot_user)
    assert f"/new?appointment={session.pk}" in client.get(f"/staff/appointments/{session.pk}").text
    client.force_login(admin_user)
    assert "Write the note of this contact" not in client.get(f"/staff/appointments/{session.pk}").text


def test_writing_and_signing_the_note_of_an_appointment(client, ota_user):
    referral = seen_referral()
    session = appointment(referral, ota_user)
    client.force_login(ota_user)
    url = f"/staff/notes/{referral.reference}/new?appointment={session.pk}"
    page = client.get(url)
    assert page.status_code == 200
    assert "Treatment session, Monday 18 January 2027" in page.text
    assert "waits for countersignature by Olu Therapist" in page.text
    assert 'name="contact_kind"' not in page.text  # the appointment says what and when
    response = client.post(url, {"body": "Practised buttons.", "action": "sign"})
    note = ClinicalNote.objects.get()
    assert response.status_code == 302
    assert response.url == f"{notes_page(referral)}#note-{note.pk}"
    assert (note.appointment, note.contact_on, note.status) == (
        session,
        dt.date(2027, 1, 18),
        "awaiting_countersignature",
    )
    assert "waits for countersignature by Olu Therapist" in client.get(response.url).text


def test_a_second_note_of_the_same_appointment_points_to_the_first(client, ot_user):
    referral = seen_referral()
    session = appointment(referral, ot_user)
    client.force_login(ot_user)
    url = f"/staff/notes/{referral.reference}/new?appointment={session.pk}"
    client.post(url, {"body": "Draft words", "action": "draft"})
    page = client.get(url)
    assert "You have already written the note of this appointment" in page.text
    assert "Change or sign your draft" in page.text
    assert "<textarea" not in page.text


def test_a_cancelled_appointment_offers_no_note(client, ot_user):
    referral = seen_referral()
    session = appointment(referral, ot_user, cancelled=True, outcome="cancelled_by_family")
    client.force_login(ot_user)
    page = client.get(f"/staff/notes/{referral.reference}/new?appointment={session.pk}")
    assert "there was no contact to write about" in page.text
    assert "<textarea" not in page.text
    response = client.post(
        f"/staff/notes/{referral.reference}/new?appointment={session.pk}", {"body": "x", "action": "sign"}
    )
    assert response.status_code == 409
    assert not ClinicalNote.objects.exists()


def test_another_childs_appointment_is_404(client, ot_user):
    referral = seen_referral()
    session = appointment(seen_referral(), ot_user)
    client.force_login(ot_user)
    assert client.get(f"/staff/notes/{referral.reference}/new?appointment={session.pk}").status_code == 404
    assert client.get(f"/staff/notes/{referral.reference}/new?appointment=abc").status_code == 404


def test_writing_the_note_of_a_call_as_a_draft(client, ot_user):
    referral = seen_referral()
    client.force_login(ot_user)
    response = client.post(f"/staff/notes/{referral.reference}/new", contact_form(action="draft"))
    assert response.status_code == 302
    note = ClinicalNote.objects.get()
    assert (note.contact_kind, note.contact_on, note.contact_at) == ("telephone", dt.date(2027, 1, 19), dt.time(14, 30))
    assert note.status == "draft"
    page = client.get(response.url)
    assert "Note saved as a draft" in page.text
    assert "Change or sign this draft" in page.text


def test_a_note_with_problems_says_so_and_keeps_what_was_typed(client, ot_user):
    referral = seen_referral()
    client.force_login(ot_user)
    response = client.post(
        f"/staff/notes/{referral.reference}/new",
        contact_form(body="   ", contact_kind="", contact_on_day="32", contact_at="2pm"),
    )
    assert response.status_code == 400
    text = response.text
    assert "There is a problem" in text
    assert "Write the note" in text
    assert "Choose what the contact was" in text
    assert "Date of the contact must be a real date" in text
    assert 'value="32"' in text and 'value="2pm"' in text
    assert not ClinicalNote.objects.exists()


def test_a_contact_before_the_referral_is_an_error_on_the_date(client, ot_user):
    referral = seen_referral()
    client.force_login(ot_user)
    response = client.post(f"/staff/notes/{referral.reference}/new", contact_form(contact_on_day="2"))
    assert response.status_code == 400
    assert "cannot be before the referral was received" in response.text
    assert "Rang dad: the pencil grip helps." in response.text


# --- A child's notes ------------------------------------------------------------------------------------------------


def test_the_notes_page_shows_each_note_newest_first_with_its_status_and_addenda(client, ot_user, ota_user):
    referral = seen_referral()
    older = telephone_note(referral, ota_user, body="OTA's call.", on=dt.date(2027, 1, 15))
    with time_machine.travel("2027-01-20 16:05 +00:00", tick=False):
        add_addendum(note=older, body="Dad's number has changed.", by=ot_user)
    newer = telephone_note(referral, ot_user, body="OT's call.", on=dt.date(2027, 1, 19))
    staff_draft = telephone_note(referral, staff("ot", "drafting-ot"), body="Somebody's unfinished draft", sign=False)
    client.force_login(ot_user)
    page = client.get(notes_page(referral))
    text = page.text
    assert page.status_code == 200
    assert text.index(f'id="note-{newer.pk}"') < text.index(f'id="note-{older.pk}"')
    assert "Awaiting countersignature by Olu Therapist" in text
    assert "Signed by Ama Assistant on 20 January 2027 at 12:00" in text
    assert "Added by Olu Therapist on 20 January 2027 at 16:05" in text
    assert "Dad&#39;s number has changed." in text
    assert "Countersign this note" in text  # Olu supervises Ama
    assert staff_draft.body not in text  # a draft is its author's until signed
    assert AuditEvent.objects.filter(action="record.viewed", child_id=referral.child_id).exists()


def test_the_notes_page_queries_do_not_grow_with_the_notes(client, ot_user, ota_user, django_assert_max_num_queries):
    referral = seen_referral()
    for n in range(8):
        note = telephone_note(referral, ota_user if n % 2 else ot_user, body=f"Call {n}")
        add_addendum(note=note, body=f"Addendum {n}", by=ot_user)
    countersign(note=ClinicalNote.objects.filter(author=ota_user).first(), by=ot_user)
    client.force_login(ot_user)
    with django_assert_max_num_queries(12):
        assert client.get(notes_page(referral)).status_code == 200


def test_only_the_author_is_offered_to_change_a_draft(client, ot_user, team_lead_user):
    referral = seen_referral()
    telephone_note(referral, ot_user, sign=False)
    client.force_login(team_lead_user)
    assert "Change or sign this draft" not in client.get(notes_page(referral)).text
    client.force_login(ot_user)
    assert "Change or sign this draft" in client.get(notes_page(referral)).text


def test_adding_an_addendum_from_the_notes_page(client, ot_user, ota_user):
    referral = seen_referral()
    note = telephone_note(referral, ota_user, body="As signed.")
    client.force_login(ot_user)
    url = f"/staff/notes/{referral.reference}/{note.pk}/addenda"
    response = client.post(url, {f"note-{note.pk}-body": "A correction."})
    assert response.status_code == 302
    addendum = Addendum.objects.get()
    assert (addendum.author, addendum.body) == (ot_user, "A correction.")
    note.refresh_from_db()
    assert note.body == "As signed."
    assert "The note itself is unchanged" in client.get(response.url).text


def test_an_empty_addendum_is_an_error_on_that_note_only(client, ot_user):
    referral = seen_referral()
    first, second = telephone_note(referral, ot_user, body="First"), telephone_note(referral, ot_user, body="Second")
    client.force_login(ot_user)
    response = client.post(f"/staff/notes/{referral.reference}/{second.pk}/addenda", {f"note-{second.pk}-body": " "})
    assert response.status_code == 400
    assert "There is a problem" in response.text
    assert response.text.count("Write the addendum") == 2  # the summary and the field
    assert f'id="id_note-{second.pk}-body"' in response.text and f'id="id_note-{first.pk}-body"' in response.text
    assert not Addendum.objects.exists()


# --- Drafts ---------------------------------------------------------------------------------------------------------


def test_changing_and_signing_ones_own_draft(client, ota_user):
    referral = seen_referral()
    draft = telephone_note(referral, ota_user, sign=False, body="Half")
    client.force_login(ota_user)
    url = f"/staff/notes/{referral.reference}/{draft.pk}/edit"
    page = client.get(url)
    assert page.status_code == 200 and ">Half</textarea>" in page.text
    assert client.post(url, {"body": "Whole", "action": "draft"}).status_code == 302
    draft.refresh_from_db()
    assert (draft.body, draft.status) == ("Whole", "draft")
    client.post(url, {"body": "Whole, signed", "action": "sign"})
    draft.refresh_from_db()
    assert (draft.body, draft.status) == ("Whole, signed", "awaiting_countersignature")


def test_a_signed_notes_edit_page_sends_you_to_add_an_addendum(client, ot_user):
    referral = seen_referral()
    note = telephone_note(referral, ot_user, body="As signed.")
    client.force_login(ot_user)
    response = client.post(
        f"/staff/notes/{referral.reference}/{note.pk}/edit", {"body": "Rewritten", "action": "draft"}
    )
    assert response.status_code == 302
    assert "A signed note is never changed: add an addendum." in client.get(response.url).text
    note.refresh_from_db()
    assert note.body == "As signed."


def test_someone_elses_draft_cannot_be_opened(client, ot_user, team_lead_user):
    referral = seen_referral()
    draft = telephone_note(referral, ot_user, sign=False)
    client.force_login(team_lead_user)
    assert client.get(f"/staff/notes/{referral.reference}/{draft.pk}/edit").status_code == 404


def test_an_empty_draft_is_an_error(client, ot_user):
    referral = seen_referral()
    draft = telephone_note(referral, ot_user, sign=False)
    client.force_login(ot_user)
    response = client.post(f"/staff/notes/{referral.reference}/{draft.pk}/edit", {"body": "", "action": "sign"})
    assert response.status_code == 400
    assert "Write the note" in response.text
    draft.refresh_from_db()
    assert draft.status == "draft"


# --- The countersignature queue -------------------------------------------------------------------------------------


def test_the_queue_lists_the_ots_assistants_notes_with_a_countersign_button(client, ot_user, ota_user):
    referral = seen_referral()
    telephone_note(referral, ota_user, body="First call.")
    telephone_note(referral, ota_user, body="Second call.")
    telephone_note(referral, ot_user, body="The OT's own call.")
    client.force_login(ot_user)
    page = client.get("/staff/notes/countersign")
    assert page.status_code == 200
    assert "<h1>Notes to countersign (2)</h1>" in page.text
    assert page.text.index("First call.") < page.text.index("Second call.")
    assert "The OT&#39;s own call." not in page.text
    assert page.text.count('aria-label="Countersign the note by Ama Assistant about Mia Testchild"') == 2
    assert AuditEvent.objects.filter(action="record.viewed", object_type="casenotes.clinicalnote").count() == 2


def test_the_queue_costs_the_same_however_long_it_is(client, ot_user, ota_user, django_assert_max_num_queries):
    for _ in range(2):
        telephone_note(seen_referral(), ota_user)
    client.force_login(ot_user)
    with django_assert_max_num_queries(8) as short:
        client.get("/staff/notes/countersign")
    for _ in range(6):
        telephone_note(seen_referral(), ota_user)
    with django_assert_max_num_queries(len(short.captured_queries)):
        page = client.get("/staff/notes/countersign")
    assert "Notes to countersign (8)" in page.text


def test_countersigning_from_the_queue(client, ot_user, ota_user):
    note = telephone_note(seen_referral(), ota_user)
    client.force_login(ot_user)
    response = client.post(f"/staff/notes/countersign/{note.pk}", {"return_to": "queue"})
    assert response.status_code == 302 and response.url == "/staff/notes/countersign"
    note.refresh_from_db()
    assert (note.status, note.countersigned_by) == ("countersigned", ot_user)
    page = client.get(response.url)
    assert "Note by Ama Assistant countersigned." in page.text
    assert "Notes to countersign (0)" in page.text


def test_countersigning_twice_says_why_not(client, ot_user, ota_user):
    referral = seen_referral()
    note = telephone_note(referral, ota_user)
    countersign(note=note, by=ot_user)
    client.force_login(ot_user)
    response = client.post(f"/staff/notes/countersign/{note.pk}")
    assert response.url == f"{notes_page(referral)}#note-{note.pk}"
    assert "already countersigned" in client.get(response.url).text


def test_an_ot_who_does_not_supervise_the_assistant_is_refused(client, ota_user):
    note = telephone_note(seen_referral(), ota_user)
    client.force_login(staff("ot", "stranger-ot"))
    assert client.post(f"/staff/notes/countersign/{note.pk}").status_code == 403
    note.refresh_from_db()
    assert note.status == "awaiting_countersignature"
