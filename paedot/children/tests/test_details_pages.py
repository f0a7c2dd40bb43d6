"""The pages staff change a child's and family's details on: reached by "Change" links on the referral page, filled
in with what is held, keeping what was typed when something is wrong, back to the referral with a banner."""

from __future__ import annotations

import datetime as dt
import html
import re

import pytest

from paedot.children.models import Child, DetailsChange, ParentCarer
from paedot.children.tests.conftest import (
    CHILD,
    CLOSED_PRACTICE,
    EAST_PRACTICE,
    NHS_NUMBER,
    NORTH_PRACTICE,
    OTHER_SCHOOL_URN,
)
from paedot.referrals.models import Referral
from paedot.referrals.tests.factories import make_referral, staff
from paedot.restricted_records.services import restrict_record
from paedot.staff.models import Role

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("a_wednesday_in_term")]


def signed_in(client, role: str = Role.CLINICAL_ADMIN, **fields):
    person = staff(role, f"{role}-details")
    for name, value in fields.items():
        setattr(person, name, value)
    if fields:
        person.save(update_fields=list(fields))
    client.force_login(person)
    return person


def page_text(response) -> str:
    return html.unescape(response.content.decode())


def details_url(referral, section: str) -> str:
    return f"/staff/referrals/{referral.reference}/details/{section}"


CHILD_FORM = {
    "given_name": "Zara",
    "family_name": "Exampleton",
    "date_of_birth_day": "10",
    "date_of_birth_month": "5",
    "date_of_birth_year": "2018",
    "nhs_number": "943 476 5919",
    "address": "7 Newhouse Lane, Birmingham",
    "postcode": "b33 8qb",
    "reason": "Mum phoned on 19 January",
}


# --- The referral page ------------------------------------------------------------------------------------------


def test_the_referral_page_links_each_detail_to_its_change_form_for_those_who_may_change_it(client, referral):
    signed_in(client)
    page = page_text(client.get(f"/staff/referrals/{referral.reference}"))

    for section in ("child", "parent-carer", "gp-practice", "school"):
        assert f'href="{details_url(referral, section)}' in page
    assert 'Change<span class="nhsuk-u-visually-hidden"> address</span>' in page
    assert 'Change<span class="nhsuk-u-visually-hidden"> GP practice</span>' in page
    assert f'href="{details_url(referral, "previous")}"' in page


def test_an_auditor_reads_the_referral_and_its_previous_details_but_is_offered_no_change(client, referral):
    signed_in(client, Role.AUDITOR)
    page = page_text(client.get(f"/staff/referrals/{referral.reference}"))

    assert "/details/child" not in page and ">Change<" not in page
    assert f'href="{details_url(referral, "previous")}"' in page
    assert client.get(details_url(referral, "previous")).status_code == 200
    assert client.get(details_url(referral, "child")).status_code == 403
    assert client.post(details_url(referral, "child"), CHILD_FORM).status_code == 403
    assert Child.objects.get(pk=referral.child_id).address == CHILD["address"]


# --- The child's details ----------------------------------------------------------------------------------------


def test_the_childs_form_starts_with_the_details_held(client, referral):
    signed_in(client)
    page = page_text(client.get(details_url(referral, "child")))

    assert 'value="Zara"' in page and 'value="Exampleton"' in page
    assert 'value="943 476 5919"' in page
    assert 'name="date_of_birth_day" type="text" value="10"' in page or 'value="10"' in page
    assert "12 Example Street, Birmingham" in page
    assert 'value="B21 9RY"' in page


def test_a_new_address_returns_to_the_referral_with_what_was_done(client, referral):
    signed_in(client)
    response = client.post(details_url(referral, "child"), CHILD_FORM)

    assert response.status_code == 302
    assert response["Location"] == f"/staff/referrals/{referral.reference}#child-and-family"
    page = page_text(client.get(response["Location"]))
    assert "The child's details are changed (address and postcode)." in page
    assert "Letters from now on go to the new address" in page
    assert "7 Newhouse Lane, Birmingham, B33 8QB" in page
    assert Child.objects.get(pk=referral.child_id).postcode == "B33 8QB"


def test_a_wrong_nhs_number_keeps_everything_typed_and_names_the_problem(client, referral):
    signed_in(client)
    response = client.post(details_url(referral, "child"), {**CHILD_FORM, "nhs_number": "943 476 5918"})

    assert response.status_code == 400
    page = page_text(response)
    assert "Enter a valid NHS number: check you have typed it correctly" in page
    assert 'href="#id_nhs_number"' in page
    assert 'value="943 476 5918"' in page and 'value="b33 8qb"' in page
    assert "7 Newhouse Lane, Birmingham" in page and "Mum phoned on 19 January" in page
    assert Child.objects.get(pk=referral.child_id).address == CHILD["address"]


def test_a_date_of_birth_that_is_not_a_date_keeps_the_three_boxes_as_typed(client, referral):
    signed_in(client)
    response = client.post(
        details_url(referral, "child"), {**CHILD_FORM, "date_of_birth_day": "31", "date_of_birth_month": "2"}
    )

    assert response.status_code == 400
    page = page_text(response)
    assert "Date of birth must be a real date" in page
    assert 'value="31"' in page and 'value="2"' in page and 'value="2018"' in page


def test_a_date_of_birth_after_the_first_referral_is_shown_against_its_question(client, referral):
    signed_in(client)
    response = client.post(
        details_url(referral, "child"),
        {**CHILD_FORM, "date_of_birth_day": "6", "date_of_birth_month": "1", "date_of_birth_year": "2027"},
    )

    assert response.status_code == 400
    assert "on or before the date of the child's first referral (4 January 2027)" in page_text(response)
    assert 'href="#id_date_of_birth_day"' in page_text(response)


def test_an_nhs_number_another_child_holds_is_refused_on_the_page_naming_their_referral(client, referral):
    other = make_referral(child={**CHILD, "given_name": "Yusuf", "nhs_number": ""}, received_date=dt.date(2027, 1, 6))
    signed_in(client)

    response = client.post(details_url(other, "child"), {**CHILD_FORM, "given_name": "Yusuf"})

    assert response.status_code == 409
    page = page_text(response)
    assert f"NHS number 943 476 5919 is already on the record of the child on referral {referral.reference}" in page
    assert Child.objects.get(pk=other.child_id).nhs_number == ""


def test_a_change_needs_a_reason_and_keeps_what_was_typed(client, referral):
    signed_in(client)
    response = client.post(details_url(referral, "child"), {**CHILD_FORM, "reason": ""})

    assert response.status_code == 400
    page = page_text(response)
    assert "Give the reason for the change" in page and "7 Newhouse Lane, Birmingham" in page


# --- The parent or carer ----------------------------------------------------------------------------------------


PARENT_FORM = {
    "name": "Sam Exampleton",
    "relationship": "Mother",
    "phone": "07700 900456",
    "email": "sam.new@example.com",
    "language": "",
    "interpreter_needed": "no",
    "reason": "",
}


def test_the_parent_or_carers_new_phone_is_kept_without_a_reason(client, referral):
    signed_in(client, Role.OTA)
    assert 'value="07700 900123"' in page_text(client.get(details_url(referral, "parent-carer")))

    response = client.post(details_url(referral, "parent-carer"), PARENT_FORM)

    assert response.status_code == 302
    assert ParentCarer.objects.get(pk=referral.parent_carer_id).phone == "07700 900456"
    page = page_text(client.get(response["Location"]))
    assert "The parent or carer's details are changed (phone and email)." in page


def test_a_wrong_email_keeps_what_was_typed(client, referral):
    signed_in(client)
    response = client.post(details_url(referral, "parent-carer"), {**PARENT_FORM, "email": "sam@"})

    assert response.status_code == 400
    page = page_text(response)
    assert "Enter an email address in the right format" in page
    assert 'value="sam@"' in page and 'value="07700 900456"' in page
    assert ParentCarer.objects.get(pk=referral.parent_carer_id).email == "sam@example.com"


# --- The GP practice and the school -----------------------------------------------------------------------------


def test_a_practice_found_by_name_is_chosen_from_the_matches(client, referral):
    signed_in(client)
    searched = client.post(details_url(referral, "gp-practice"), {"gp_practice": "Park Medical", "reason": "Moved"})

    assert searched.status_code == 400
    page = page_text(searched)
    assert "Choose the practice from the list, or search again" in page
    assert f'value="{EAST_PRACTICE}"' in page

    chosen = client.post(
        details_url(referral, "gp-practice"),
        {"gp_practice": "Park Medical", "gp_practice_choice": EAST_PRACTICE, "reason": "Moved"},
    )

    assert chosen.status_code == 302
    assert Referral.objects.get(pk=referral.pk).gp_practice_code == EAST_PRACTICE
    page = page_text(client.get(chosen["Location"]))
    assert "The GP practice is changed to The Park Medical Centre (M85005)." in page
    assert "The referral now appears in the East locality's lists (it was in the North locality's lists)." in page


def test_a_closed_practice_is_recorded_and_the_gp_page_says_a_person_must_decide(client, referral):
    signed_in(client)
    response = client.post(details_url(referral, "gp-practice"), {"gp_practice": CLOSED_PRACTICE, "reason": "New GP"})

    assert response.status_code == 302
    assert response["Location"] == details_url(referral, "gp-practice")
    page = page_text(client.get(response["Location"]))
    assert "The child may no longer be eligible" in page
    assert "is not open any more" in page and "nothing has been discharged" in page
    assert "The GP practice is changed to Sparkhill Surgery (M85015)." in page
    stored = Referral.objects.get(pk=referral.pk)
    assert stored.gp_practice_code == CLOSED_PRACTICE and stored.status == referral.status


def test_moving_a_referral_out_of_ones_localities_says_what_was_done_and_that_it_is_now_out_of_sight(client, referral):
    signed_in(client, localities=["North"])
    response = client.post(details_url(referral, "gp-practice"), {"gp_practice": EAST_PRACTICE, "reason": "Moved"})

    assert response.status_code == 200
    page = page_text(response)
    assert f"Referral {referral.reference}: The GP practice is changed to The Park Medical Centre (M85005)." in page
    assert "you no longer see this referral" in page
    assert Referral.objects.get(pk=referral.pk).locality == "East"


def test_an_unknown_practice_keeps_what_was_typed(client, referral):
    signed_in(client)
    response = client.post(details_url(referral, "gp-practice"), {"gp_practice": "Nowhere Surgery Zz", "reason": "x"})

    assert response.status_code == 400
    page = page_text(response)
    assert "No GP practice matches what you typed" in page and 'value="Nowhere Surgery Zz"' in page
    assert Referral.objects.get(pk=referral.pk).gp_practice_code == NORTH_PRACTICE


def test_a_school_is_found_by_its_urn_and_one_not_in_the_directory_is_kept_as_written(client, referral):
    signed_in(client)
    assert "Bordesley Green East Nursery School (URN 103120)" in page_text(client.get(details_url(referral, "school")))

    response = client.post(details_url(referral, "school"), {"school": OTHER_SCHOOL_URN, "reason": "Moved"})
    assert response.status_code == 302
    assert Referral.objects.get(pk=referral.pk).school_name == "Brearley Nursery School"

    response = client.post(details_url(referral, "school"), {"school": "Oldbury Wood Academy", "reason": "Moved"})
    assert response.status_code == 302
    page = page_text(client.get(response["Location"]))
    assert "kept as written" in page
    assert Referral.objects.get(pk=referral.pk).school_name == "Oldbury Wood Academy"


# --- Previous details, and who may see them ---------------------------------------------------------------------


def test_the_previous_details_list_the_old_address_with_who_changed_it_and_why(client, referral):
    signed_in(client)
    client.post(details_url(referral, "child"), CHILD_FORM)

    page = page_text(client.get(details_url(referral, "previous")))

    assert "12 Example Street, Birmingham" in page and "7 Newhouse Lane, Birmingham" in page
    assert "Mum phoned on 19 January" in page
    assert re.search(r"Address.*12 Example Street", page, re.S)


def test_a_referral_outside_ones_localities_is_not_opened_for_a_change(client, referral):
    signed_in(client, localities=["South"])
    for section in ("child", "parent-carer", "gp-practice", "school", "previous"):
        response = client.get(details_url(referral, section))
        assert response.status_code == 302 and "/break-glass" in response["Location"]
    response = client.post(details_url(referral, "child"), CHILD_FORM)
    assert "/break-glass" in response["Location"]
    assert DetailsChange.objects.count() == 0


def test_a_restricted_record_is_not_opened_for_a_change_by_staff_not_named_on_it(client, referral):
    lead = staff(Role.TEAM_LEAD, "lead-restricts")
    restrict_record(child=referral.child, reason="Safeguarding", named_staff=[], by=lead)
    signed_in(client, Role.OT)

    response = client.post(details_url(referral, "child"), CHILD_FORM)

    assert response.status_code == 302 and "/break-glass" in response["Location"]
    assert Child.objects.get(pk=referral.child_id).nhs_number == NHS_NUMBER
    assert Child.objects.get(pk=referral.child_id).address == CHILD["address"]


def test_the_previous_details_page_runs_the_same_queries_however_many_changes(
    client, referral, django_assert_max_num_queries
):
    signed_in(client)
    client.post(details_url(referral, "child"), CHILD_FORM)
    with django_assert_max_num_queries(20) as few:
        client.get(details_url(referral, "previous"))
    one_change = len(few.captured_queries)  # now: the next request clears the log it reads
    for n in range(5):
        client.post(details_url(referral, "parent-carer"), {**PARENT_FORM, "phone": f"07700 90045{n}"})
        client.post(details_url(referral, "school"), {"school": "Oldbury Wood Academy " + str(n), "reason": "Moved"})
    assert DetailsChange.objects.count() == 2 + 6 + 5  # address and postcode; email once, phone 5 times; school
    with django_assert_max_num_queries(one_change):
        client.get(details_url(referral, "previous"))


def test_the_referral_page_asks_a_person_to_decide_while_the_gp_practice_is_closed(client, referral):
    from paedot.children.services import change_gp_practice
    from paedot.referrals.models import Referral, Status
    from paedot.referrals.tests.factories import staff

    from .conftest import CLOSED_PRACTICE

    Referral.objects.filter(pk=referral.pk).update(status=Status.WAITING)
    referral.refresh_from_db()
    change_gp_practice(
        referral=referral,
        gp_practice_code=CLOSED_PRACTICE,
        reason="Registered there",
        changed_by=staff("clinical_admin"),
    )
    client.force_login(staff("ot"))
    page = client.get(f"/staff/referrals/{referral.reference}").content.decode()
    assert "Check the child is still eligible" in page and "not open any more" in page
