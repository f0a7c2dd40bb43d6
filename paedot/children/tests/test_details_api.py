"""The child's and family's details through the API: the same services, permissions and checks as the pages."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from paedot.children.models import Child, ParentCarer
from paedot.children.tests.conftest import (
    CHILD,
    EAST_PRACTICE,
    NHS_NUMBER,
    OTHER_NHS_NUMBER,
    OTHER_SCHOOL_URN,
    SOLIHULL_PRACTICE,
)
from paedot.referrals.models import Referral
from paedot.referrals.tests.factories import make_referral, staff
from paedot.staff.models import Role
from paedot.staff.services import issue_api_token
from paedot.tests.test_hostile_input import FUZZ, assert_handled, hostile_value

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("a_wednesday_in_term")]


def call(client, method: str, url: str, role: str = Role.CLINICAL_ADMIN, body: dict | None = None, **fields):
    person = staff(role, f"{role}-api")
    for name, value in fields.items():
        setattr(person, name, value)
    if fields:
        person.save(update_fields=list(fields))
    token = issue_api_token(user=person, name="details test")
    return client.generic(
        method,
        url,
        json.dumps(body) if body is not None else "",
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {token}",
    )


def url(referral, what: str) -> str:
    return f"/api/referrals/{referral.reference}/{what}"


def test_a_new_address_through_the_api_is_kept_and_says_what_changed(client, referral):
    response = call(
        client,
        "PATCH",
        url(referral, "child"),
        body={"address": "7 Newhouse Lane, Birmingham", "postcode": "b33 8qb", "reason": "Mum phoned"},
    )

    assert response.status_code == 200, response.content
    body = response.json()
    assert body["changed"] == ["address", "postcode"]
    assert (body["address"], body["postcode"], body["nhs_number"]) == (
        "7 Newhouse Lane, Birmingham",
        "B33 8QB",
        NHS_NUMBER,
    )
    assert body["home_visits_readdressed"] == 0
    assert Child.objects.get(pk=referral.child_id).postcode == "B33 8QB"


def test_bad_details_are_a_400_naming_each_field_and_nothing_changes(client, referral):
    response = call(
        client,
        "PATCH",
        url(referral, "child"),
        body={"nhs_number": "9434765918", "postcode": "B21", "date_of_birth": "2027-02-01", "reason": "x"},
    )

    assert response.status_code == 400
    fields = {error["field"] for error in response.json()["errors"]}
    assert fields == {"nhs_number", "postcode", "date_of_birth"}
    assert Child.objects.get(pk=referral.child_id).postcode == "B21 9RY"


def test_a_date_that_is_not_a_date_is_a_400_naming_it(client, referral):
    response = call(client, "PATCH", url(referral, "child"), body={"date_of_birth": "10/05/2018", "reason": "x"})

    assert response.status_code == 400
    assert [error["field"] for error in response.json()["errors"]] == ["date_of_birth"]


def test_an_nhs_number_another_child_holds_is_a_409_naming_their_referral(client, referral):
    other = make_referral(child={**CHILD, "given_name": "Yusuf", "nhs_number": ""}, received_date=dt.date(2027, 1, 6))

    response = call(client, "PATCH", url(other, "child"), body={"nhs_number": NHS_NUMBER, "reason": "From the GP"})

    assert response.status_code == 409
    assert response.json()["other_referral"] == referral.reference
    assert Child.objects.get(pk=other.child_id).nhs_number == ""


def test_a_merged_record_is_a_409(client, referral):
    surviving = make_referral(child={**CHILD, "nhs_number": OTHER_NHS_NUMBER}, received_date=dt.date(2027, 1, 6))
    Child.objects.filter(pk=referral.child_id).update(merged_into=surviving.child)

    response = call(client, "PATCH", url(referral, "child"), body={"address": "Elsewhere", "reason": "Moved"})

    assert response.status_code == 409 and "surviving record" in response.json()["message"]


@pytest.mark.parametrize("role", [Role.AUDITOR, Role.SYSTEM_ADMIN, Role.COMMISSIONER])
def test_roles_that_may_not_change_details_get_a_403(client, referral, role):
    for method, what, body in (
        ("PATCH", "child", {"address": "Elsewhere", "reason": "x"}),
        ("PATCH", "parent-carer", {"phone": "07700 900456"}),
        ("PUT", "gp-practice", {"gp_practice_code": EAST_PRACTICE, "reason": "x"}),
        ("PUT", "school", {"school_urn": OTHER_SCHOOL_URN, "reason": "x"}),
    ):
        assert call(client, method, url(referral, what), role, body=body).status_code == 403
    assert Child.objects.get(pk=referral.child_id).address == CHILD["address"]


def test_a_partner_system_cannot_find_a_referral_it_did_not_send(client, referral):
    response = call(client, "PATCH", url(referral, "child"), Role.PARTNER_SYSTEM, body={"address": "x", "reason": "x"})

    assert response.status_code == 404


def test_a_referral_outside_the_callers_localities_is_not_found(client, referral):
    response = call(
        client,
        "PATCH",
        url(referral, "parent-carer"),
        Role.OT,
        body={"phone": "07700 900456"},
        localities=["South"],
    )

    assert response.status_code == 404
    assert ParentCarer.objects.get(pk=referral.parent_carer_id).phone == "07700 900123"


def test_the_parent_or_carers_details_through_the_api(client, referral):
    response = call(
        client, "PATCH", url(referral, "parent-carer"), Role.OTA, body={"language": "Urdu", "interpreter_needed": True}
    )

    assert response.status_code == 200
    body = response.json()
    assert (body["language"], body["interpreter_needed"], body["changed"]) == (
        "Urdu",
        True,
        ["language", "interpreter_needed"],
    )

    bad = call(client, "PATCH", url(referral, "parent-carer"), body={"email": "sam@", "name": ""})
    assert bad.status_code == 400
    assert {error["field"] for error in bad.json()["errors"]} == {"email", "name"}


def test_a_gp_practice_outside_birmingham_is_recorded_with_a_warning(client, referral):
    response = call(
        client, "PUT", url(referral, "gp-practice"), body={"gp_practice_code": SOLIHULL_PRACTICE, "reason": "Moved"}
    )

    assert response.status_code == 200
    body = response.json()
    assert body["gp_practice_code"] == SOLIHULL_PRACTICE
    assert (body["locality_before"], body["locality"]) == ("North", None)
    assert [warning["code"] for warning in body["warnings"]] == ["gp_outside_birmingham"]
    assert Referral.objects.get(pk=referral.pk).gp_practice_code == SOLIHULL_PRACTICE


def test_an_unknown_gp_practice_code_is_a_400_naming_the_field(client, referral):
    response = call(client, "PUT", url(referral, "gp-practice"), body={"gp_practice_code": "Z99999", "reason": "x"})

    assert response.status_code == 400
    assert [error["field"] for error in response.json()["errors"]] == ["gp_practice_code"]


def test_a_school_through_the_api_and_the_history_of_every_change(client, referral):
    assert (
        call(client, "PUT", url(referral, "school"), body={"school_urn": OTHER_SCHOOL_URN, "reason": "Moved"}).json()[
            "school_name"
        ]
        == "Brearley Nursery School"
    )
    call(client, "PATCH", url(referral, "child"), body={"address": "7 Newhouse Lane", "reason": "Mum phoned"})

    response = call(client, "GET", url(referral, "details-history"), Role.AUDITOR)

    assert response.status_code == 200
    changes = response.json()["changes"]
    assert [(c["field"], c["before"], c["after"]) for c in changes] == [
        ("address", CHILD["address"], "7 Newhouse Lane"),
        ("school", "Bordesley Green East Nursery School (URN 103120)", "Brearley Nursery School (URN 103121)"),
    ]
    assert changes[0]["changed_by"] == "clinical_admin-api" and changes[0]["reason"] == "Mum phoned"
    assert call(client, "GET", url(referral, "details-history"), Role.SYSTEM_ADMIN).status_code == 403


# --- Hostile input ----------------------------------------------------------------------------------------------

CHANGES = {
    "child": ("given_name", "family_name", "date_of_birth", "nhs_number", "address", "postcode", "reason", "other"),
    "parent-carer": ("name", "relationship", "phone", "email", "language", "interpreter_needed", "reason", "other"),
    "gp-practice": ("gp_practice_code", "reason"),
    "school": ("school_urn", "school_name", "reason"),
}


@FUZZ
@given(what=st.sampled_from(sorted(CHANGES)), data=st.data())
def test_any_hostile_value_for_any_detail_is_answered_never_a_500_and_a_refusal_keeps_nothing(
    client, referral, what, data
):
    from paedot.children.models import DetailsChange

    field = data.draw(st.sampled_from(CHANGES[what]))
    value = data.draw(hostile_value)
    base = {"gp-practice": {"gp_practice_code": EAST_PRACTICE}, "school": {}}.get(what, {})
    body = {**base, "reason": "Hostile input test", field: value}
    before = DetailsChange.objects.count(), Child.objects.get(pk=referral.child_id).address
    method = "PATCH" if what in ("child", "parent-carer") else "PUT"

    response = call(client, method, url(referral, what), body=body)

    assert_handled(response, {200, 400, 409})
    if response.status_code != 200:
        assert (DetailsChange.objects.count(), Child.objects.get(pk=referral.child_id).address) == before
