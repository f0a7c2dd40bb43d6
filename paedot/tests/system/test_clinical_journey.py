"""The clinical record in a real browser: an OT assesses a child, sets a package of care with three goals from the goal
bank, the block runs, the OT reviews it and discharges the child. The documents are checked by reading the PDFs
back (their text and page count), and the child's timeline tells the story in order."""

from __future__ import annotations

import datetime as dt
import io
import re

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect
from pypdf import PdfReader

from paedot.appointments.models import Appointment, Kind
from paedot.appointments.services import record_outcome
from paedot.care import presenters
from paedot.care.goal_bank import bank_goal, goal_bank
from paedot.care.models import Assessment, Episode, Package, Review
from paedot.care.rules import gas_t_score
from paedot.diaries.models import WorkingDay
from paedot.diaries.rules import LONDON
from paedot.directory.models import BankHoliday
from paedot.letters.models import Letter
from paedot.referrals.models import Referral
from paedot.referrals.tests.factories import referral_in
from paedot.staff.services import create_staff_user
from paedot.tests.system.test_appointments_journey import assert_accessible, fill_date
from paedot.tests.system.test_referral_journey import PASSWORD, sign_in

pytestmark = pytest.mark.browser

# Three goals from the bank, and the level each reaches at the review (weights 1, as the bank sets them).
GOALS = {"dressing-buttons": 1, "handwriting-legibility": 1, "scissors-straight-line": 0}


def pdf_text(content: bytes) -> tuple[str, int]:
    """A PDF's words joined by single spaces, and its number of pages."""
    reader = PdfReader(io.BytesIO(content))
    return " ".join(" ".join(page.extract_text() for page in reader.pages).split()), len(reader.pages)


def fetch_pdf(page: Page, link_name: str) -> tuple[str, int]:
    """Follow a document's link with the signed-in browser's cookies and read the PDF back."""
    href = page.get_by_role("link", name=link_name).first.get_attribute("href")
    response = page.request.get(href)
    assert response.ok, f"{href}: {response.status}"
    assert response.headers["content-type"] == "application/pdf"
    return pdf_text(response.body())


def words(text: str) -> str:
    return " ".join(text.split())


def block_start() -> dt.date:
    """About four weeks ago, moved back until none of the three weekly sessions nor the review a week after the last
    falls on a bank holiday (the diary would skip it), so the whole block is in the past."""
    start = timezone.localdate() - dt.timedelta(days=28)
    holidays = set(BankHoliday.objects.values_list("date", flat=True))
    while any(start + dt.timedelta(weeks=week) in holidays for week in range(4)):
        start -= dt.timedelta(days=1)
    return start


def choose(page: Page, label: str, option_text: str) -> None:
    """Choose the option of a select whose text contains this (the clinician and place lists say more)."""
    select = page.get_by_label(label, exact=True)
    select.select_option(label=select.locator("option", has_text=option_text).first.inner_text())


def test_an_ot_assesses_sets_goals_reviews_reports_and_discharges_and_the_record_tells_the_story(page: Page):
    # Given a child who has been seen, and an OT who works every day
    today = timezone.localdate()
    referral = referral_in(
        "seen",
        child={"given_name": "Nadia", "family_name": "Clinicaltest"},
        received_date=today - dt.timedelta(days=90),
    )
    ot = create_staff_user(username="ot-c", role="ot", password=PASSWORD, full_name="Olu Clinical")
    for weekday in range(7):
        WorkingDay.objects.create(clinician=ot, weekday=weekday, starts=dt.time(0, 0), ends=dt.time(23, 59))
    first_session = block_start()
    assessed_on = first_session - dt.timedelta(days=7)
    bank = {goal_id: bank_goal(goal_id).for_child("Nadia") for goal_id in GOALS}

    # When the OT opens the referral and follows it to the episode of care
    sign_in(page, "ot-c")
    page.goto(f"/staff/referrals/{referral.reference}")
    page.get_by_role("link", name="Episode of care").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Nadia Clinicaltest")
    expect(page.get_by_text("Not opened yet")).to_be_visible()
    assert_accessible(page)

    # And records that the family agreed to share reports with themselves and with the GP
    for recipient, in_words in (("Family", "family"), ("GP", "GP")):
        page.get_by_role("link", name="Record consent to share").first.click()
        if recipient == "Family":
            assert_accessible(page)
        page.get_by_role("group", name="Who the reports would go to").get_by_label(recipient, exact=True).check()
        page.get_by_role("group", name="Did they agree?").get_by_label("Yes").check()
        page.get_by_label("Who agreed or refused").fill("Sara Testchild, mother")
        page.get_by_role("button", name="Record consent").click()
        expect(page.get_by_text(f"Consent to share with {in_words}: given.")).to_be_visible()
    consent_table = page.get_by_role("table", name="The family's latest decision for each recipient")
    expect(consent_table.get_by_role("row")).to_have_count(3)  # the header, the family, the GP

    # And records an assessment: findings, a standardised assessment's scores, a COPM problem and TOMs
    page.get_by_role("link", name="Record an assessment").click()
    assert_accessible(page)
    fill_date(page, assessed_on, "Date of the assessment")
    page.get_by_label("Fine motor", exact=True).fill("Immature grasp; tires quickly when writing.")
    page.get_by_label("Self care", exact=True).fill("Cannot fasten buttons on her school shirt.")
    page.get_by_label(re.compile("Movement Assessment Battery")).check()
    page.get_by_role("button", name="Show their score fields").click()
    # What was typed before the fields were shown is still there
    expect(page.get_by_label("Fine motor", exact=True)).to_have_value("Immature grasp; tires quickly when writing.")
    scores = page.get_by_role("group", name=re.compile("Movement Assessment Battery"))
    scores.get_by_label("Total test standard score (optional)").fill("5")
    scores.get_by_label("Total test percentile (optional)").fill("5")
    scores.get_by_label("Traffic light classification (optional)").select_option("red")
    assert_accessible(page)
    page.get_by_label("Clinical impression").fill("Fine motor difficulties affecting dressing and handwriting.")
    problem = page.get_by_role("group", name="COPM problem 1")
    problem.get_by_label("Problem 1").fill("Doing up the buttons on her school shirt")
    problem.get_by_label("Importance").select_option("9")
    problem.get_by_label("Performance").select_option("3")
    problem.get_by_label("Satisfaction").select_option("2")
    toms = page.get_by_role("group", name=re.compile("TOMs scores"))
    for domain, score in (("Impairment", "2"), ("Activity", "2.5"), ("Participation", "3"), ("Wellbeing", "3.5")):
        toms.get_by_label(domain).select_option(score)
    page.get_by_role("button", name="Save the assessment").click()
    expect(page.get_by_text(f"Assessment of {assessed_on:%-d %B %Y} recorded.")).to_be_visible()
    expect(page.get_by_text("Total test standard score")).to_be_visible()
    expect(page.get_by_text("Doing up the buttons on her school shirt")).to_be_visible()
    assessment = Assessment.objects.get(episode__referral=referral)
    assert assessment.assessed_on == assessed_on
    assert set(assessment.findings) == {"fine_motor", "self_care"}
    assert [entry["template"] for entry in assessment.standardised] == ["mabc2"]
    assert [(p.importance, p.performance, p.satisfaction) for p in assessment.copm_problems.all()] == [(9, 3, 2)]

    # And sets a package of care, direct OT at school for 3 sessions, with three goals from the goal bank
    page.get_by_role("button", name="Set a package of care").click()
    expect(page.get_by_role("group", name="What is offered")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("group", name="What is offered").get_by_label("Package of care").check()
    page.get_by_role("group", name="How it is delivered").get_by_label("Direct sessions with an OT").check()
    page.get_by_role("group", name="Where").get_by_label("School", exact=True).check()
    page.get_by_label("Number of sessions in the block").fill("3")
    for goal_id in GOALS:
        goal = bank_goal(goal_id)
        # The bank is folded by topic: open the goal's topic, then tick it
        topic = next(t.label for t in goal_bank().topics if t.id == goal.topic)
        page.get_by_text(re.compile(rf"{re.escape(topic)} \(\d+\)")).click()
        page.get_by_label(presenters.bank_goal_text(goal), exact=True).check()
    page.get_by_role("button", name="Use these goals").click()
    expect(page.get_by_text("3 goals from the goal bank added below.")).to_be_visible()
    # The goals are written for Nadia with the bank's five levels and baseline; the package as typed is kept
    for row, goal_id in enumerate(GOALS, start=1):
        goal = bank[goal_id]
        fields = page.get_by_role("group", name=f"Goal {row}", exact=True)
        expect(fields.get_by_label("The goal")).to_have_value(goal["description"])
        assert "Nadia" in goal["description"]
        for level in (-2, -1, 0, 1, 2):
            expect(fields.get_by_label(presenters.level_heading(level), exact=True)).to_have_value(
                goal["levels"][str(level)]
            )
        expect(fields.get_by_label("Weight")).to_have_value("1")
        baseline = presenters.level_heading(goal["baseline"]).removeprefix("Level ")
        expect(fields.get_by_label(baseline, exact=True)).to_be_checked()
    expect(page.get_by_label("Number of sessions in the block")).to_have_value("3")
    expect(page.get_by_role("group", name="Where").get_by_label("School", exact=True)).to_be_checked()
    assert_accessible(page)
    page.get_by_role("button", name="Set the package").click()
    expect(page.get_by_text("Package of care, block 1 set, with 3 goals.", exact=False)).to_be_visible()
    package = Package.objects.get(episode__referral=referral)
    assert (package.sessions, package.places, package.delivery) == (3, ["school"], ["direct_ot"])
    assert [g.description for g in package.goals.order_by("position")] == [g["description"] for g in bank.values()]
    assert_accessible(page)

    # And plans the block through the diary, from the package: three weekly sessions from about four weeks ago
    page.get_by_role("button", name="Plan the block of treatment").click()
    expect(page.get_by_label("Start time")).to_be_visible()
    assert_accessible(page)
    choose(page, "Clinician", "Olu Clinical")
    choose(page, "Place", "Soho Health Centre")
    fill_date(page, first_session, "Date of the first session")
    page.get_by_label("Start time").fill("10:00")
    expect(page.get_by_label("Number of sessions")).to_have_value("3")  # as the package set
    page.get_by_label("Days between sessions").fill("7")
    page.get_by_label("Length of each session in minutes").fill("45")
    page.get_by_role("button", name="Book the block").click()
    expect(page.get_by_text("Block of 3 sessions booked")).to_be_visible()
    package.refresh_from_db()
    assert package.series is not None
    assert package.review_due_on == first_session + dt.timedelta(weeks=3)

    # And the block runs: Nadia attends all three sessions (recorded through the service, as the appointments
    # journey covers the outcome page; this journey is about the clinical record)
    sessions = Appointment.objects.filter(series=package.series, kind=Kind.TREATMENT).order_by("start")
    assert [s.start.astimezone(LONDON).date() for s in sessions] == [
        first_session + dt.timedelta(weeks=week) for week in range(3)
    ]
    for session in sessions:
        record_outcome(appointment=session, outcome="attended", recorded_by=ot)

    # When the OT reviews the block: rates the goals, re-rates the COPM problem, and decides to discharge
    page.goto(f"/staff/care/packages/{package.pk}")
    page.get_by_role("button", name="Review this block").click()
    expect(page.get_by_role("button", name="Save the review")).to_be_visible()
    assert_accessible(page)
    for row, (goal_id, level) in enumerate(GOALS.items(), start=1):
        goal = bank[goal_id]
        rating = page.get_by_role("group", name=f"Goal {row}: {goal['description']}")
        rating.get_by_label(presenters.level_choice(level, goal["levels"]), exact=True).check()
    copm = page.get_by_role("group", name="1. Doing up the buttons on her school shirt")
    copm.get_by_label("Performance").select_option("6")
    copm.get_by_label("Satisfaction").select_option("7")
    page.get_by_role("group", name="What happens next").get_by_label("Discharge", exact=True).check()
    page.get_by_label("Summary").fill("All three goals met; Nadia now does up her shirt buttons herself.")
    page.get_by_role("button", name="Save the review").click()

    # Then the review shows the GAS T-score to two decimal places and the COPM change as clinically important
    expected = gas_t_score([(1, level) for level in GOALS.values()])
    assert expected != 50  # the goals were not all met exactly as expected: the score says something
    t_score = f"{expected:.2f}"
    expect(page.get_by_role("heading", level=1)).to_contain_text("Review of block 1 for Nadia Clinicaltest")
    expect(page.get_by_role("definition").filter(has_text="50 means every goal was met")).to_contain_text(t_score)
    copm_table = page.get_by_role("table", name="COPM before and after, per problem and in total")
    expect(copm_table.get_by_role("row", name=re.compile("Doing up the buttons"))).to_contain_text(
        "Clinically important change"
    )
    assert Review.objects.get(package=package).gas_t_score == expected
    assert_accessible(page)

    # When the OT issues the review report to the family and the GP
    page.get_by_role("link", name="Episode of care").first.click()
    page.get_by_role("link", name="Issue a report").click()
    assert_accessible(page)
    page.get_by_label(re.compile("Review report: block 1")).check()
    expect(page.get_by_role("group", name="Send it to").get_by_label("Family", exact=True)).to_be_checked()
    expect(page.get_by_role("group", name="Send it to").get_by_label("GP", exact=True)).to_be_checked()
    page.get_by_role("button", name="Issue the report").click()
    expect(page.get_by_text("Review report issued to 2 recipients.")).to_be_visible()
    expect(page.get_by_role("heading", level=1)).to_have_text("Documents")
    assert_accessible(page)

    # Then the review report, read back from its PDF, has the goal table and the T-score
    text, pages = fetch_pdf(page, "Review report (PDF)")
    assert pages >= 1
    assert "Nadia Clinicaltest" in text
    for goal_id, level in GOALS.items():
        goal = bank[goal_id]
        assert words(goal["description"]) in text
        # The level reached, as clinicians write it (+1, 0), with what that level looks like for this goal
        assert f"{f'{level:+d}' if level else '0'}: {words(goal['levels'][str(level)])}" in text
    assert f"GAS T-score: {t_score}" in text

    # When the OT discharges Nadia, goals met, and sends the discharge summary to the family only
    page.get_by_role("link", name="Back").click()
    expect(page.get_by_text(f"T-score {t_score}")).to_be_visible()
    page.get_by_role("link", name="Discharge", exact=True).click()
    assert_accessible(page)
    page.get_by_role("group", name="Reason for discharge").get_by_label("Goals met").check()
    page.get_by_label("Discharge summary").fill(
        "Nadia met all three goals of her block: she fastens her buttons, writes legibly and cuts along a line."
    )
    send_to = page.get_by_role("group", name="Send the discharge summary to")
    expect(send_to.get_by_label("Family", exact=True)).to_be_checked()
    send_to.get_by_label("GP", exact=True).uncheck()
    page.get_by_role("button", name="Discharge", exact=True).click()
    expect(page.get_by_text("Nadia Clinicaltest has been discharged.")).to_be_visible()
    expect(page.get_by_text("The discharge summary was issued to 1 recipient.")).to_be_visible()
    assert_accessible(page)

    # Then the referral is closed and the discharge summary reads back with Nadia's name and the reason
    assert Referral.objects.get(pk=referral.pk).status == "discharged"
    assert Episode.objects.get(referral=referral).discharge_reason == "goals_met"
    summary = Letter.objects.get(referral=referral, kind="discharge_summary")
    assert [r["role"] for r in summary.recipients] == ["family"]
    text, pages = fetch_pdf(page, "Discharge summary (PDF)")
    assert pages >= 1
    assert "Nadia Clinicaltest" in text
    assert "Reason for discharge Goals met." in text
    assert f"GAS T-score {t_score}" in text

    # And the timeline shows the assessment, the package, the review, the letters and the discharge, in order
    page.get_by_role("link", name="See everything on the timeline").click()
    assert_accessible(page)
    entries = page.get_by_role("main").get_by_role("listitem").all_inner_texts()
    titles = [
        "Assessment",
        "Package of care set: block 1, 3 sessions",
        f"Review of block 1: T-score {t_score}",
        "Review report sent",
        "Discharged: goals met",
        "Discharge summary sent",
    ]
    # Each entry starts with its time, then its title
    positions = [
        next(i for i, entry in enumerate(entries) if re.match(rf"\d\d:\d\d {re.escape(title)}", entry))
        for title in titles
    ]
    assert positions == sorted(positions, reverse=True), entries  # newest first
