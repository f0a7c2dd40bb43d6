"""The strategy sheet library: every sheet's file loads and renders, the loader is safe to run again, a file's new
version reaches the library, and a team lead's edit makes a new version with the old kept."""

from __future__ import annotations

import shutil
from io import BytesIO

import pytest
from pypdf import PdfReader

from paedot.advice.models import StrategySheet, StrategySheetVersion
from paedot.advice.presenters import sheet_view
from paedot.advice.rules import AdviceError
from paedot.advice.services import load_strategy_sheets, revise_strategy_sheet
from paedot.advice.sheet_text import (
    SHEETS_DIR,
    SheetTextError,
    check_sheet,
    format_body,
    parse_body,
    read_sheet_files,
)
from paedot.core.models import AuditEvent
from paedot.referrals.services.journey import NotAllowed, TransitionRefused

pytestmark = pytest.mark.django_db

FILES = read_sheet_files()
REQUIRED = {
    "pencil-grip-and-handwriting",
    "scissor-skills",
    "dressing",
    "feeding-and-cutlery",
    "toileting-routines",
    "sensory-strategies-home",
    "sensory-strategies-school",
    "attention-and-organisation-at-school",
    "getting-around-school",
    "play-ideas-0-2-years",
    "play-ideas-3-5-years",
    "play-ideas-6-11-years",
}


def test_the_library_has_every_sheet_the_service_promises():
    assert {text.slug for text in FILES} >= REQUIRED
    assert len(FILES) >= 12
    assert {text.area for text in FILES} == {"self_care", "school", "play_leisure"}
    assert {text.audience for text in FILES} == {"parents", "school", "both"}


@pytest.mark.parametrize("text", FILES, ids=lambda text: text.slug)
def test_each_sheet_is_in_the_library_and_renders_on_its_page(client, admin_user, text):
    sheet = StrategySheet.objects.get(slug=text.slug)
    assert (sheet.title, sheet.version, sheet.body) == (text.title, 1, list(text.sections))
    client.force_login(admin_user)

    response = client.get(f"/staff/advice/sheets/{text.slug}")

    assert response.status_code == 200
    page = response.content.decode()
    assert text.title in page
    for section in text.sections:
        assert section["heading"].replace("'", "&#39;") in page
        for step in section["steps"]:
            assert step.replace("'", "&#39;") in page


@pytest.mark.parametrize("text", FILES, ids=lambda text: text.slug)
def test_each_sheets_text_is_short_plain_and_practical(text):
    sentences = [s for section in text.sections for s in [section["text"], *section["steps"], section["note"]] if s]
    assert len(text.sections) >= 3
    assert sum(len(section["steps"]) for section in text.sections) >= 10
    words = [len(part.split()) for s in sentences for part in s.replace("!", ".").split(". ") if part]
    # Short sentences: the reading age the service writes for (about 9 to 11).
    assert max(words) <= 30
    assert sum(words) / len(words) <= 15


def test_the_edit_text_turns_back_into_the_same_sections():
    for text in FILES:
        assert parse_body(format_body(list(text.sections))) == list(text.sections)


def test_markup_typed_into_a_sheet_is_shown_as_text_never_run(client, team_lead_user):
    sheet = StrategySheet.objects.get(slug="scissor-skills")
    revise_strategy_sheet(
        sheet=sheet,
        title=sheet.title,
        summary=sheet.summary,
        area=sheet.area,
        audience=sheet.audience,
        body="## Safety <script>alert(1)</script>\n- Use <b>round</b> ends",
        change_note="Test",
        revised_by=team_lead_user,
    )
    client.force_login(team_lead_user)

    page = client.get("/staff/advice/sheets/scissor-skills").content.decode()

    assert "<script>alert(1)</script>" not in page and "&lt;script&gt;" in page
    assert "<b>round</b>" not in page


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("A line before any heading\n## Heading\n- step", "Line 1: start with a heading"),
        ("## Heading\n\n## Another\n- step", "needs some text or at least one step"),
        ("##\n- step", "Line 1: write the heading"),
        ("## Heading\n- step\nClosing line\n- late step", "Line 4: a step comes after the closing line"),
        ("", "at least one section"),
    ],
)
def test_edited_text_that_cannot_be_a_sheet_says_which_line_is_wrong(text, message):
    with pytest.raises(SheetTextError) as error:
        parse_body(text)
    assert message in error.value.message
    assert error.value.field == "body"


def test_a_sheet_file_with_an_unknown_audience_is_refused():
    data = {"slug": "x", "title": "X", "summary": "S", "area": "school", "audience": "teachers", "version": 1}
    with pytest.raises(SheetTextError) as error:
        check_sheet({**data, "sections": [{"heading": "H", "steps": ["s"]}]})
    assert error.value.field == "audience"


def test_loading_again_changes_nothing():
    versions = StrategySheetVersion.objects.count()

    assert load_strategy_sheets() == []

    assert StrategySheetVersion.objects.count() == versions


def test_a_files_new_version_becomes_a_new_version_of_the_sheet(tmp_path):
    shutil.copytree(SHEETS_DIR, tmp_path, dirs_exist_ok=True)
    path = tmp_path / "dressing.toml"
    path.write_text(
        path.read_text()
        .replace("version = 1", "version = 2")
        .replace('title = "Dressing"', 'title = "Getting dressed"')
    )

    assert load_strategy_sheets(directory=tmp_path) == ["dressing"]

    sheet = StrategySheet.objects.get(slug="dressing")
    assert (sheet.title, sheet.version, sheet.file_version) == ("Getting dressed", 2, 2)
    assert list(sheet.versions.values_list("version", "title")) == [(2, "Getting dressed"), (1, "Dressing")]
    assert AuditEvent.objects.filter(action="advice.sheet_loaded", detail__slug="dressing").exists()
    assert load_strategy_sheets(directory=tmp_path) == []


def test_a_team_leads_edit_makes_a_new_version_and_keeps_the_old(team_lead_user):
    sheet = StrategySheet.objects.get(slug="dressing")
    old_body = sheet.body

    revised = revise_strategy_sheet(
        sheet=sheet,
        title="Getting dressed",
        summary=sheet.summary,
        area=sheet.area,
        audience="both",
        body=format_body(sheet.body) + "\n\n## At school\n- Give extra time to change for PE.",
        change_note="Added a section for school.",
        based_on_version=1,
        revised_by=team_lead_user,
    )

    assert (revised.version, revised.title, revised.audience) == (2, "Getting dressed", "both")
    assert revised.body[-1] == {
        "heading": "At school",
        "text": "",
        "steps": ["Give extra time to change for PE."],
        "note": "",
    }
    first, second = sheet.versions.order_by("version")
    assert (first.title, first.body, first.audience) == ("Dressing", old_body, "parents")
    assert (second.change_note, second.created_by) == ("Added a section for school.", team_lead_user)
    event = AuditEvent.objects.get(action="advice.sheet_revised")
    assert event.detail["version"] == 2 and event.actor == team_lead_user


def test_an_edit_that_changes_nothing_makes_no_version(team_lead_user):
    sheet = StrategySheet.objects.get(slug="dressing")
    with pytest.raises(AdviceError, match="Nothing has changed"):
        revise_strategy_sheet(
            sheet=sheet,
            title=sheet.title,
            summary=sheet.summary,
            area=sheet.area,
            audience=sheet.audience,
            body=format_body(sheet.body),
            change_note="No change",
            revised_by=team_lead_user,
        )
    assert sheet.versions.count() == 1


def test_an_edit_of_a_version_someone_else_has_replaced_is_refused(team_lead_user):
    sheet = StrategySheet.objects.get(slug="dressing")
    values = {"summary": sheet.summary, "area": sheet.area, "audience": sheet.audience, "body": sheet.body}
    revise_strategy_sheet(sheet=sheet, title="One", change_note="a", revised_by=team_lead_user, **values)

    with pytest.raises(TransitionRefused, match="while you were editing version 1"):
        revise_strategy_sheet(
            sheet=sheet, title="Two", change_note="b", based_on_version=1, revised_by=team_lead_user, **values
        )


def test_only_team_leads_may_edit_a_sheet(ot_user):
    sheet = StrategySheet.objects.get(slug="dressing")
    with pytest.raises(NotAllowed):
        revise_strategy_sheet(
            sheet=sheet,
            title="Changed",
            summary=sheet.summary,
            area=sheet.area,
            audience=sheet.audience,
            body=sheet.body,
            change_note="Trying",
            revised_by=ot_user,
        )


def test_the_preview_pdf_has_the_sheet_and_names_no_child(client, ota_user):
    client.force_login(ota_user)

    response = client.get("/staff/advice/sheets/scissor-skills.pdf")

    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    text = " ".join(" ".join(p.extract_text() for p in PdfReader(BytesIO(response.content)).pages).split())
    assert "Scissor skills" in text and "Step by step" in text
    assert "Thin card is easier than paper at first" in text


def test_sheet_view_of_a_version_names_its_sheet():
    version = StrategySheetVersion.objects.select_related("sheet").get(sheet__slug="dressing", version=1)
    view = sheet_view(version)
    assert (view.slug, view.version, view.audience_label) == ("dressing", 1, "Parents and carers")
    assert view.sections[0].heading == "Set up for success"
