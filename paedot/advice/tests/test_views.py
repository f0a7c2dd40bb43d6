"""Advice pages: the library and its filter, a team lead's edit, building and giving a pack (with consent shown and
checked), the pack's page and a referral's packs, and who may see or do each."""

from __future__ import annotations

import re

import pytest
import time_machine

from paedot.advice.models import AdvicePack, StrategySheet
from paedot.advice.services import give_advice_pack
from paedot.advice.sheet_text import format_body
from paedot.advice.tests.factories import child_referral, consent
from paedot.core.models import AuditEvent

pytestmark = pytest.mark.django_db

TODAY = "2027-03-10 10:00 +00:00"


def pack_form(**overrides) -> dict:
    data = {
        "sheets_self_care": ["dressing"],
        "sheets_school": ["pencil-grip-and-handwriting", "sensory-strategies-school"],
        "recipients": ["home", "school"],
        "home_notes": "Little and often, after tea.",
        "school_notes": "Sits best near the front.",
        "given_on_day": "",
        "given_on_month": "",
        "given_on_year": "",
    }
    data.update(overrides)
    return data


# The library --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["admin_user", "ot_user", "ota_user", "team_lead_user", "auditor_user"])
def test_every_staff_role_may_read_the_library(client, request, role):
    client.force_login(request.getfixturevalue(role))
    response = client.get("/staff/advice/sheets")
    assert response.status_code == 200
    assert "Pencil grip and handwriting" in response.content.decode()


def test_a_partner_system_may_not_read_the_library(client, partner_user):
    client.force_login(partner_user)
    assert client.get("/staff/advice/sheets").status_code == 403
    assert client.get("/staff/advice/sheets/dressing").status_code == 403


def test_the_library_groups_sheets_by_area_with_who_they_are_for(client, ot_user, django_assert_max_num_queries):
    client.force_login(ot_user)
    with django_assert_max_num_queries(8):
        page = client.get("/staff/advice/sheets").content.decode()
    assert page.index("<h2>Self care</h2>") < page.index("Dressing") < page.index("<h2>School</h2>")
    assert page.index("<h2>School</h2>") < page.index("Scissor skills") < page.index("<h2>Play and leisure</h2>")
    assert "Parents and school" in page and "nhsuk-tag--purple" in page


def test_filtering_for_school_staff_shows_their_sheets_and_shared_ones(client, ot_user):
    client.force_login(ot_user)
    page = client.get("/staff/advice/sheets?audience=school").content.decode()
    assert "Sensory strategies at school" in page and "Scissor skills" in page
    assert "Dressing" not in page and "Play ideas: 0 to 2 years" not in page


def test_filtering_by_area_shows_only_that_area(client, ot_user):
    client.force_login(ot_user)
    page = client.get("/staff/advice/sheets?area=play_leisure").content.decode()
    assert "Play ideas: 3 to 5 years" in page and "Scissor skills" not in page
    assert "Clear filters" in page


def test_an_unknown_sheet_is_404(client, ot_user):
    client.force_login(ot_user)
    assert client.get("/staff/advice/sheets/juggling").status_code == 404
    assert client.get("/staff/advice/sheets/dressing?version=9").status_code == 404


# Editing a sheet ----------------------------------------------------------------------------------------------


def sheet_form(sheet, **overrides) -> dict:
    data = {
        "title": sheet.title,
        "summary": sheet.summary,
        "area": sheet.area,
        "audience": sheet.audience,
        "body": format_body(sheet.body),
        "change_note": "Clearer steps.",
        "based_on_version": str(sheet.version),
    }
    data.update(overrides)
    return data


def test_a_team_lead_edits_a_sheet_and_the_page_shows_both_versions(client, team_lead_user):
    sheet = StrategySheet.objects.get(slug="scissor-skills")
    client.force_login(team_lead_user)
    assert "Save as a new version" in client.get("/staff/advice/sheets/scissor-skills/edit").content.decode()

    body = format_body(sheet.body).replace("crocodile's mouth", "shark's mouth")
    response = client.post("/staff/advice/sheets/scissor-skills/edit", sheet_form(sheet, body=body))

    assert response.status_code == 302 and response["Location"] == "/staff/advice/sheets/scissor-skills"
    page = client.get(response["Location"]).content.decode()
    assert "Saved as version 2" in page and "shark&#39;s mouth" in page
    old = client.get("/staff/advice/sheets/scissor-skills?version=1").content.decode()
    assert "crocodile&#39;s mouth" in old and "An earlier version" in old


def test_an_edit_with_bad_text_keeps_what_was_typed_and_says_which_line(client, team_lead_user):
    sheet = StrategySheet.objects.get(slug="scissor-skills")
    client.force_login(team_lead_user)
    body = "Forgot the heading\n- a step kept as typed"

    response = client.post("/staff/advice/sheets/scissor-skills/edit", sheet_form(sheet, body=body, change_note=""))

    assert response.status_code == 400
    page = response.content.decode()
    assert "There is a problem" in page and "Say what changed and why" in page
    assert "a step kept as typed" in page
    response = client.post("/staff/advice/sheets/scissor-skills/edit", sheet_form(sheet, body=body))
    assert response.status_code == 400 and "Line 1: start with a heading" in response.content.decode()
    assert StrategySheet.objects.get(slug="scissor-skills").version == 1


def test_an_ot_may_not_edit_a_sheet(client, ot_user):
    sheet = StrategySheet.objects.get(slug="scissor-skills")
    client.force_login(ot_user)
    assert client.get("/staff/advice/sheets/scissor-skills/edit").status_code == 403
    assert client.post("/staff/advice/sheets/scissor-skills/edit", sheet_form(sheet, title="X")).status_code == 403
    assert "Edit this sheet" not in client.get("/staff/advice/sheets/scissor-skills").content.decode()


# Building and giving a pack -------------------------------------------------------------------------------------


@time_machine.travel(TODAY, tick=False)
def test_the_pack_page_shows_sheets_by_area_and_whether_consent_is_recorded(client, ot_user):
    referral = child_referral()
    consent(referral, "family", by=ot_user)
    client.force_login(ot_user)

    page = client.get(f"/staff/advice/{referral.reference}/packs/new").content.decode()

    legends = re.findall(r"<legend[^>]*>\s*([^<]+?)\s*</legend>", page)
    assert legends[:4] == ["Self care", "School", "Play and leisure", "Who is the pack for?"]
    assert "For parents and carers. Ways to help your child learn to get dressed" in page
    assert "Consent to share with the family: given by Mum, 10 March 2027" in page
    assert "Consent to share with Testfield Primary School is not recorded yet" in page
    assert "Give the pack" in page


@time_machine.travel(TODAY, tick=False)
def test_giving_a_pack_goes_to_its_page_with_the_letters_and_what_was_left_out(client, ot_user):
    referral = child_referral()
    consent(referral, "family", "school", by=ot_user)
    client.force_login(ot_user)

    response = client.post(f"/staff/advice/{referral.reference}/packs/new", pack_form())

    pack = AdvicePack.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/staff/advice/packs/{pack.pk}"
    page = client.get(response["Location"]).content.decode()
    assert "Advice pack given." in page
    assert "Dressing is written for parents, so it is not in the pack for school." in page
    assert f"/staff/letters/{pack.home_letter_id}.pdf" in page and f"/staff/letters/{pack.school_letter_id}.pdf" in page
    assert "10 March 2027" in page and ot_user.display_name in page
    assert "Little and often, after tea." in page
    assert AuditEvent.objects.filter(action="record.viewed", object_id=str(pack.pk)).exists()


@time_machine.travel(TODAY, tick=False)
def test_without_consent_the_page_says_so_keeps_what_was_typed_and_saves_nothing(client, ot_user):
    referral = child_referral()
    consent(referral, "family", by=ot_user)
    client.force_login(ot_user)

    response = client.post(f"/staff/advice/{referral.reference}/packs/new", pack_form())

    assert response.status_code == 409
    page = response.content.decode()
    assert "Record the family&#39;s consent to share with: school or nursery. Nothing was sent." in page
    assert "Little and often, after tea." in page and "Sits best near the front." in page
    assert 'value="sensory-strategies-school" checked' in page
    assert not AdvicePack.objects.exists()


@time_machine.travel(TODAY, tick=False)
def test_a_pack_with_no_sheet_chosen_asks_for_one(client, ot_user):
    referral = child_referral()
    client.force_login(ot_user)

    response = client.post(
        f"/staff/advice/{referral.reference}/packs/new", pack_form(sheets_self_care=[], sheets_school=[])
    )

    assert response.status_code == 400
    assert "Choose at least one strategy sheet" in response.content.decode()


@time_machine.travel(TODAY, tick=False)
def test_an_ot_assistant_may_not_give_a_pack_but_may_see_one(client, ot_user, ota_user):
    referral = child_referral()
    consent(referral, "family", by=ot_user)
    pack = give_advice_pack(referral=referral, sheets=["dressing"], for_home=True, for_school=False, given_by=ot_user)
    client.force_login(ota_user)

    assert client.get(f"/staff/advice/{referral.reference}/packs/new").status_code == 403
    assert client.post(f"/staff/advice/{referral.reference}/packs/new", pack_form()).status_code == 403
    assert client.get(f"/staff/advice/packs/{pack.pk}").status_code == 200
    listing = client.get(f"/staff/advice/{referral.reference}/").content.decode()
    assert "Dressing" in listing and "Give an advice pack" not in listing


@time_machine.travel(TODAY, tick=False)
def test_an_auditor_may_not_see_a_childs_packs(client, ot_user, auditor_user):
    referral = child_referral()
    consent(referral, "family", by=ot_user)
    pack = give_advice_pack(referral=referral, sheets=["dressing"], for_home=True, for_school=False, given_by=ot_user)
    client.force_login(auditor_user)
    assert client.get(f"/staff/advice/packs/{pack.pk}").status_code == 403
    assert client.get(f"/staff/advice/{referral.reference}/").status_code == 403


@time_machine.travel(TODAY, tick=False)
def test_a_referrals_packs_list_in_a_fixed_number_of_queries(client, ot_user, django_assert_max_num_queries):
    referral = child_referral()
    consent(referral, "family", "school", by=ot_user)
    for sheets in (["feeding-and-cutlery"], ["scissor-skills", "getting-around-school"], ["toileting-routines"]):
        give_advice_pack(referral=referral, sheets=sheets, for_home=True, for_school=True, given_by=ot_user)
    client.force_login(ot_user)

    with django_assert_max_num_queries(10):
        response = client.get(f"/staff/advice/{referral.reference}/")

    page = response.content.decode()
    assert response.status_code == 200
    assert "Scissor skills, Getting around school" in page and "Give an advice pack" in page


@time_machine.travel(TODAY, tick=False)
def test_a_pack_page_shows_the_version_given_after_the_sheet_changes(client, ot_user, team_lead_user):
    referral = child_referral()
    consent(referral, "family", by=ot_user)
    pack = give_advice_pack(referral=referral, sheets=["dressing"], for_home=True, for_school=False, given_by=ot_user)
    sheet = StrategySheet.objects.get(slug="dressing")
    client.force_login(team_lead_user)
    client.post("/staff/advice/sheets/dressing/edit", sheet_form(sheet, title="Getting dressed"))

    page = client.get(f"/staff/advice/packs/{pack.pk}").content.decode()

    assert "/staff/advice/sheets/dressing?version=1" in page and ">Dressing</a>, version 1" in page
