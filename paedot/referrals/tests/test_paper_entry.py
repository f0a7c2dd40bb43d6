"""Staff enter paper, emailed and phoned referrals through the online form's questions, with the scanned form."""

from __future__ import annotations

import datetime as dt
import re
import threading
from html import unescape

import pytest
from django.contrib.messages import get_messages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone

from paedot.referrals import questions as q
from paedot.referrals.models import Referral
from paedot.referrals.tests.test_attachments import image_bytes, pdf_bytes
from paedot.referrals.tests.test_online_form import PAGES

START = "/staff/paper-referrals/"
CHECK = "/staff/paper-referrals/check-your-answers"
SCAN = "/staff/paper-referrals/scanned-form"


@pytest.fixture(autouse=True)
def media_in_tmp(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def arrival(source: str = "paper", received: dt.date | None = None) -> dict[str, str]:
    received = received or timezone.localdate() - dt.timedelta(days=10)
    return {
        "source": source,
        "received_date_day": str(received.day),
        "received_date_month": str(received.month),
        "received_date_year": str(received.year),
    }


def enter(client: Client, *, source: str = "paper", received: dt.date | None = None, **changes) -> None:
    response = client.post(START, arrival(source, received))
    assert response.status_code == 302, unescape(response.content.decode())[:3000]
    for section in q.REFERRAL_FORM:
        data = dict(PAGES[section.slug])
        data.update(changes.get(section.slug.replace("-", "_"), {}))
        response = client.post(f"{START}{section.slug}", data)
        assert response.status_code == 302, (section.slug, unescape(response.content.decode())[:3000])


def token_on_scan_page(client: Client) -> str:
    page = client.get(SCAN).content.decode()
    return re.search(r'name="token" value="([^"]+)"', page).group(1)


def scan(name: str = "referral.pdf", content: bytes | None = None) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, pdf_bytes() if content is None else content, content_type="application/pdf")


@pytest.fixture
def admin_client(client, admin_user):
    client.force_login(admin_user)
    return client


def test_a_paper_referral_is_entered_with_its_received_date_and_scan(admin_client, admin_user):
    received = timezone.localdate() - dt.timedelta(days=10)
    enter(admin_client, source="paper", received=received)

    check_page = unescape(admin_client.get(CHECK).content.decode())
    for expected in ("How the referral arrived", "Paper form", f"{received.day} {received:%B %Y}", "Ayaan"):
        assert expected in check_page
    assert 'href="/staff/paper-referrals/?change=1#id_received_date"' in check_page
    assert "Continue to the scanned form" in check_page
    scan_page = admin_client.get(SCAN).content.decode()
    assert 'enctype="multipart/form-data"' in scan_page and 'type="file"' in scan_page

    response = admin_client.post(SCAN, {"token": token_on_scan_page(admin_client), "file": scan()})

    referral = Referral.objects.select_related("child").get()
    assert response.status_code == 302
    assert response["Location"] == f"/staff/referrals/{referral.reference}"
    assert [str(m) for m in get_messages(response.wsgi_request)] == [
        f"Referral {referral.reference} saved with its scanned form. It is waiting to be screened."
    ]
    assert referral.source == "paper"
    assert referral.received_date == received
    assert referral.submitted_by == admin_user
    assert referral.child.given_name == "Ayaan" and referral.gp_practice_code == "M85001"
    attachment = referral.attachments.get()
    assert attachment.content_type == "application/pdf" and attachment.uploaded_by == admin_user
    assert "paper_referral_draft" not in admin_client.session


def test_sending_twice_makes_one_referral(admin_client):
    enter(admin_client)
    token = token_on_scan_page(admin_client)

    first = admin_client.post(SCAN, {"token": token, "file": scan()})
    second = admin_client.post(SCAN, {"token": token, "file": scan()})

    referral = Referral.objects.get()
    assert first["Location"] == second["Location"] == f"/staff/referrals/{referral.reference}"
    assert referral.attachments.count() == 1


def test_a_late_repeat_of_an_old_submit_keeps_the_next_referral_being_entered(admin_client):
    enter(admin_client)
    old_token = token_on_scan_page(admin_client)
    admin_client.post(SCAN, {"token": old_token, "file": scan()})
    admin_client.post(START, arrival(source="email"))  # the next referral

    repeat = admin_client.post(SCAN, {"token": old_token, "file": scan()})

    assert repeat["Location"] == f"/staff/referrals/{Referral.objects.get().reference}"
    assert admin_client.session["paper_referral_draft"]["pages"]["arrival"]["source"] == ["email"]


def test_a_phoned_referral_needs_no_scan(admin_client):
    enter(admin_client, source="phone")
    page = admin_client.get(SCAN).content.decode()
    assert "optional" in page and 'name="later"' not in page

    response = admin_client.post(SCAN, {"token": token_on_scan_page(admin_client)})

    referral = Referral.objects.get()
    assert response.status_code == 302
    assert referral.source == "phone" and not referral.attachments.exists()


def test_an_emailed_referral_expects_its_scan_or_a_promise_to_add_it_later(admin_client):
    enter(admin_client, source="email")
    token = token_on_scan_page(admin_client)

    refused = admin_client.post(SCAN, {"token": token})
    assert refused.status_code == 200
    assert "Select the scanned referral form, or tick the box to add it later" in unescape(refused.content.decode())
    assert not Referral.objects.exists()

    admin_client.post(SCAN, {"token": token, "later": "yes"})
    referral = Referral.objects.get()
    assert referral.source == "email" and not referral.attachments.exists()


def test_a_scan_of_the_wrong_type_is_refused_and_nothing_is_saved(admin_client):
    enter(admin_client)
    response = admin_client.post(
        SCAN, {"token": token_on_scan_page(admin_client), "file": scan("scan.pdf", b"MZ\x90\x00 a program")}
    )

    page = unescape(response.content.decode())
    assert response.status_code == 200
    assert "There is a problem" in page and "The file must be a PDF, Word document, JPEG or PNG" in page
    assert not Referral.objects.exists()
    assert admin_client.get(CHECK).status_code == 200  # the draft is still there


def test_an_image_scan_is_kept_as_an_image(admin_client):
    enter(admin_client)
    admin_client.post(SCAN, {"token": token_on_scan_page(admin_client), "file": scan("photo.pdf", image_bytes("JPEG"))})
    assert Referral.objects.get().attachments.get().content_type == "image/jpeg"


def test_a_received_date_in_the_future_is_refused(admin_client):
    response = admin_client.post(START, arrival(received=timezone.localdate() + dt.timedelta(days=1)))
    assert response.status_code == 200
    assert "Date received must be today or in the past" in unescape(response.content.decode())


def test_the_arrival_page_asks_how_and_when(admin_client):
    response = admin_client.post(START, {})
    page = unescape(response.content.decode())
    assert "Select an answer: how did the referral arrive?" in page
    assert "Enter date received" in page


def test_a_received_date_before_the_child_was_born_is_caught_at_the_end(admin_client):
    enter(admin_client, received=dt.date(2018, 5, 9))  # the child was born on 10 May 2018

    page = unescape(admin_client.get(CHECK).content.decode())
    assert "The date received must be on or after the child's date of birth" in page
    assert "Continue to the scanned form" not in page
    assert admin_client.get(SCAN)["Location"] == CHECK
    assert admin_client.post(SCAN, {"token": "whatever", "file": scan()})["Location"] == CHECK
    assert not Referral.objects.exists()


def test_a_part_entered_referral_resumes_and_can_be_started_again(admin_client):
    admin_client.post(START, arrival())
    admin_client.post(f"{START}child", PAGES["child"])

    assert admin_client.get(CHECK)["Location"] == f"{START}parent-carer"
    assert "Start a new referral" in admin_client.get(START).content.decode()

    admin_client.post(f"{START}start-again")
    assert admin_client.get(CHECK)["Location"] == START


def test_a_staff_draft_never_mixes_with_a_public_one(admin_client):
    enter(admin_client)
    public_child_page = admin_client.get("/refer/child").content.decode()
    assert "Ayaan" not in public_child_page
    assert admin_client.get("/refer/check-your-answers")["Location"] == "/refer/child"


def test_an_unknown_page_is_not_found(admin_client):
    assert admin_client.get(f"{START}no-such-page").status_code == 404


@pytest.mark.parametrize("role", ["ot_user", "ota_user", "team_lead_user", "auditor_user", "partner_user"])
@pytest.mark.parametrize("path", [START, f"{START}child", CHECK, SCAN])
def test_only_clinical_admin_may_enter_a_referral(client, request, role, path):
    client.force_login(request.getfixturevalue(role))
    assert client.get(path).status_code == 403
    if path != CHECK:  # the check page only shows; nothing is posted to it
        assert client.post(path, {}).status_code == 403


def test_signing_in_is_needed(client, db):
    response = client.get(START)
    assert response.status_code == 302 and response["Location"].startswith("/staff/")


def test_two_clicks_at_the_same_moment_make_one_referral(committed_db):
    """The second click's request runs while the first is still saving."""
    from paedot.staff.services import create_staff_user

    admin = create_staff_user(username="admin-race", role="clinical_admin", password="a-long-test-password-1")
    client = Client()
    client.force_login(admin)
    enter(client)
    token = token_on_scan_page(client)
    barrier = threading.Barrier(2)
    answers = []

    def click():
        from django.db import connection

        try:
            barrier.wait(timeout=10)
            answers.append(client.post(SCAN, {"token": token, "file": scan()})["Location"])
        finally:
            connection.close()

    threads = [threading.Thread(target=click) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    referral = Referral.objects.get()
    assert answers == [f"/staff/referrals/{referral.reference}"] * 2
    assert referral.attachments.count() == 1
