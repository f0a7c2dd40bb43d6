"""Changing a child's and family's details after the referral: checked as intake checks them, the old values kept,
the audit trail told which details changed but never their values, home visits to come moved with the address."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from paedot.appointments.models import Appointment
from paedot.appointments.services import book_appointment
from paedot.appointments.tests.factories import clinic, clinician_working, london
from paedot.children.models import Child, DetailsChange, ParentCarer
from paedot.children.services import (
    DetailsInvalid,
    NhsNumberHeld,
    RecordMerged,
    change_child_details,
    change_gp_practice,
    change_parent_carer,
    change_school,
    details_history,
)
from paedot.children.tests.conftest import (
    CHILD,
    CLOSED_PRACTICE,
    EAST_PRACTICE,
    NHS_NUMBER,
    NO_LOCALITY_PRACTICE,
    NORTH_PRACTICE,
    OTHER_NHS_NUMBER,
    OTHER_SCHOOL_URN,
    SCHOOL_URN,
    SOLIHULL_PRACTICE,
)
from paedot.core.models import AuditEvent
from paedot.diaries.models import Location, LocationKind
from paedot.letters.services import family_recipient
from paedot.referrals.models import Referral
from paedot.referrals.services import NotAllowed
from paedot.referrals.tests.factories import make_referral, referral_in, staff
from paedot.staff.models import Role

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("a_wednesday_in_term")]

NEW_ADDRESS = "7 Newhouse Lane, Birmingham"
NEW_POSTCODE = "B33 8QB"


def problems_of(error: pytest.ExceptionInfo) -> dict[str, str]:
    return {problem.field: problem.message for problem in error.value.problems}


def move_house(referral, by=None, **more):
    return change_child_details(
        child=referral.child,
        changes={"address": NEW_ADDRESS, "postcode": "b33 8qb", **more},
        reason="Mum phoned to say they have moved",
        changed_by=by or staff(Role.CLINICAL_ADMIN),
        referral=referral,
    )


# --- The child's details ----------------------------------------------------------------------------------------


def test_a_new_address_is_kept_and_the_old_one_stays_readable_in_the_history(referral):
    result = move_house(referral)

    child = Child.objects.get(pk=referral.child_id)
    assert (child.address, child.postcode) == (NEW_ADDRESS, NEW_POSTCODE)
    assert result.fields == ("address", "postcode")
    kept = {change.field: (change.before, change.after) for change in details_history(referral)}
    assert kept == {
        "address": (CHILD["address"], NEW_ADDRESS),
        "postcode": ("B21 9RY", NEW_POSTCODE),
    }
    change = DetailsChange.objects.get(field="address")
    assert change.reason == "Mum phoned to say they have moved"
    assert change.changed_by.role == Role.CLINICAL_ADMIN
    assert change.referral == referral and change.section == "child"


def test_the_next_letter_goes_to_the_new_address(referral):
    move_house(referral)

    recipient = family_recipient(Referral.objects.select_related("child", "parent_carer").get(pk=referral.pk))
    assert recipient["address"] == f"{NEW_ADDRESS}, {NEW_POSTCODE}"


def test_only_the_details_that_differ_are_changed_and_kept(referral):
    result = change_child_details(
        child=referral.child,
        changes={"given_name": " Zara ", "family_name": "Exampleton-Smith", "nhs_number": "943 476 5919"},
        reason="Name changed by deed poll",
        changed_by=staff(Role.CLINICAL_ADMIN),
    )

    assert result.fields == ("family_name",)
    assert DetailsChange.objects.count() == 1
    assert Child.objects.get(pk=referral.child_id).family_name == "Exampleton-Smith"


def test_nothing_differing_changes_nothing_needs_no_reason_and_writes_no_event(referral):
    ot = staff(Role.OT)
    events = AuditEvent.objects.count()

    result = change_child_details(child=referral.child, changes={"postcode": "b21 9ry"}, reason="", changed_by=ot)

    assert not result.changed
    assert DetailsChange.objects.count() == 0
    assert AuditEvent.objects.count() == events


def test_a_change_without_a_reason_is_refused(referral):
    with pytest.raises(DetailsInvalid) as refused:
        change_child_details(
            child=referral.child, changes={"address": NEW_ADDRESS}, reason="  ", changed_by=staff("ot")
        )

    assert set(problems_of(refused)) == {"reason"}
    assert Child.objects.get(pk=referral.child_id).address == CHILD["address"]


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"given_name": "  "}, "given_name", "Enter the child's given name"),
        ({"family_name": ""}, "family_name", "Enter the child's family name"),
        ({"family_name": "x" * 101}, "family_name", "This must be 100 characters or fewer"),
        ({"date_of_birth": dt.date(2027, 1, 21)}, "date_of_birth", "The date of birth must be today or in the past"),
        ({"date_of_birth": "2018-02-30"}, "date_of_birth", "The date of birth must be a real date (YYYY-MM-DD)"),
        ({"date_of_birth": None}, "date_of_birth", "Enter the child's date of birth"),
        ({"nhs_number": "943 476 591"}, "nhs_number", "NHS number must be 10 digits"),
        ({"nhs_number": "9434765918"}, "nhs_number", "Enter a valid NHS number: check you have typed it correctly"),
        ({"nhs_number": "1234561234"}, "nhs_number", "Enter a valid NHS number: check you have typed it correctly"),
        ({"postcode": "B21"}, "postcode", "Enter a full UK postcode, like B21 9RY"),
        ({"address": "x" * 501}, "address", "This must be 500 characters or fewer"),
        ({"eye_colour": "brown"}, "eye_colour", "eye_colour is not a detail that can be changed here"),
    ],
)
def test_each_detail_is_checked_as_intake_checks_it_and_the_problem_names_its_field(referral, changes, field, message):
    with pytest.raises(DetailsInvalid) as refused:
        change_child_details(child=referral.child, changes=changes, reason="Checked", changed_by=staff("ot"))

    assert problems_of(refused) == {field: message}
    assert DetailsChange.objects.count() == 0


def test_a_date_of_birth_after_the_childs_first_referral_is_refused(referral):
    with pytest.raises(DetailsInvalid) as refused:
        change_child_details(
            child=referral.child,
            changes={"date_of_birth": dt.date(2027, 1, 5)},
            reason="Typed wrongly at intake",
            changed_by=staff("ot"),
        )

    first = "The date of birth must be on or before the date of the child's first referral (4 January 2027)"
    assert problems_of(refused) == {"date_of_birth": first}


def test_every_problem_is_reported_at_once(referral):
    with pytest.raises(DetailsInvalid) as refused:
        change_child_details(
            child=referral.child,
            changes={"given_name": "", "nhs_number": "12", "postcode": "nowhere"},
            reason="",
            changed_by=staff("ot"),
        )

    assert set(problems_of(refused)) == {"given_name", "nhs_number", "postcode", "reason"}


def test_an_nhs_number_is_kept_as_ten_digits_and_a_blank_one_removes_it(referral):
    other = make_referral(child={**CHILD, "nhs_number": ""}, received_date=dt.date(2027, 1, 4))

    change_child_details(
        child=other.child, changes={"nhs_number": "991-200-3888"}, reason="From the GP", changed_by=staff("ot")
    )
    assert Child.objects.get(pk=other.child_id).nhs_number == OTHER_NHS_NUMBER

    change_child_details(child=other.child, changes={"nhs_number": ""}, reason="Not theirs", changed_by=staff("ot"))
    assert Child.objects.get(pk=other.child_id).nhs_number == ""


def test_an_nhs_number_another_child_holds_is_refused_naming_that_childs_latest_referral(referral):
    other = make_referral(child={**CHILD, "given_name": "Yusuf", "nhs_number": ""}, received_date=dt.date(2027, 1, 6))
    latest = make_referral(child={**CHILD, "nhs_number": NHS_NUMBER}, received_date=dt.date(2027, 1, 8))
    assert latest.child_id == referral.child_id  # the same NHS number joins the child's record at intake

    with pytest.raises(NhsNumberHeld) as refused:
        change_child_details(
            child=other.child, changes={"nhs_number": NHS_NUMBER}, reason="From the GP", changed_by=staff("ot")
        )

    assert refused.value.other_reference == latest.reference
    assert latest.reference in str(refused.value) and "possible duplicate" in str(refused.value)
    assert Child.objects.get(pk=other.child_id).nhs_number == ""
    assert Child.objects.filter(merged_into__isnull=False).count() == 0  # never silently merged
    assert DetailsChange.objects.count() == 0


def test_an_nhs_number_held_by_a_record_merged_into_this_one_is_this_childs(referral):
    merged = Child.objects.create(
        given_name="Zarah", family_name="Exampleton", date_of_birth=CHILD["date_of_birth"], nhs_number=OTHER_NHS_NUMBER
    )
    Child.objects.filter(pk=merged.pk).update(merged_into=referral.child)

    change_child_details(
        child=referral.child, changes={"nhs_number": OTHER_NHS_NUMBER}, reason="Corrected", changed_by=staff("ot")
    )

    assert Child.objects.get(pk=referral.child_id).nhs_number == OTHER_NHS_NUMBER


def test_an_nhs_number_held_by_a_record_merged_into_another_child_is_that_childs(referral):
    other = make_referral(child={**CHILD, "given_name": "Yusuf", "nhs_number": ""}, received_date=dt.date(2027, 1, 6))
    merged = Child.objects.create(
        given_name="Yusef", family_name="Exampleton", date_of_birth=CHILD["date_of_birth"], nhs_number=OTHER_NHS_NUMBER
    )
    Child.objects.filter(pk=merged.pk).update(merged_into=other.child)

    with pytest.raises(NhsNumberHeld) as refused:
        change_child_details(
            child=referral.child, changes={"nhs_number": OTHER_NHS_NUMBER}, reason="From the GP", changed_by=staff("ot")
        )

    assert refused.value.other_reference == other.reference


def test_a_merged_record_cannot_be_changed_and_the_surviving_record_is_named(referral):
    surviving = make_referral(child={**CHILD, "nhs_number": ""}, received_date=dt.date(2027, 1, 6))
    Child.objects.filter(pk=referral.child_id).update(merged_into=surviving.child)

    with pytest.raises(RecordMerged) as refused:
        move_house(referral)

    assert "surviving record" in str(refused.value) and surviving.reference in str(refused.value)
    assert Child.objects.get(pk=referral.child_id).address == CHILD["address"]


def test_the_audit_event_names_the_details_changed_but_never_their_values(referral):
    move_house(referral, nhs_number=OTHER_NHS_NUMBER)

    event = AuditEvent.objects.get(action="child.details_changed")
    assert event.detail == {"fields": ["address", "nhs_number", "postcode"], "home_visits_readdressed": 0}
    assert event.child_id == referral.child_id
    assert (event.object_type, event.object_id) == ("referrals.referral", str(referral.pk))
    # No event anywhere (the generic record of changes included) holds the old or new values.
    everything = json.dumps(list(AuditEvent.objects.values("detail", "reason")))
    for value in (NEW_ADDRESS, NEW_POSTCODE, OTHER_NHS_NUMBER, CHILD["address"], NHS_NUMBER):
        assert value not in everything


@pytest.mark.parametrize("role", [Role.AUDITOR, Role.SYSTEM_ADMIN, Role.PARTNER_SYSTEM, Role.COMMISSIONER])
def test_only_the_team_caring_for_children_may_change_their_details(referral, role):
    with pytest.raises(NotAllowed):
        move_house(referral, by=staff(role))
    with pytest.raises(NotAllowed):
        change_gp_practice(referral=referral, gp_practice_code=EAST_PRACTICE, reason="Moved", changed_by=staff(role))

    assert Child.objects.get(pk=referral.child_id).address == CHILD["address"]


@pytest.mark.parametrize("role", [Role.CLINICAL_ADMIN, Role.OT, Role.OTA, Role.TEAM_LEAD])
def test_admin_staff_ots_assistants_and_team_leads_change_details(referral, role):
    assert move_house(referral, by=staff(role)).changed


# --- Home visits ------------------------------------------------------------------------------------------------


def test_home_visits_still_to_come_move_to_the_new_address_and_past_ones_keep_theirs():
    referral = referral_in("invited", child=CHILD, received_date=dt.date(2027, 1, 4))
    home = Location.objects.get(kind=LocationKind.HOME)
    admin = staff(Role.CLINICAL_ADMIN)
    clinician = clinician_working()
    to_come = [
        book_appointment(
            referral=referral,
            clinician=clinician,
            kind="home_visit",
            location=home,
            start=london(2027, 1, day, 10),
            duration_minutes=60,
            booked_by=admin,
            notify=False,
        )
        for day in (25, 26)
    ]
    at_clinic = book_appointment(
        referral=referral,
        clinician=clinician,
        kind="treatment",
        location=clinic(),
        start=london(2027, 1, 27, 10),
        duration_minutes=45,
        booked_by=admin,
        notify=False,
    )
    old = f"{CHILD['address']}, B21 9RY"
    past = Appointment.objects.create(
        referral=referral,
        clinician=clinician,
        location=home,
        kind="home_visit",
        start=london(2027, 1, 18, 10),
        end=london(2027, 1, 18, 11),
        address=old,
        booked_by=admin,
    )
    cancelled = Appointment.objects.create(
        referral=referral,
        clinician=clinician,
        location=home,
        kind="home_visit",
        start=london(2027, 1, 28, 10),
        end=london(2027, 1, 28, 11),
        address=old,
        cancelled=True,
        outcome="cancelled_by_family",
        booked_by=admin,
    )
    assert {a.address for a in to_come} == {old}

    result = move_house(referral)

    assert result.home_visits_readdressed == 2
    addresses = dict(Appointment.objects.values_list("pk", "address"))
    assert [addresses[a.pk] for a in to_come] == [f"{NEW_ADDRESS}, {NEW_POSTCODE}"] * 2
    assert addresses[past.pk] == old and addresses[cancelled.pk] == old
    assert addresses[at_clinic.pk] == at_clinic.address and "Soho Health Centre" in at_clinic.address
    assert AuditEvent.objects.get(action="child.details_changed").detail["home_visits_readdressed"] == 2


def test_a_new_name_leaves_home_visits_alone(referral):
    result = change_child_details(
        child=referral.child, changes={"given_name": "Zarah"}, reason="Spelling", changed_by=staff("ot")
    )

    assert result.home_visits_readdressed == 0


# --- The parent or carer ----------------------------------------------------------------------------------------


def test_a_new_phone_and_email_are_used_from_now_on_and_the_old_ones_kept(referral):
    result = change_parent_carer(
        parent_carer=referral.parent_carer,
        changes={"phone": "07700 900456", "email": "sam.new@example.com", "interpreter_needed": False},
        changed_by=staff(Role.OTA),
        referral=referral,
    )

    parent = ParentCarer.objects.get(pk=referral.parent_carer_id)
    assert (parent.phone, parent.email) == ("07700 900456", "sam.new@example.com")
    assert result.fields == ("phone", "email")
    kept = {c.field: (c.before, c.after) for c in details_history(referral)}
    assert kept["phone"] == ("07700 900123", "07700 900456")
    assert kept["email"] == ("sam@example.com", "sam.new@example.com")
    event = AuditEvent.objects.get(action="parent_carer.details_changed")
    assert event.detail == {"fields": ["email", "phone"]}
    assert "07700 900456" not in json.dumps(list(AuditEvent.objects.values("detail")))


def test_every_referral_naming_the_contact_uses_the_new_details(referral):
    later = make_referral(child=CHILD, received_date=dt.date(2027, 1, 8))
    Referral.objects.filter(pk=later.pk).update(parent_carer=referral.parent_carer)

    change_parent_carer(parent_carer=referral.parent_carer, changes={"phone": "0121 496 0000"}, changed_by=staff("ot"))

    assert Referral.objects.get(pk=later.pk).parent_carer.phone == "0121 496 0000"


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"phone": "call me"}, "phone"),
        ({"email": "not an email"}, "email"),
        ({"name": " "}, "name"),
        ({"relationship": ""}, "relationship"),
        ({"interpreter_needed": "maybe"}, "interpreter_needed"),
        ({"language": "x" * 101}, "language"),
    ],
)
def test_a_parent_or_carers_details_are_checked_as_the_referral_form_checks_them(referral, changes, field):
    with pytest.raises(DetailsInvalid) as refused:
        change_parent_carer(parent_carer=referral.parent_carer, changes=changes, changed_by=staff("ot"))

    assert set(problems_of(refused)) == {field}
    assert ParentCarer.objects.get(pk=referral.parent_carer_id).phone == "07700 900123"


# --- The GP practice --------------------------------------------------------------------------------------------


def test_a_new_gp_practice_moves_the_referral_to_its_locality_and_the_old_one_is_kept(referral):
    assert referral.locality == "North"

    result = change_gp_practice(
        referral=referral, gp_practice_code=" m85005 ", reason="Registered there", changed_by=staff("clinical_admin")
    )

    stored = Referral.objects.get(pk=referral.pk)
    assert (stored.gp_practice_code, stored.gp_practice_name, stored.locality) == (
        EAST_PRACTICE,
        "THE PARK MEDICAL CENTRE",
        "East",
    )
    assert (result.locality_before, result.locality_after, result.warnings) == ("North", "East", ())
    kept = {c.field: (c.before, c.after) for c in details_history(referral)}
    assert kept == {
        "gp_practice": ("Shah Zaman Surgery (M85001)", "The Park Medical Centre (M85005)"),
        "locality": ("North", "East"),
    }
    event = AuditEvent.objects.get(action="referral.gp_practice_changed")
    assert event.detail == {"fields": ["gp_practice", "locality"], "warnings": []}


def test_a_referral_in_another_locality_leaves_the_old_localitys_lists(referral):
    north = staff(Role.CLINICAL_ADMIN, "north-admin")
    north.localities = ["North"]
    north.save(update_fields=["localities"])
    assert Referral.objects.visible_to(north).filter(pk=referral.pk).exists()

    change_gp_practice(referral=referral, gp_practice_code=EAST_PRACTICE, reason="Moved", changed_by=north)

    assert not Referral.objects.visible_to(north).filter(pk=referral.pk).exists()


@pytest.mark.parametrize(
    ("code", "warning", "words"),
    [
        (CLOSED_PRACTICE, "gp_practice_closed", "is not open any more"),
        (SOLIHULL_PRACTICE, "gp_outside_birmingham", "is not in Birmingham (it is in Solihull)"),
    ],
)
def test_a_closed_or_out_of_area_practice_is_recorded_with_a_warning_and_nobody_is_discharged(
    referral, code, warning, words
):
    status = referral.status

    result = change_gp_practice(referral=referral, gp_practice_code=code, reason="New GP", changed_by=staff("ot"))

    stored = Referral.objects.get(pk=referral.pk)
    assert stored.gp_practice_code == code and stored.status == status
    [said] = result.warnings
    assert said.code == warning and words in said.message
    assert "may no longer be eligible" in said.message and "nothing has been discharged" in said.message
    assert AuditEvent.objects.get(action="referral.gp_practice_changed").detail["warnings"] == [warning]


def test_a_practice_outside_the_locality_lookup_leaves_the_referral_in_no_locality(referral):
    result = change_gp_practice(
        referral=referral, gp_practice_code=NO_LOCALITY_PRACTICE, reason="New GP", changed_by=staff("ot")
    )

    assert Referral.objects.get(pk=referral.pk).locality == ""
    assert (result.locality_after, result.warnings) == ("", ())


@pytest.mark.parametrize(("code", "message"), [("Z99999", "No GP practice has the ODS code Z99999"), ("", "Enter")])
def test_an_unknown_or_missing_practice_code_is_refused(referral, code, message):
    with pytest.raises(DetailsInvalid) as refused:
        change_gp_practice(referral=referral, gp_practice_code=code, reason="New GP", changed_by=staff("ot"))

    assert problems_of(refused)["gp_practice_code"].startswith(message)
    assert Referral.objects.get(pk=referral.pk).gp_practice_code == NORTH_PRACTICE


def test_the_same_practice_again_changes_nothing(referral):
    result = change_gp_practice(referral=referral, gp_practice_code=NORTH_PRACTICE, reason="", changed_by=staff("ot"))

    assert not result.changed and DetailsChange.objects.count() == 0


# --- The school -------------------------------------------------------------------------------------------------


def test_a_school_from_the_directory_takes_its_name_from_there(referral):
    result = change_school(
        referral=referral, school_urn=OTHER_SCHOOL_URN, school_name="ignored", reason="Moved", changed_by=staff("ot")
    )

    stored = Referral.objects.get(pk=referral.pk)
    assert (stored.school_urn, stored.school_name) == (OTHER_SCHOOL_URN, "Brearley Nursery School")
    assert result.in_directory
    [kept] = details_history(referral)
    assert (kept.before, kept.after) == (
        f"Bordesley Green East Nursery School (URN {SCHOOL_URN})",
        f"Brearley Nursery School (URN {OTHER_SCHOOL_URN})",
    )


def test_a_school_the_directory_does_not_hold_is_kept_as_written(referral):
    result = change_school(
        referral=referral, school_name="Oldbury Academy", reason="Over the border", changed_by=staff("ot")
    )

    stored = Referral.objects.get(pk=referral.pk)
    assert (stored.school_urn, stored.school_name) == ("", "Oldbury Academy")
    assert not result.in_directory


def test_an_unknown_urn_is_refused_and_no_school_at_all_is_allowed(referral):
    with pytest.raises(DetailsInvalid) as refused:
        change_school(referral=referral, school_urn="999999", reason="Moved", changed_by=staff("ot"))
    assert set(problems_of(refused)) == {"school_urn"}

    change_school(referral=referral, reason="Left the nursery", changed_by=staff("ot"))
    stored = Referral.objects.get(pk=referral.pk)
    assert (stored.school_urn, stored.school_name) == ("", "")


# --- The history ------------------------------------------------------------------------------------------------


def test_the_history_holds_the_childs_changes_from_any_referral_but_only_this_referrals_gp_and_school(referral):
    later = make_referral(child=CHILD, received_date=dt.date(2027, 1, 8))
    assert later.child_id == referral.child_id
    move_house(later)
    change_gp_practice(referral=later, gp_practice_code=EAST_PRACTICE, reason="Moved", changed_by=staff("ot"))
    change_school(referral=referral, school_urn=OTHER_SCHOOL_URN, reason="Moved", changed_by=staff("ot"))

    fields = sorted(change.field for change in details_history(referral))
    assert fields == ["address", "postcode", "school"]
    assert sorted(change.field for change in details_history(later)) == [
        "address",
        "gp_practice",
        "locality",
        "postcode",
    ]


def test_a_booking_after_the_change_writes_texts_and_emails_to_the_new_details(settings):
    """The family is told of an appointment where they now live and on the phone they now use (hazard H12)."""
    from paedot.letters.models import Letter
    from paedot.notifications.models import Message

    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    settings.NOTIFY_API_KEY = ""
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    referral = referral_in(
        "invited",
        child=CHILD,
        parent_carer={"phone": "07700 900123", "email": "sam@example.com"},
        received_date=dt.date(2027, 1, 4),
    )
    move_house(referral)
    change_parent_carer(
        parent_carer=referral.parent_carer,
        changes={"phone": "07700 900456", "email": "sam.new@example.com"},
        changed_by=staff(Role.CLINICAL_ADMIN),
    )

    book_appointment(
        referral=Referral.objects.select_related("child", "parent_carer").get(pk=referral.pk),
        clinician=clinician_working(),
        kind="assessment",
        location=clinic(),
        start=london(2027, 1, 25, 10),
        duration_minutes=60,
        booked_by=staff(Role.CLINICAL_ADMIN),
    )

    letter = Letter.objects.get(referral=referral, kind="appointment")
    assert [r["address"] for r in letter.recipients if r["role"] == "family"] == [f"{NEW_ADDRESS}, {NEW_POSTCODE}"]
    sent_to = set(Message.objects.filter(referral=referral).values_list("channel", "recipient"))
    assert sent_to == {("email", "sam.new@example.com"), ("sms", "07700900456")}
