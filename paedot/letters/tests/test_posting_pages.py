"""The "Letters to post" page: the letters still to go out, oldest first, for the people who post them; marked posted
one at a time or in a batch; a wrong mark undone with a reason; restricted and other localities' letters hidden."""

from __future__ import annotations

import pytest
from django.test import Client

from paedot.core.models import AuditEvent
from paedot.letters.models import Letter
from paedot.letters.tests.factories import FAMILY, GP, REFERRER, ago, letter, person
from paedot.referrals.models import Referral
from paedot.restricted_records.services import restrict_record

pytestmark = pytest.mark.django_db

URL = "/staff/letters/"
POSTED = "/staff/letters/posted"


def listed_ids(page: str, *letters: Letter) -> list[int]:
    positions = {x.pk: page.index(f'id="letter-{x.pk}"') for x in letters if f'id="letter-{x.pk}"' in page}
    return sorted(positions, key=positions.get)


def row_of(page: str, found: Letter) -> str:
    row = page[page.index(f'id="letter-{found.pk}"') :]
    return row[: row.index("</tr>")]


def test_the_letters_to_post_are_listed_oldest_first_with_what_staff_need_to_post_them(client, admin_user, ot_user):
    newer = letter(issued_by=ot_user, issued_at=ago(hours=2), recipients=[FAMILY, REFERRER, GP], subject="Discharge")
    older = letter(issued_at=ago(days=3))
    posted = letter(posted_by=admin_user)
    client.force_login(admin_user)

    response = client.get(URL)

    assert response.status_code == 200
    page = response.content.decode()
    assert "<h1>Letters to post</h1>" in page
    assert listed_ids(page, newer, older, posted) == [older.pk, newer.pk]
    assert '<p id="letters-count">2 letters to post</p>' in page
    row = row_of(page, newer)
    assert f'href="/staff/referrals/{newer.referral.reference}"' in row
    assert f'href="/staff/letters/{newer.pk}.pdf"' in row and "Discharge (PDF)" in row and "Appointment" in row
    assert "Parent or carer: Sara Testchild, 1 Soho Road, Birmingham, B21 9RY" in row
    assert "Referrer: Dr Jo Example, Example Surgery" in row and "GP: The GP, Example Surgery, M85001" in row
    assert f"by {ot_user.display_name}" in row
    assert 'name="letter"' in row and f'type="submit" value="{newer.pk}"' in row and "Mark as posted" in row
    assert f'id="letters-{newer.pk}" name="letters" type="checkbox" value="{newer.pk}"' in row
    assert "by The system" in row_of(page, older)
    assert 'action="/staff/letters/posted"' in page and 'name="csrfmiddlewaretoken"' in page
    assert "Mark the ticked letters as posted" in page


def test_a_letters_own_button_marks_only_that_letter_even_with_others_ticked(client, admin_user):
    one, ticked = letter(), letter()
    client.force_login(admin_user)

    response = client.post(POSTED, {"letter": one.pk, "letters": [ticked.pk]})

    assert response.status_code == 302 and response["Location"] == URL + "?state=to_post"
    assert Letter.objects.get(pk=one.pk).posted_by == admin_user
    assert not Letter.objects.get(pk=ticked.pk).is_posted
    page = client.get(response["Location"]).content.decode()
    assert "1 letter recorded as posted." in page
    assert listed_ids(page, one, ticked) == [ticked.pk]


def test_the_ticked_letters_are_marked_posted_together(client, team_lead_user):
    batch, left = [letter(), letter(), letter()], letter()
    client.force_login(team_lead_user)

    response = client.post(POSTED, {"letters": [x.pk for x in batch]})

    assert response.status_code == 302
    assert Letter.objects.filter(posted_by=team_lead_user).count() == 3
    assert not Letter.objects.get(pk=left.pk).is_posted
    assert AuditEvent.objects.filter(action="letter.posted").count() == 3
    assert "3 letters recorded as posted." in client.get(response["Location"]).content.decode()


def test_marking_a_letter_someone_else_has_just_posted_says_so_and_changes_nothing(client, admin_user, team_lead_user):
    already = letter(posted_by=team_lead_user)
    client.force_login(admin_user)

    response = client.post(POSTED, {"letter": already.pk}, follow=True)

    page = response.content.decode()
    assert f"Already recorded as posted by {team_lead_user.display_name} on " in page
    assert "recorded as posted." not in page.split("Already")[0]
    assert Letter.objects.get(pk=already.pk).posted_by == team_lead_user


def test_nothing_ticked_is_an_error_on_the_page(client, admin_user):
    waiting = letter()
    client.force_login(admin_user)

    response = client.post(POSTED, {})

    assert response.status_code == 400
    page = response.content.decode()
    assert "There is a problem" in page
    assert "Tick the letters you have posted, or use a letter&#39;s own button" in page
    assert f'href="#letters-{waiting.pk}"' in page
    assert "<title>Error: Letters to post" in page


def test_a_letter_that_is_not_a_number_is_an_error(client, admin_user):
    client.force_login(admin_user)
    assert client.post(POSTED, {"letters": ["12; DROP"]}).status_code == 400


def test_the_form_needs_its_csrf_token(admin_user):
    waiting = letter()
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(admin_user)

    assert browser.post(POSTED, {"letter": waiting.pk}).status_code == 403
    assert not Letter.objects.get(pk=waiting.pk).is_posted


def test_a_restricted_childs_letters_are_hidden_and_cannot_be_marked_by_staff_not_named(client, team_lead_user):
    named, other = person("clinical_admin", "admin-named"), person("clinical_admin", "admin-other")
    hidden, shown = letter(), letter()
    restrict_record(child=hidden.referral.child, reason="Safeguarding.", named_staff=[named], by=team_lead_user)

    client.force_login(other)
    page = client.get(URL).content.decode()
    assert listed_ids(page, hidden, shown) == [shown.pk]
    assert hidden.referral.reference not in page
    assert client.post(POSTED, {"letters": [shown.pk, hidden.pk]}).status_code == 404
    assert not Letter.objects.filter(pk__in=[hidden.pk, shown.pk], posted_at__isnull=False).exists()

    client.force_login(named)
    assert listed_ids(client.get(URL).content.decode(), hidden, shown) == [hidden.pk, shown.pk]


def test_another_localitys_letters_are_hidden_from_staff_who_work_in_one(client):
    north_admin = person("clinical_admin", "admin-north", localities=["North"])
    north, south = letter(), letter()
    Referral.objects.filter(pk=north.referral_id).update(locality="North")
    Referral.objects.filter(pk=south.referral_id).update(locality="South")
    client.force_login(north_admin)

    page = client.get(URL).content.decode()

    assert listed_ids(page, north, south) == [north.pk]
    assert client.post(POSTED, {"letter": south.pk}).status_code == 404


def test_an_ot_sees_and_marks_the_letters_they_issued_only(client, ot_user):
    own, theirs = letter(issued_by=ot_user), letter(issued_by=person("ot", "ot-colleague"))
    client.force_login(ot_user)

    page = client.get(URL).content.decode()
    assert listed_ids(page, own, theirs) == [own.pk]
    assert "You see the letters you issued yourself." in page
    assert client.post(POSTED, {"letter": theirs.pk}).status_code == 403
    assert client.post(POSTED, {"letter": own.pk}).status_code == 302
    assert Letter.objects.get(pk=own.pk).posted_by == ot_user
    assert not Letter.objects.get(pk=theirs.pk).is_posted


@pytest.mark.parametrize("role", ["auditor", "commissioner", "system_admin", "partner_system"])
def test_roles_that_do_not_post_letters_may_not_open_the_list_or_mark_one(client, role):
    waiting = letter()
    client.force_login(person(role, f"{role}-letters"))
    assert client.get(URL).status_code == 403
    assert client.post(POSTED, {"letter": waiting.pk}).status_code == 403
    assert not Letter.objects.get(pk=waiting.pk).is_posted


def test_the_list_is_in_the_staff_navigation_for_those_who_post_letters(client, admin_user, auditor_user):
    client.force_login(admin_user)
    assert f'href="{URL}"' in client.get("/staff/referrals/").content.decode()
    client.force_login(auditor_user)
    assert f'href="{URL}"' not in client.get("/staff/referrals/").content.decode()


@pytest.mark.parametrize("how_many", [2, 12])
def test_the_list_takes_the_same_queries_however_many_letters(client, admin_user, django_assert_num_queries, how_many):
    for i in range(how_many):
        letter(issued_by=person("ot", f"ot-{how_many}-{i}"), recipients=[FAMILY, GP])
    client.force_login(admin_user)

    # Session, user; the count and the page of letters (with their referrals and who issued them joined in).
    with django_assert_num_queries(4):
        response = client.get(URL)

    assert f"{how_many} letters to post" in response.content.decode()


def test_the_list_is_paged_fifty_at_a_time(client, admin_user):
    letters = [letter(issued_at=ago(minutes=100 - i)) for i in range(51)]
    client.force_login(admin_user)

    first = client.get(URL).content.decode()
    second = client.get(URL, {"page": 2}).content.decode()

    assert f'id="letter-{letters[49].pk}"' in first and f'id="letter-{letters[50].pk}"' not in first
    assert f'id="letter-{letters[50].pk}"' in second and "Page 2 of 2" in second
    assert 'href="?state=to_post&amp;page=2"' in first


def test_the_letters_posted_are_listed_latest_first_with_who_posted_them(client, admin_user, team_lead_user):
    earlier = letter(posted_by=team_lead_user, posted_at=ago(days=2))
    later = letter(posted_by=admin_user, posted_at=ago(hours=1))
    before = letter(issued_at=ago(days=90))
    Letter.objects.filter(pk=before.pk).update(posted_at=before.created_at, posted_before_recording=True)
    client.force_login(admin_user)

    page = client.get(URL, {"state": "posted"}).content.decode()

    assert "<h1>Letters posted</h1>" in page
    assert listed_ids(page, earlier, later, before) == [later.pk, earlier.pk, before.pk]
    assert f"by {team_lead_user.display_name}" in row_of(page, earlier)
    assert "issued before posting was recorded" in row_of(page, before)
    assert f'href="/staff/letters/{later.pk}/not-posted"' in row_of(page, later)


def test_a_wrong_mark_is_undone_with_a_reason_and_the_letter_is_back_on_the_list(client, admin_user):
    sent = letter()
    client.force_login(admin_user)
    client.post(POSTED, {"letter": sent.pk})
    undo = f"/staff/letters/{sent.pk}/not-posted"

    form = client.get(undo)
    assert form.status_code == 200
    assert "Not posted after all" in form.content.decode() and "Recorded as posted by" in form.content.decode()
    assert AuditEvent.objects.filter(action="record.viewed", object_id=str(sent.pk)).exists()

    missing = client.post(undo, {"reason": ""})
    assert missing.status_code == 400 and "Say why the letter was not posted after all" in missing.content.decode()
    assert Letter.objects.get(pk=sent.pk).is_posted

    done = client.post(undo, {"reason": "Still in the post tray"})
    assert done.status_code == 302 and done["Location"] == URL + "?state=to_post"
    assert not Letter.objects.get(pk=sent.pk).is_posted
    assert AuditEvent.objects.get(action="letter.not_posted").reason == "Still in the post tray"
    page = client.get(done["Location"]).content.decode()
    assert "back on the list of letters to post" in page and f'id="letter-{sent.pk}"' in page


def test_undoing_a_letter_not_posted_says_there_is_nothing_to_undo(client, admin_user):
    waiting = letter()
    client.force_login(admin_user)
    undo = f"/staff/letters/{waiting.pk}/not-posted"

    assert 'id="not-posted"' in client.get(undo).content.decode()
    refused = client.post(undo, {"reason": "Mistake"})
    assert refused.status_code == 409
    assert "there is nothing to undo" in refused.content.decode()


def test_an_ot_may_not_undo_a_colleagues_posting(client, ot_user, admin_user):
    theirs = letter(issued_by=person("ot", "ot-colleague"), posted_by=admin_user)
    client.force_login(ot_user)
    assert client.get(f"/staff/letters/{theirs.pk}/not-posted").status_code == 403
    assert client.post(f"/staff/letters/{theirs.pk}/not-posted", {"reason": "x"}).status_code == 403
    assert Letter.objects.get(pk=theirs.pk).is_posted


def test_the_referral_page_says_which_letters_are_posted(client, admin_user):
    waiting = letter(subject="Your appointment")
    sent = letter(waiting.referral, posted_by=admin_user)
    client.force_login(admin_user)

    page = client.get(f"/staff/referrals/{waiting.referral.reference}").content.decode()

    mine = page[page.index(f'id="letter-{waiting.pk}"') :]
    assert "<strong>not yet posted</strong>" in mine[: mine.index("</li>")]
    assert f'href="/staff/letters/#letter-{waiting.pk}"' in mine[: mine.index("</li>")]
    theirs = page[page.index(f'id="letter-{sent.pk}"') :]
    assert " posted " in theirs[: theirs.index("</li>")]
