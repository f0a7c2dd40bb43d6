"""The permission table as a page: every action against every role, straight from staff/rules.py."""

from __future__ import annotations

import html
import re

import pytest

from paedot.staff.models import Role
from paedot.staff.presenters import ACTION_WORDS
from paedot.staff.rules import ALLOWED, REFUSALS, Action
from paedot.staff.services import create_staff_user
from paedot.staff.tests.factories import PASSWORD, verified_client, with_app

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("two_factor_on")]

PAGE = "/staff/permissions"


@pytest.fixture
def page(ot_user, clock) -> str:
    return verified_client(ot_user, with_app(ot_user)[0], clock).get(PAGE).content.decode()


def row(page: str, action: Action) -> str:
    """One action's row, its text unescaped (the page escapes apostrophes)."""
    return html.unescape(
        re.search(rf'<tr class="nhsuk-table__row" id="action-{action.value}">(.*?)</tr>', page, re.S)[1]
    )


def test_every_action_has_plain_words():
    assert set(ACTION_WORDS) == set(Action)
    assert all(words[0].isupper() and "_" not in words for words in ACTION_WORDS.values())


def test_the_page_lists_every_action_in_plain_words(page):
    for action in Action:
        assert ACTION_WORDS[action] in row(page, action)


def test_ticks_follow_the_table_for_every_role_and_action(page):
    for action in Action:
        cells = re.findall(r'<td class="nhsuk-table__cell">(.*?)</td>', row(page, action), re.S)
        said = [">Yes<" in cell and "✓" in cell for cell in cells]
        assert said == [role in ALLOWED[action] for role in Role], action


def test_a_refusal_is_shown_with_its_action(page):
    for action, sentence in REFUSALS.items():
        assert sentence in row(page, action)


def test_the_table_has_a_caption_and_headers_for_rows_and_columns(page):
    assert '<caption class="nhsuk-table__caption" id="permissions-caption">' in page
    assert page.count('<th scope="col"') == len(Role) + 1
    assert page.count('<th scope="row"') == len(Action)
    for role in Role:
        assert f'<th scope="col" class="nhsuk-table__header">{role.label}</th>' in page


@pytest.mark.parametrize("role", [role for role in Role if role != Role.PARTNER_SYSTEM])
def test_every_staff_role_may_see_it(role, clock):
    user = create_staff_user(username=f"user-{role}", role=role, password=PASSWORD)
    response = verified_client(user, with_app(user)[0], clock).get(PAGE)
    assert response.status_code == 200
    assert f"Your role is {Role(role).label}" in response.content.decode()


def test_signed_out_people_and_unverified_sessions_do_not_see_it(client, ot_user):
    assert client.get(PAGE)["Location"].startswith("/staff/sign-in")
    with_app(ot_user)
    client.force_login(ot_user)
    assert client.get(PAGE)["Location"].startswith("/staff/two-factor/verify")


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("role", "lands_on"),
    [("ot", "/staff/referrals/"), ("commissioner", "/staff/reports/"), ("system_admin", "/staff/audit/")],
)
def test_after_signing_in_each_role_lands_on_a_page_it_may_open(client, settings, role, lands_on):
    from paedot.staff.services import create_staff_user

    settings.STAFF_TWO_FACTOR = False  # the landing page is the point here; the code step has its own tests
    create_staff_user(username=f"{role}-home", role=role, password="a-long-test-password-1", full_name="Home Test")
    response = client.post("/staff/sign-in", {"username": f"{role}-home", "password": "a-long-test-password-1"})
    assert response.status_code == 302
    assert response["Location"] == lands_on
    assert client.get(lands_on).status_code == 200
