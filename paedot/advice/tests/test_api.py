"""The advice API contract: the library (list and one sheet), giving a pack (201 with its sheets and letters; 400 for
an unknown sheet naming it, 403 for an OT assistant, 404 for an unknown referral, 409 without consent) and listing
a referral's packs."""

from __future__ import annotations

import pytest
import time_machine

from paedot.advice.models import AdvicePack, StrategySheet
from paedot.advice.services import revise_strategy_sheet
from paedot.advice.tests.factories import child_referral, consent, pdf_text
from paedot.letters.models import Letter
from paedot.staff.services import issue_api_token

pytestmark = pytest.mark.django_db

TODAY = "2027-03-10 10:00 +00:00"


def auth(user) -> dict:
    return {"HTTP_AUTHORIZATION": f"Bearer {issue_api_token(user=user, name='test')}"}


def post_pack(client, user, reference: str, headers: dict | None = None, **overrides):
    body = {
        "sheets": ["feeding-and-cutlery", "dressing", "getting-around-school"],
        "home_notes": "Try the non-slip mat at dinner.",
        "school_notes": "Please let Zara leave class early.",
        "for_home": True,
        "for_school": True,
        **overrides,
    }
    return client.post(
        f"/api/referrals/{reference}/advice-packs",
        data=body,
        content_type="application/json",
        **auth(user),
        **(headers or {}),
    )


def test_the_library_lists_every_sheet_with_its_audience_and_version(client, ota_user):
    response = client.get("/api/strategy-sheets", **auth(ota_user))

    assert response.status_code == 200
    sheets = response.json()
    assert len(sheets) == StrategySheet.objects.count() >= 12
    dressing = next(s for s in sheets if s["slug"] == "dressing")
    assert dressing == {
        "slug": "dressing",
        "title": "Dressing",
        "area": "self_care",
        "audience": "parents",
        "version": 1,
        "summary": "Ways to help your child learn to get dressed and undressed by themselves.",
    }


def test_one_sheet_comes_with_its_sections_and_an_earlier_version_on_request(client, ot_user, team_lead_user):
    sheet = StrategySheet.objects.get(slug="scissor-skills")
    revise_strategy_sheet(
        sheet=sheet,
        title="Cutting with scissors",
        summary=sheet.summary,
        area=sheet.area,
        audience=sheet.audience,
        body=sheet.body,
        change_note="Title",
        revised_by=team_lead_user,
    )

    now = client.get("/api/strategy-sheets/scissor-skills", **auth(ot_user)).json()
    then = client.get("/api/strategy-sheets/scissor-skills?version=1", **auth(ot_user)).json()

    assert (now["title"], now["version"]) == ("Cutting with scissors", 2)
    assert (then["title"], then["version"]) == ("Scissor skills", 1)
    assert then["sections"][0] == {
        "heading": "Safety first",
        "text": "",
        "steps": [
            "Use child-safe scissors with rounded ends.",
            "Stay with the child while they use scissors.",
            "Teach the rule: we only cut paper, and we sit down to cut.",
            "Walk with scissors closed, holding the blades in the hand.",
        ],
        "note": "",
    }
    assert client.get("/api/strategy-sheets/juggling", **auth(ot_user)).status_code == 404


def test_a_partner_system_may_not_read_the_library(client, partner_user):
    assert client.get("/api/strategy-sheets", **auth(partner_user)).status_code == 403


def test_the_library_needs_a_token(client):
    assert client.get("/api/strategy-sheets").status_code == 401


@time_machine.travel(TODAY, tick=False)
def test_giving_a_pack_answers_201_with_its_sheets_versions_and_letters(client, ot_user):
    referral = child_referral()
    consent(referral, "family", "school", by=ot_user)

    response = post_pack(client, ot_user, referral.reference)

    assert response.status_code == 201, response.content
    body = response.json()
    pack = AdvicePack.objects.get()
    home, school = pack.home_letter, pack.school_letter
    assert body == {
        "id": pack.pk,
        "reference": referral.reference,
        "given_on": "2027-03-10",
        "given_by": ot_user.username,
        "for_home": True,
        "for_school": True,
        "sheets": [
            {
                "slug": "feeding-and-cutlery",
                "version": 1,
                "title": "Feeding and using cutlery",
                "in_home": True,
                "in_school": True,
            },
            {"slug": "dressing", "version": 1, "title": "Dressing", "in_home": True, "in_school": False},
            {
                "slug": "getting-around-school",
                "version": 1,
                "title": "Getting around school",
                "in_home": False,
                "in_school": True,
            },
        ],
        "letters": [
            {"id": home.pk, "kind": "advice_pack_home", "pdf": f"/staff/letters/{home.pk}.pdf"},
            {"id": school.pk, "kind": "advice_pack_school", "pdf": f"/staff/letters/{school.pk}.pdf"},
        ],
        "left_out": [
            "Dressing is written for parents, so it is not in the pack for school.",
            "Getting around school is written for school staff, so it is not in the pack for home.",
        ],
    }
    assert "Please let Zara leave class early." in pdf_text(school)


@time_machine.travel(TODAY, tick=False)
def test_an_unknown_sheet_is_400_naming_its_place_in_the_list(client, ot_user):
    referral = child_referral()
    consent(referral, "family", "school", by=ot_user)

    response = post_pack(client, ot_user, referral.reference, sheets=["dressing", "scissor-skills", "juggling"])

    assert response.status_code == 400
    assert response.json()["errors"] == [
        {"field": "sheets.2", "message": "There is no strategy sheet called 'juggling'."}
    ]
    assert not AdvicePack.objects.exists()


@time_machine.travel(TODAY, tick=False)
def test_a_pack_for_nobody_is_400_naming_for_home(client, ot_user):
    referral = child_referral()

    response = post_pack(client, ot_user, referral.reference, for_home=False, for_school=False)

    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "for_home"


@time_machine.travel(TODAY, tick=False)
def test_without_consent_to_share_it_is_409_and_nothing_is_saved(client, ot_user):
    referral = child_referral()
    consent(referral, "family", by=ot_user)
    letters = Letter.objects.count()

    response = post_pack(client, ot_user, referral.reference)

    assert response.status_code == 409
    assert response.json()["recipients"] == ["school"]
    assert not AdvicePack.objects.exists() and Letter.objects.count() == letters


@time_machine.travel(TODAY, tick=False)
def test_an_ot_assistant_is_refused_403(client, ot_user, ota_user):
    referral = child_referral()
    consent(referral, "family", "school", by=ot_user)

    response = post_pack(client, ota_user, referral.reference)

    assert response.status_code == 403
    assert response.json()["message"] == "Only OTs and team leads may give an advice pack."
    assert not AdvicePack.objects.exists()


def test_an_unknown_referral_is_404(client, ot_user):
    assert post_pack(client, ot_user, "OT-NONE-NONE").status_code == 404


@time_machine.travel(TODAY, tick=False)
def test_a_referrals_packs_are_listed_newest_first(client, ot_user, admin_user):
    referral = child_referral()
    consent(referral, "family", "school", by=ot_user)
    first = post_pack(client, ot_user, referral.reference, sheets=["dressing"], for_school=False).json()
    second = post_pack(client, ot_user, referral.reference).json()

    response = client.get(f"/api/referrals/{referral.reference}/advice-packs", **auth(admin_user))

    assert response.status_code == 200
    assert [p["id"] for p in response.json()] == [second["id"], first["id"]]
    assert response.json()[1]["sheets"] == [
        {"slug": "dressing", "version": 1, "title": "Dressing", "in_home": True, "in_school": False}
    ]


@time_machine.travel(TODAY, tick=False)
def test_an_auditor_may_not_list_a_childs_packs(client, auditor_user):
    referral = child_referral()
    response = client.get(f"/api/referrals/{referral.reference}/advice-packs", **auth(auditor_user))
    assert response.status_code == 403


@time_machine.travel(TODAY, tick=False)
def test_a_retry_with_the_same_idempotency_key_gives_no_second_pack(client, ot_user):
    referral = child_referral()
    consent(referral, "family", "school", by=ot_user)
    key = {"HTTP_IDEMPOTENCY_KEY": "pack-1"}

    first = post_pack(client, ot_user, referral.reference, headers=key)
    again = post_pack(client, ot_user, referral.reference, headers=key)
    different = post_pack(client, ot_user, referral.reference, headers=key, sheets=["dressing"], for_school=False)

    assert first.status_code == again.status_code == 201
    assert again.json() == first.json()
    assert different.status_code == 422
    assert AdvicePack.objects.count() == 1
