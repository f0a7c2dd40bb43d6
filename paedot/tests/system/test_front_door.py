"""The public front door in a real browser: check if we can help, refer, and staff find the referral."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from paedot.public.services import update_service_details
from paedot.referrals.models import Referral
from paedot.staff.services import create_staff_user
from paedot.tests.browser import axe_violations, evaluate_settled

pytestmark = pytest.mark.browser


def assert_accessible(page: Page) -> None:
    violations = axe_violations(page)
    assert violations == [], f"{page.url}: {violations}"


def continue_(page: Page) -> None:
    page.get_by_role("button", name=re.compile("^(Continue|Save and continue)$")).click()


def answer_check_if_we_can_help(page: Page, *, gp: str, referrer: str) -> None:
    page.goto("/")
    page.get_by_role("link", name="Check if we can help").first.click()
    assert_accessible(page)
    page.get_by_role("button", name="Start").click()
    page.get_by_label("Day").fill("10")
    page.get_by_label("Month").fill("5")
    page.get_by_label("Year").fill("2018")
    assert_accessible(page)
    continue_(page)
    page.get_by_label("Mainstream school").check()
    continue_(page)
    page.get_by_label("Which GP practice is the child registered with?").fill(gp)
    continue_(page)
    page.get_by_label("Pencil skills").check()
    continue_(page)
    page.get_by_label(referrer, exact=True).check()
    continue_(page)
    page.get_by_label("No", exact=True).check()
    continue_(page)
    page.get_by_label("Yes", exact=True).check()
    continue_(page)


def test_check_if_we_can_help_answers_both_ways(page: Page):
    """Given a family on the service page, when they answer the questions, then they get an honest answer."""
    answer_check_if_we_can_help(page, gp="M85001", referrer="GP")
    expect(page.get_by_role("heading", level=1)).to_have_text("We can probably help")
    assert_accessible(page)

    answer_check_if_we_can_help(page, gp="M89001", referrer="Teacher or SENCO")
    expect(page.get_by_role("heading", level=1)).to_have_text("We are unlikely to be able to help")
    expect(page.get_by_text("is not in Birmingham")).to_be_visible()
    expect(page.get_by_text("Ask the child's GP, health visitor")).to_be_visible()
    assert_accessible(page)


def fill_referral(page: Page) -> None:
    page.get_by_label("First name").fill("Ayaan")
    page.get_by_label("Last name").fill("Browsertest")
    page.get_by_label("Day").fill("10")
    page.get_by_label("Month").fill("5")
    page.get_by_label("Year").fill("2018")
    page.get_by_label("NHS number (if you know it)").fill("943 476 5919")
    page.get_by_label("Address").fill("1 Soho Road, Birmingham")
    page.get_by_label("Postcode").fill("B21 9RY")
    continue_(page)
    page.get_by_label("Full name").fill("Sara Browsertest")
    page.get_by_label("Relationship to the child").fill("Mother")
    page.get_by_label("Phone number").fill("07700 900123")
    page.get_by_label("Email address (optional)").fill("sara@example.com")
    page.get_by_label("No", exact=True).check()
    continue_(page)
    finder = page.get_by_label("The child's GP practice")
    finder.fill("Shah Zaman")
    expect(page.locator("datalist option").first).to_have_attribute("value", "Shah Zaman Surgery (M85001)")
    finder.fill("Shah Zaman Surgery (M85001)")
    continue_(page)
    page.get_by_label("Mainstream school").check()
    page.get_by_label("Name of the school or nursery").fill("Bordesley Green East Nursery School")
    continue_(page)
    page.get_by_label("Pencil skills").check()
    page.get_by_label("Describe the difficulties").fill("Handwriting is very hard to read.")
    page.get_by_label("How do they affect the child at school or nursery?").fill("Falls behind in writing.")
    continue_(page)
    page.get_by_label("What has been tried already, and did it help?").fill("Pencil grips.")
    page.get_by_label("No", exact=True).check()
    continue_(page)
    page.get_by_label("Your full name").fill("Dr Jo Browsertest")
    page.get_by_label("GP", exact=True).check()
    page.get_by_label("Your email address").fill("jo@example.nhs.uk")
    continue_(page)
    page.get_by_label("Yes", exact=True).check()
    continue_(page)


def test_a_referral_from_the_service_page_reaches_the_staff_inbox(page: Page, app_server):
    """Given a GP on the service page, when they refer online, then staff find it in the inbox with its reasons."""
    page.goto("/")
    assert_accessible(page)
    page.get_by_role("link", name="Make a referral online").first.click()
    assert_accessible(page)
    page.get_by_role("button", name="Start now").click()

    continue_(page)  # nothing filled in: errors, and nothing lost
    expect(page.get_by_role("heading", name="There is a problem")).to_be_visible()
    assert_accessible(page)
    fill_referral(page)

    expect(page.get_by_role("heading", level=1)).to_have_text("Check your answers before sending the referral")
    assert_accessible(page)
    page.get_by_role("button", name="Send referral").dblclick()

    expect(page.get_by_role("heading", level=1)).to_have_text("Referral sent")
    assert_accessible(page)
    reference = page.locator(".app-reference").inner_text()
    assert Referral.objects.filter(reference=reference).count() == 1
    assert Referral.objects.count() == 1

    create_staff_user(username="admin-b", role="clinical_admin", password="a-long-test-password-1")
    page.goto("/staff/sign-in")
    page.get_by_label("Username").fill("admin-b")
    page.get_by_label("Password", exact=True).fill("a-long-test-password-1")
    page.get_by_role("button", name="Sign in").click()
    row = page.get_by_role("row").filter(has_text=reference)
    expect(row).to_contain_text("Meets criteria")
    row.get_by_role("link", name=reference).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Ayaan Browsertest")  # with its status
    expect(page.get_by_text("The referral meets every criterion")).to_be_visible()


def test_a_declined_referral_shows_its_reasons_in_the_inbox(page: Page):
    from paedot.referrals.tests.factories import SOLIHULL_PRACTICE, make_referral

    referral = make_referral(gp_practice_code=SOLIHULL_PRACTICE)
    create_staff_user(username="admin-c", role="clinical_admin", password="a-long-test-password-1")
    page.goto("/staff/sign-in")
    page.get_by_label("Username").fill("admin-c")
    page.get_by_label("Password", exact=True).fill("a-long-test-password-1")
    page.get_by_role("button", name="Sign in").click()
    row = page.get_by_role("row").filter(has_text=referral.reference)
    expect(row).to_contain_text("Does not meet criteria")
    expect(row).to_contain_text("is not in Birmingham")
    assert_accessible(page)


def test_the_accessibility_check_itself_finds_a_serious_problem(page: Page):
    """Guard against an axe check that silently passes everything."""
    page.set_content('<html lang="en"><body><main><img src="x.png"><input type="text"></main></body></html>')
    found = {violation["id"] for violation in axe_violations(page)}
    assert {"image-alt", "label"} <= found


# Small screens ---------------------------------------------------------------------------------------------------

NARROW = 320  # CSS pixels: WCAG 2.2 reflow (1.4.10), a 1280px-wide page at 400% zoom


@pytest.fixture
def narrow_page(browser, app_server):
    context = browser.new_context(base_url=app_server, viewport={"width": NARROW, "height": 640})
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


def assert_no_horizontal_scroll(page: Page) -> None:
    """Nothing pokes out sideways: the page scrolls only up and down (naming what does, if something does)."""
    width, too_wide = evaluate_settled(
        page,
        """(limit) => {
            const width = document.scrollingElement.scrollWidth;
            const tooWide = [...document.querySelectorAll("body *")]
                .filter((el) => el.getBoundingClientRect().right > limit + 0.5)
                .slice(0, 5)
                .map((el) => el.outerHTML.slice(0, 160));
            return [width, tooWide];
        }""",
        arg=NARROW,
    )
    assert width <= NARROW, f"{page.url} is {width}px wide at {NARROW}px: {too_wide}"


def test_every_public_page_fits_a_320_pixel_screen(narrow_page: Page):
    """Given someone on a small phone (or zoomed in 400%), when they check and refer, then nothing scrolls sideways."""
    update_service_details(
        changes={"email": "paediatric.occupational.therapy@birminghamcommunityhealthcare.nhs.uk"}, changed_by=None
    )  # the longest word a page shows is data staff type
    page = narrow_page
    page.goto("/")
    assert_no_horizontal_scroll(page)

    page.get_by_role("link", name="Check if we can help").first.click()
    assert_no_horizontal_scroll(page)
    page.get_by_role("button", name="Start").click()
    assert_no_horizontal_scroll(page)
    continue_(page)  # nothing typed: the error summary and messages fit too
    assert_no_horizontal_scroll(page)
    page.get_by_label("Day").fill("10")
    page.get_by_label("Month").fill("5")
    page.get_by_label("Year").fill("2018")
    continue_(page)
    assert_no_horizontal_scroll(page)
    page.get_by_label("Mainstream school").check()
    continue_(page)
    assert_no_horizontal_scroll(page)
    page.get_by_label("Which GP practice is the child registered with?").fill("M85001")
    continue_(page)
    assert_no_horizontal_scroll(page)
    page.get_by_label("Pencil skills").check()
    continue_(page)
    assert_no_horizontal_scroll(page)
    page.get_by_label("GP", exact=True).check()
    continue_(page)
    assert_no_horizontal_scroll(page)
    page.get_by_label("No", exact=True).check()
    continue_(page)
    assert_no_horizontal_scroll(page)
    page.get_by_label("Yes", exact=True).check()
    continue_(page)
    expect(page.get_by_role("heading", level=1)).to_have_text("We can probably help")
    assert_no_horizontal_scroll(page)

    page.get_by_role("button", name="Make a referral").click()
    expect(page.get_by_text("We have filled in the answers you gave")).to_be_visible()
    assert_no_horizontal_scroll(page)
    assert_accessible(page)
    page.get_by_role("button", name="Start now").click()
    continue_(page)  # errors for what the check did not ask
    expect(page.get_by_role("heading", name="There is a problem")).to_be_visible()
    assert_no_horizontal_scroll(page)
    expect(page.get_by_label("Year")).to_have_value("2018")  # carried from the check
    page.get_by_label("First name").fill("Ayaan")
    page.get_by_label("Last name").fill("Narrowscreen")
    page.get_by_label("Address").fill("1 Soho Road, Birmingham")
    page.get_by_label("Postcode").fill("B21 9RY")
    continue_(page)
    assert_no_horizontal_scroll(page)
    page.get_by_label("Full name").fill("Sara Narrowscreen")
    page.get_by_label("Relationship to the child").fill("Mother")
    page.get_by_label("Phone number").fill("07700 900123")
    page.get_by_label("Email address (optional)").fill("sara.narrowscreen-family-household@example-family-domain.co.uk")
    page.get_by_label("No", exact=True).check()
    continue_(page)
    assert_no_horizontal_scroll(page)
    practice = page.get_by_label("The child's GP practice")
    expect(practice).to_have_value("Shah Zaman Surgery (M85001)")
    practice.fill("shah zaman")  # matches to choose from, as without JavaScript
    continue_(page)
    expect(page.locator(".nhsuk-error-message")).to_contain_text("Choose the practice from the list below")
    assert_no_horizontal_scroll(page)
    page.get_by_label("Shah Zaman Surgery (M85001)").check()
    continue_(page)
    assert_no_horizontal_scroll(page)
    expect(page.get_by_label("Mainstream school")).to_be_checked()
    page.get_by_label("Name of the school or nursery").fill("Bordesley Green East Nursery School")
    continue_(page)
    assert_no_horizontal_scroll(page)
    expect(page.get_by_label("Pencil skills")).to_be_checked()
    page.get_by_label("Describe the difficulties").fill("Handwriting is very hard to read.")
    continue_(page)
    assert_no_horizontal_scroll(page)
    page.get_by_label("What has been tried already, and did it help?").fill("Pencil grips.")
    expect(page.get_by_label("No", exact=True)).to_be_checked()
    continue_(page)
    assert_no_horizontal_scroll(page)
    page.get_by_label("Your full name").fill("Dr Jo Narrowscreen")
    expect(page.get_by_label("GP", exact=True)).to_be_checked()
    page.get_by_label("Your email address").fill(
        "jo.narrowscreen.community-paediatrics@birminghamcommunityhealthcare.nhs.uk"
    )
    continue_(page)
    assert_no_horizontal_scroll(page)
    page.get_by_label("Yes", exact=True).check()
    continue_(page)

    expect(page.get_by_role("heading", level=1)).to_have_text("Check your answers before sending the referral")
    assert_no_horizontal_scroll(page)
    page.get_by_role("button", name="Send referral").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Referral sent")
    assert_no_horizontal_scroll(page)
    referral = Referral.objects.select_related("child").get()
    assert referral.child.date_of_birth.isoformat() == "2018-05-10"
    assert referral.gp_practice_code == "M85001"
    assert referral.difficulties == ["pencil_skills"]

    answer_check_if_we_can_help(page, gp="M89001", referrer="Teacher or SENCO")
    expect(page.get_by_role("heading", level=1)).to_have_text("We are unlikely to be able to help")
    assert_no_horizontal_scroll(page)


def test_the_narrow_screen_check_itself_finds_a_page_too_wide(narrow_page: Page):
    """Guard against a reflow check that silently passes everything."""
    narrow_page.set_content('<html lang="en"><body><main><div style="width: 400px">Wide</div></main></body></html>')

    with pytest.raises(AssertionError, match="px wide at 320px"):
        assert_no_horizontal_scroll(narrow_page)


# Keyboard only ---------------------------------------------------------------------------------------------------

FOCUS_INDICATOR = """() => {
    // What shows where focus is: the control itself, or for NHS radios and checkboxes (whose input is hidden) the
    // box drawn before its label. Compared with the same control unfocused, so a button's usual shadow is no
    // focus indicator; an outline in a transparent colour (for Windows high contrast) is not one either.
    const el = document.activeElement;
    const choice = el.type === "radio" || el.type === "checkbox";
    const target = choice ? document.querySelector(`label[for="${el.id}"]`) : el;
    const look = () => {
        const style = getComputedStyle(target, choice ? "::before" : null);
        const outline = style.outlineStyle !== "none" && parseFloat(style.outlineWidth) > 0
            && !/^(transparent|rgba\\(.*, 0\\))$/.test(style.outlineColor);
        return JSON.stringify([outline && style.outlineColor, outline && style.outlineWidth, style.boxShadow,
                               style.backgroundColor, style.borderColor]);
    };
    const focused = look();
    el.blur();
    const unfocused = look();
    el.focus();
    return {tag: el.tagName, text: (el.innerText || el.labels?.[0]?.innerText || el.name || "").trim(),
            visible: focused !== unfocused, focused};
}"""


def assert_focus_visible(page: Page) -> dict:
    focus = page.evaluate(FOCUS_INDICATOR)
    assert focus["visible"], f"{page.url}: no visible focus on {focus}"
    return focus


def tab(page: Page) -> dict:
    """Press Tab, and check the control it reaches shows that it has focus."""
    page.keyboard.press("Tab")
    return assert_focus_visible(page)


def arrow(page: Page, key: str) -> str:
    """Move within a group of radios; the value of the radio now focused (and chosen)."""
    page.keyboard.press(key)
    assert_focus_visible(page)
    return page.evaluate("document.activeElement.value")


def tab_to(page: Page, text: str, *, limit: int = 80) -> dict:
    """Tab (checking every stop's focus) until the focused control's text or label starts with `text`."""
    for _ in range(limit):
        focus = tab(page)
        if focus["text"].startswith(text):
            return focus
    raise AssertionError(f"{page.url}: could not Tab to {text!r}")


def press_enter_and_wait(page: Page) -> None:
    with page.expect_navigation():
        page.keyboard.press("Enter")


def test_check_if_we_can_help_with_the_keyboard_alone(page: Page):
    """Given someone who cannot use a mouse, when they answer the check with Tab, Space and Enter, then they always
    see where they are, get an answer, and can go on to refer.

    Radios are the one place the arrow keys are used: a group of radios is a single Tab stop, and the arrows move
    between its options (that is how every browser does it, and what keyboard users expect).
    """
    page.goto("/")
    tab_to(page, "Check if we can help")
    press_enter_and_wait(page)
    expect(page.get_by_role("heading", level=1)).to_have_text("Check if we can help")

    tab_to(page, "Start")
    press_enter_and_wait(page)
    tab_to(page, "Day")
    page.keyboard.type("10")
    tab(page)
    page.keyboard.type("5")
    tab(page)
    page.keyboard.type("2018")
    tab_to(page, "Continue")
    press_enter_and_wait(page)

    tab_to(page, "Not in education")  # the first radio of the group
    arrow(page, "ArrowDown")
    assert arrow(page, "ArrowDown") == "mainstream_school"
    tab_to(page, "Continue")
    press_enter_and_wait(page)

    tab_to(page, "Which GP practice")
    page.keyboard.type("M85001")
    tab_to(page, "Continue")
    press_enter_and_wait(page)

    tab_to(page, "Pencil skills")
    page.keyboard.press("Space")
    tab_to(page, "Continue")
    press_enter_and_wait(page)

    tab_to(page, "GP")
    page.keyboard.press("Space")
    tab_to(page, "Continue")
    press_enter_and_wait(page)

    tab_to(page, "Yes")
    assert arrow(page, "ArrowRight") == "no"
    tab_to(page, "Continue")
    press_enter_and_wait(page)

    tab_to(page, "Yes")
    page.keyboard.press("Space")
    tab_to(page, "Continue")
    press_enter_and_wait(page)

    expect(page.get_by_role("heading", level=1)).to_have_text("We can probably help")
    focus = tab_to(page, "Make a referral")
    assert focus["tag"] == "BUTTON"
    press_enter_and_wait(page)
    expect(page.get_by_text("We have filled in the answers you gave")).to_be_visible()
    tab_to(page, "Start now")
    press_enter_and_wait(page)
    expect(page.get_by_label("Year")).to_have_value("2018")


def test_the_focus_check_itself_finds_a_control_without_a_focus_indicator(page: Page):
    """Guard against a focus check that silently passes everything."""
    page.set_content(
        '<html lang="en"><head><style>button { outline: none } .shown:focus { outline: 3px solid #ffeb3b }</style>'
        '</head><body><main><button class="shown">Shown</button><button>Hidden</button></main></body></html>'
    )

    assert tab(page)["text"] == "Shown"
    with pytest.raises(AssertionError, match="no visible focus"):
        tab(page)
