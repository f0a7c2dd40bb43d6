"""The notes API contract: write (201), read, change a draft (a signed note: 409), sign, countersign (403 for the
wrong person, 409 when nothing awaits), addenda (201), the queue, and 400/403/404 for bad input and strangers."""

from __future__ import annotations

import datetime as dt

import pytest

from paedot.appointments.tests.factories import london
from paedot.casenotes.models import ClinicalNote
from paedot.casenotes.services import countersign
from paedot.casenotes.tests.factories import appointment, seen_referral, telephone_note
from paedot.core.models import AuditEvent
from paedot.referrals.tests.factories import staff
from paedot.staff.services import issue_api_token

pytestmark = pytest.mark.django_db

NOTE_KEYS = {
    "id",
    "referral",
    "appointment",
    "contact_kind",
    "contact_on",
    "author",
    "body",
    "status",
    "signed_at",
    "countersigned_by",
    "countersigned_at",
    "addenda",
}


def call(client, method: str, path: str, user, body: dict | None = None):
    token = issue_api_token(user=user, name="t")
    send = getattr(client, method)
    if body is None:
        return send(path, HTTP_AUTHORIZATION=f"Bearer {token}")
    return send(path, data=body, content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {token}")


def test_writing_the_note_of_an_appointment_gives_201_and_the_note(client, ot_user):
    referral = seen_referral()
    session = appointment(referral, ot_user)
    response = call(client, "post", f"/api/appointments/{session.pk}/notes", ot_user, {"body": "Worked on buttons."})
    assert response.status_code == 201, response.content
    note = response.json()
    assert set(note) == NOTE_KEYS
    assert note["referral"] == referral.reference
    assert note["appointment"] == session.pk
    assert note["contact_kind"] == "appointment"
    assert note["contact_on"] == "2027-01-18"
    assert note["author"] == "ot1"
    assert note["status"] == "signed"
    assert note["signed_at"] == "2027-01-20T12:00:00+00:00"
    assert note["countersigned_by"] is None and note["addenda"] == []


def test_an_assistants_note_by_api_awaits_countersignature_and_can_be_a_draft(client, ota_user):
    referral = seen_referral()
    first = appointment(referral, ota_user)
    second = appointment(referral, ota_user, london(2027, 1, 19, 10))
    signed = call(client, "post", f"/api/appointments/{first.pk}/notes", ota_user, {"body": "Session went well."})
    assert signed.json()["status"] == "awaiting_countersignature"
    draft = call(client, "post", f"/api/appointments/{second.pk}/notes", ota_user, {"body": "Half", "sign": False})
    assert draft.json()["status"] == "draft" and draft.json()["signed_at"] is None


def test_a_cancelled_appointment_gets_409(client, ot_user):
    session = appointment(seen_referral(), ot_user, cancelled=True, outcome="cancelled_by_service")
    response = call(client, "post", f"/api/appointments/{session.pk}/notes", ot_user, {"body": "Anything"})
    assert response.status_code == 409
    assert "cancelled" in response.json()["message"]


@pytest.mark.parametrize("body", [{"body": "   "}, {"body": ""}, {}])
def test_a_note_without_words_is_400_naming_body(client, ot_user, body):
    session = appointment(seen_referral(), ot_user)
    response = call(client, "post", f"/api/appointments/{session.pk}/notes", ot_user, body)
    assert response.status_code == 400
    assert [e["field"] for e in response.json()["errors"]] == ["body"]


def test_an_unknown_appointment_is_404(client, ot_user):
    assert call(client, "post", "/api/appointments/999999/notes", ot_user, {"body": "x"}).status_code == 404


def test_admin_staff_may_not_write_notes(client, admin_user, ot_user):
    session = appointment(seen_referral(), ot_user)
    response = call(client, "post", f"/api/appointments/{session.pk}/notes", admin_user, {"body": "x"})
    assert response.status_code == 403
    assert not ClinicalNote.objects.exists()


def test_a_partner_system_cannot_find_a_childs_notes(client, partner_user, ot_user):
    referral = seen_referral()  # not sent by this partner system: invisible to it
    note = telephone_note(referral, ot_user)
    assert call(client, "get", f"/api/referrals/{referral.reference}/notes", partner_user).status_code == 404
    assert call(client, "get", f"/api/notes/{note.pk}", partner_user).status_code == 404


def test_the_note_of_a_call_is_written_against_the_referral(client, ot_user):
    referral = seen_referral()
    response = call(
        client,
        "post",
        f"/api/referrals/{referral.reference}/notes",
        ot_user,
        {"contact_kind": "telephone", "contact_on": "2027-01-19", "body": "Rang school SENCO."},
    )
    assert response.status_code == 201, response.content
    assert response.json()["contact_kind"] == "telephone"
    assert response.json()["appointment"] is None
    assert response.json()["contact_on"] == "2027-01-19"


def test_a_contact_dated_today_unless_said(client, ot_user):
    referral = seen_referral()
    body = {"contact_kind": "email", "body": "Emailed the strategies."}
    assert call(client, "post", f"/api/referrals/{referral.reference}/notes", ot_user, body).json()["contact_on"] == (
        "2027-01-20"
    )


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"contact_kind": "appointment", "body": "x"}, "contact_kind"),
        ({"contact_kind": "telephone", "body": "x", "contact_on": "2027-02-01"}, "contact_on"),
        ({"contact_kind": "telephone", "body": " "}, "body"),
    ],
)
def test_bad_input_for_a_contact_is_400_naming_the_field(client, ot_user, body, field):
    response = call(client, "post", f"/api/referrals/{seen_referral().reference}/notes", ot_user, body)
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == field


def test_reading_a_childs_notes_newest_first_with_addenda(client, ot_user, ota_user):
    referral = seen_referral()
    older = telephone_note(referral, ot_user, body="Older")
    newer = telephone_note(referral, ot_user, body="Newer", on=dt.date(2027, 1, 20))
    call(client, "post", f"/api/notes/{older.pk}/addenda", ota_user, {"body": "Mum rang back."})
    telephone_note(referral, ota_user, body="Someone else's draft", sign=False)
    response = call(client, "get", f"/api/referrals/{referral.reference}/notes", ot_user)
    assert response.status_code == 200
    notes = response.json()
    assert [n["id"] for n in notes] == [newer.pk, older.pk]
    assert notes[1]["addenda"][0]["author"] == "ota1"
    assert notes[1]["addenda"][0]["body"] == "Mum rang back."
    assert AuditEvent.objects.filter(action="record.viewed", child_id=referral.child_id).exists()


def test_reading_one_note(client, ot_user):
    note = telephone_note(seen_referral(), ot_user)
    response = call(client, "get", f"/api/notes/{note.pk}", ot_user)
    assert response.status_code == 200
    assert response.json()["body"] == "Spoke to mum about pencil grip."
    assert call(client, "get", "/api/notes/999999", ot_user).status_code == 404


def test_someone_elses_draft_is_not_there(client, ot_user, team_lead_user):
    draft = telephone_note(seen_referral(), ot_user, sign=False)
    assert call(client, "get", f"/api/notes/{draft.pk}", team_lead_user).status_code == 404
    assert call(client, "patch", f"/api/notes/{draft.pk}", team_lead_user, {"body": "x"}).status_code == 404


def test_the_author_changes_a_draft_then_signs_it(client, ota_user):
    draft = telephone_note(seen_referral(), ota_user, sign=False)
    changed = call(client, "patch", f"/api/notes/{draft.pk}", ota_user, {"body": "Finished words."})
    assert changed.status_code == 200
    assert changed.json()["body"] == "Finished words." and changed.json()["status"] == "draft"
    signed = call(client, "post", f"/api/notes/{draft.pk}/sign", ota_user)
    assert signed.status_code == 200
    assert signed.json()["status"] == "awaiting_countersignature"


def test_patching_a_signed_note_is_409_and_changes_nothing(client, ot_user):
    note = telephone_note(seen_referral(), ot_user, body="As signed.")
    response = call(client, "patch", f"/api/notes/{note.pk}", ot_user, {"body": "Rewritten"})
    assert response.status_code == 409
    assert response.json()["message"] == "A signed note is never changed: add an addendum."
    note.refresh_from_db()
    assert note.body == "As signed."


def test_signing_a_signed_note_is_409(client, ot_user):
    note = telephone_note(seen_referral(), ot_user)
    assert call(client, "post", f"/api/notes/{note.pk}/sign", ot_user).status_code == 409


def test_the_supervising_ot_countersigns(client, ota_user, ot_user):
    note = telephone_note(seen_referral(), ota_user)
    response = call(client, "post", f"/api/notes/{note.pk}/countersign", ot_user)
    assert response.status_code == 200
    assert response.json()["status"] == "countersigned"
    assert response.json()["countersigned_by"] == "ot1"
    assert response.json()["countersigned_at"] == "2027-01-20T12:00:00+00:00"


def test_countersigning_by_the_wrong_role_or_person_is_403_and_with_nothing_awaiting_409(
    client, ota_user, ot_user, team_lead_user
):
    note = telephone_note(seen_referral(), ota_user)
    assert call(client, "post", f"/api/notes/{note.pk}/countersign", ota_user).status_code == 403
    assert call(client, "post", f"/api/notes/{note.pk}/countersign", staff("clinical_admin")).status_code == 403
    not_theirs = call(client, "post", f"/api/notes/{note.pk}/countersign", staff("ot", "stranger-ot"))
    assert not_theirs.status_code == 403
    assert "supervising OT or a team lead" in not_theirs.json()["message"]
    countersign(note=note, by=ot_user)
    again = call(client, "post", f"/api/notes/{note.pk}/countersign", team_lead_user)
    assert again.status_code == 409
    assert call(client, "post", "/api/notes/999999/countersign", ot_user).status_code == 404


def test_an_addendum_is_201_with_who_and_when_and_the_note_is_unchanged(client, ot_user, ota_user):
    note = telephone_note(seen_referral(), ota_user, body="As signed.")
    response = call(client, "post", f"/api/notes/{note.pk}/addenda", ot_user, {"body": "Also: check pencil grip."})
    assert response.status_code == 201
    assert set(response.json()) == {"id", "author", "body", "created_at"}
    assert response.json()["author"] == "ot1"
    assert response.json()["created_at"] == "2027-01-20T12:00:00+00:00"
    note.refresh_from_db()
    assert note.body == "As signed."


def test_an_addendum_to_a_draft_is_409_and_without_words_400(client, ot_user):
    referral = seen_referral()
    draft = telephone_note(referral, ot_user, sign=False)
    assert call(client, "post", f"/api/notes/{draft.pk}/addenda", ot_user, {"body": "More"}).status_code == 409
    signed = telephone_note(referral, ot_user)
    blank = call(client, "post", f"/api/notes/{signed.pk}/addenda", ot_user, {"body": "  "})
    assert blank.status_code == 400
    assert blank.json()["errors"][0]["field"] == "body"


def test_the_countersignature_queue(client, ot_user, ota_user, admin_user):
    referral = seen_referral()
    awaiting = telephone_note(referral, ota_user)
    telephone_note(referral, ot_user)
    response = call(client, "get", "/api/notes/countersignature-queue", ot_user)
    assert response.status_code == 200
    assert [n["id"] for n in response.json()] == [awaiting.pk]
    assert call(client, "get", "/api/notes/countersignature-queue", ota_user).status_code == 403
    assert call(client, "get", "/api/notes/countersignature-queue", admin_user).status_code == 403


def test_without_a_token_it_is_401(client):
    assert client.get("/api/notes/countersignature-queue").status_code == 401
