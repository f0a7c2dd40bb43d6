"""A subject access export: everything held about the child from every part of the service, nothing about anyone
else, the PDF printed from the same data, who may make one, and the export itself in the audit trail."""

from __future__ import annotations

import json
from io import BytesIO

import pytest
import time_machine
from pypdf import PdfReader

from paedot.casenotes.services import write_note
from paedot.children.models import Child
from paedot.core.models import AuditEvent
from paedot.governance.presenters import SECTIONS, html_to_text, mask_recipient
from paedot.governance.services import (
    ChildNotFound,
    SeveralChildren,
    find_child,
    preview_subject_access,
    subject_access_export,
)
from paedot.governance.tests.factories import OTHER_CHILD, OTHER_PARENT, full_record
from paedot.referrals.models import PossibleDuplicate
from paedot.referrals.services import NotAllowed
from paedot.referrals.tests.factories import make_referral, referral_in, staff

pytestmark = pytest.mark.django_db

EXPORTED_ON = "2027-03-01 10:00 +00:00"
REASON = "Subject access request from parent received 2027-02-20"


@pytest.fixture
def record():
    return full_record()


def export(record, user, **kw):
    with time_machine.travel(EXPORTED_ON, tick=False):
        return subject_access_export(child=record.referral.child, requested_by=user, reason=kw.pop("reason", REASON))


def pdf_text(pdf: bytes) -> str:
    reader = PdfReader(BytesIO(pdf))
    return " ".join(" ".join(page.extract_text() for page in reader.pages).split())


def test_every_section_of_a_full_record_holds_something(record, team_lead_user):
    data = export(record, team_lead_user).data
    empty = [key for key, _title, _layout in SECTIONS if not data["sections"][key]]
    assert empty == []
    assert list(data["sections"]) == [key for key, _title, _layout in SECTIONS]
    assert {"generated_at", "generated_by", "child", "sections", "reason"} <= set(data)


def test_the_export_holds_the_childs_own_details_from_each_app(record, team_lead_user):
    data = export(record, team_lead_user).data
    sections = data["sections"]
    assert data["child"]["nhs_number"] == "9434765919"
    assert data["child"]["date_of_birth"] == "2018-05-10"
    assert data["generated_by"] == {"name": "Test User", "role": "Team lead"}
    assert sections["parents_carers"][0]["name"] == "Sara Fullrecord"

    first, second = sections["referrals"]
    assert first["reference"] == record.referral.reference
    assert first["eligibility"]["outcome"] and first["eligibility"]["reasons"] is not None
    assert first["screenings"][0]["reason"] == "Meets the criteria"
    assert first["triages"][0]["pathway"] == "Package of care"
    assert second["possible_duplicates"][0]["may_be_the_same_as"] == record.referral.reference

    assert {a["outcome"] for a in sections["appointments"]} == {"Attended", "Was not brought"}
    assert sections["attendance_flags"][0]["state"] == "To review"
    assert sections["invitations"][0]["state"]
    assert sections["group_enrolments"][0]["group"] == "Handwriting group"
    assert sections["group_attendance"][0]["outcome"] == "Attended"

    episode = sections["episodes"][0]
    assert episode["assessments"][0]["clinical_impression"] == "Immature grasp; struggles with buttons."
    assert episode["assessments"][0]["findings"] == {"Fine motor": "Immature pencil grasp; tires quickly when writing."}
    assert [p["problem"] for p in episode["copm_problems"]] == ["Doing up buttons", "Using a knife and fork"]
    package = episode["packages"][0]
    assert len(package["goals"]) == 2
    assert package["review"]["goal_ratings"] == [{"goal": 1, "attained": 0}, {"goal": 2, "attained": 1}]
    assert package["review"]["summary"] == "Both goals met or better."
    assert episode["equipment"][0]["item"] == "Writing slope"
    assert {c["recipient"] for c in episode["consents_to_share"]} == {"Family", "School or nursery"}

    note = sections["clinical_notes"][0]
    assert note["note"] == "Spoke to mum about pencil grip practice at home."
    assert note["author"] == {"name": "Olu Therapist", "role": "Occupational therapist"}
    assert note["addenda"][0]["text"] == "Mum called back: the pencil grips arrived."
    assert sections["advice_packs"][0]["home_notes"] == "Practise the buttons on the school shirt after tea."
    assert sections["attachments"] == [
        {
            "referral": record.referral.reference,
            "name": "scanned-referral.pdf",
            "type": "application/pdf",
            "size_bytes": sections["attachments"][0]["size_bytes"],
            "uploaded_at": sections["attachments"][0]["uploaded_at"],
            "uploaded_by": {"name": "Ada Admin", "role": "Clinical admin"},
        }
    ]
    kinds = {r["what"] for r in sections["record_restrictions"]}
    assert any("restricted" in k.lower() for k in kinds) and any("break the glass" in k for k in kinds)
    assert any(e["action"] == "record.viewed" for e in sections["audit_trail"])


def test_records_merged_into_the_childs_are_exported_as_they_were_written(record, team_lead_user):
    merged = export(record, team_lead_user).data["sections"]["merged_records"]
    assert [(m["given_name"], m["family_name"]) for m in merged] == [("Ayan", record.referral.child.family_name)]
    assert merged[0]["merged_at"]


def test_the_nhs_number_of_a_merged_record_finds_the_surviving_record(team_lead_user):
    kept = referral_in("discharged", child={"given_name": "Kept", "nhs_number": ""})
    Child.objects.create(
        given_name="Merged", family_name="Record", date_of_birth=kept.child.date_of_birth,
        nhs_number="9434765919", merged_into=kept.child,
    )  # fmt: skip
    assert find_child(user=team_lead_user, nhs_number="943 476 5919") == kept.child


def test_letters_are_given_as_their_words_with_subject_kind_date_and_recipients(record, team_lead_user):
    letters = export(record, team_lead_user).data["sections"]["letters"]
    pack = next(letter for letter in letters if letter["kind"] == "Advice pack for home")
    assert pack["subject"] and pack["date"].startswith("2027-02-01")
    assert pack["recipients"][0]["role"] == "family"
    assert "Practise the buttons on the school shirt after tea." in pack["text"]
    assert all("<" not in letter["text"] and "font-family" not in letter["text"] for letter in letters)


def test_messages_give_channel_date_and_status_with_the_recipient_masked(record, team_lead_user):
    messages = export(record, team_lead_user).data["sections"]["messages"]
    assert {m["channel"] for m in messages} == {"Email", "Text message"}
    assert all(m["status"] and m["date"] for m in messages)
    as_text = json.dumps(messages)
    assert "sara@example.com" not in as_text and "900123" not in as_text
    assert "s***@example.com" in as_text


def test_nothing_about_the_other_child_in_the_same_group_is_exported(record, team_lead_user):
    bundle = export(record, team_lead_user)
    as_text = bundle.as_json().decode()
    for secret in (
        OTHER_CHILD["given_name"],
        OTHER_CHILD["family_name"],
        OTHER_CHILD["nhs_number"],
        OTHER_PARENT["email"],
        record.other.reference,
        "scissors",
    ):
        assert secret not in as_text
    assert OTHER_CHILD["family_name"] not in pdf_text(bundle.as_pdf())


def test_a_duplicate_flag_against_another_childs_referral_does_not_name_it(team_lead_user):
    mine = make_referral(child={"given_name": "Cara", "family_name": "Lookalike"})
    theirs = make_referral(child={"given_name": "Dana", "family_name": "Lookalike"})
    PossibleDuplicate.objects.create(
        referral=mine,
        existing_referral=theirs,
        strength="likely",
        score=70.0,
        reasons=[{"code": "same_postcode", "message": "The postcodes are the same."}],
        state=PossibleDuplicate.State.DISMISSED,
        resolution_reason="Not the same child",
    )
    data = subject_access_export(child=mine.child, requested_by=team_lead_user, reason=REASON).data
    duplicate = data["sections"]["referrals"][0]["possible_duplicates"][0]
    assert duplicate["may_be_the_same_as"] == "A referral about another child (not shown)"
    assert duplicate["state"] == "Not the same child"
    assert theirs.reference not in json.dumps(data) and "Dana" not in json.dumps(data)


def test_the_pdf_reads_back_with_the_childs_name_and_every_section_heading(record, admin_user):
    pdf = export(record, admin_user).as_pdf()
    assert pdf.startswith(b"%PDF")
    text = pdf_text(pdf)
    assert "Everything we hold about Ayaan Fullrecord" in text
    assert "943 476 5919" in text
    for _key, title, _layout in SECTIONS:
        assert title in text
    assert "Spoke to mum about pencil grip practice at home." in text
    assert REASON in text


def test_the_export_is_audited_with_the_child_and_the_reason(record, team_lead_user):
    export(record, team_lead_user)
    event = AuditEvent.objects.get(action="subject_access.exported")
    assert event.child_id == record.referral.child_id
    assert event.actor == team_lead_user
    assert event.reason == REASON
    assert event.detail["counts"]["clinical_notes"] == 1


def test_a_restricted_record_is_exported_in_full_to_a_team_lead_not_named_on_it(record, team_lead_user):
    assert record.referral.restricted
    data = export(record, team_lead_user).data
    assert data["sections"]["clinical_notes"][0]["note"]
    assert data["sections"]["record_restrictions"][0]["reason"] == "A safeguarding concern (synthetic)."


@pytest.mark.parametrize("role_fixture", ["ot_user", "ota_user", "auditor_user", "system_admin_user"])
def test_only_team_leads_and_clinical_admin_may_export(request, role_fixture):
    child = referral_in("received").child
    user = request.getfixturevalue(role_fixture)
    with pytest.raises(NotAllowed):
        subject_access_export(child=child, requested_by=user, reason=REASON)
    with pytest.raises(NotAllowed):
        preview_subject_access(child=child, requested_by=user)
    assert not AuditEvent.objects.filter(action="subject_access.exported").exists()


@pytest.mark.parametrize("reason", ["", "   "])
def test_an_export_needs_a_reason(admin_user, reason):
    with pytest.raises(ValueError, match="reason"):
        subject_access_export(child=referral_in("received").child, requested_by=admin_user, reason=reason)
    assert not AuditEvent.objects.filter(action="subject_access.exported").exists()


def test_the_export_takes_a_bounded_number_of_queries_however_big_the_record(
    record, team_lead_user, django_assert_max_num_queries
):
    with django_assert_max_num_queries(44) as first:  # 41: one query a kind of record, not a record
        export(record, team_lead_user)
    ot = staff("ot", "ot-governance")
    with time_machine.travel(EXPORTED_ON, tick=False):
        for day in (2, 3, 4):
            write_note(
                referral=record.referral,
                contact_kind="email",
                contact_on=record.referral.received_date.replace(month=2, day=day),
                body=f"Email {day}",
                author=ot,
            )
    with django_assert_max_num_queries(len(first.captured_queries)):
        bigger = export(record, team_lead_user)
    assert len(bigger.data["sections"]["clinical_notes"]) == 4


def test_a_child_is_found_by_nhs_number_or_reference(record, team_lead_user):
    child = record.referral.child
    assert find_child(user=team_lead_user, nhs_number="943 476 5919") == child
    assert find_child(user=team_lead_user, reference=record.referral.reference.lower()) == child
    with pytest.raises(ChildNotFound):
        find_child(user=team_lead_user, nhs_number="6541003238")
    with pytest.raises(ChildNotFound):
        find_child(user=team_lead_user, reference="NOSUCHREF")
    with pytest.raises(ValueError, match="different children"):
        find_child(user=team_lead_user, nhs_number="943 476 5919", reference=record.other.reference)


def test_two_records_with_one_nhs_number_ask_for_the_reference(record, team_lead_user):
    from paedot.children.models import Child

    Child.objects.create(
        given_name="Ayaan",
        family_name="Copy",
        date_of_birth=record.referral.child.date_of_birth,
        nhs_number="9434765919",
    )
    with pytest.raises(SeveralChildren):
        find_child(user=team_lead_user, nhs_number="9434765919")
    assert find_child(user=team_lead_user, nhs_number="9434765919", reference=record.referral.reference)


def test_a_letters_html_becomes_plain_text_without_its_styles():
    html = (
        "<html><head><style>body { color: red }</style><title>T</title></head><body><h1>Dear Sara</h1>"
        "<p>Ayaan&#x27;s appointment is on <strong>Monday</strong>.</p><ul><li>Bring glasses</li></ul></body></html>"
    )
    assert html_to_text(html) == "Dear Sara\n\nAyaan's appointment is on Monday.\n\n- Bring glasses"


@pytest.mark.parametrize(
    ("recipient", "masked"),
    [("sara@example.com", "s***@example.com"), ("+447700900123", "********0123"), ("", "")],
)
def test_a_recipient_is_masked(recipient, masked):
    assert mask_recipient(recipient) == masked


def test_details_changed_after_the_referral_are_exported_with_what_they_were(record, team_lead_user):
    [change] = export(record, team_lead_user).data["sections"]["previous_details"]
    assert change["what"] == "Child: address" and change["after"] == "7 New Road, Birmingham"
    assert change["before"] and change["before"] != change["after"]
    assert change["reason"] == "Mum phoned with the new address (synthetic)." and change["by"]
