"""Scanned referral forms: the type comes from the content, the size is limited, and the file is kept safely."""

from __future__ import annotations

import hashlib
import io
import zipfile
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from paedot.core.models import AuditEvent
from paedot.referrals import attachments
from paedot.referrals.attachments import add_attachment, detect_type, sanitise_name
from paedot.referrals.models import ReferralAttachment
from paedot.referrals.services import NotAllowed
from paedot.referrals.tests.factories import make_referral
from paedot.staff.services import issue_api_token

TEN_MB = 10 * 1024 * 1024


def pdf_bytes() -> bytes:
    from pypdf import PdfWriter

    writer = PdfWriter()
    writer.add_blank_page(width=200, height=200)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def docx_bytes() -> bytes:
    import docx

    document = docx.Document()
    document.add_paragraph("Referral to children's occupational therapy")
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def image_bytes(kind: str) -> bytes:
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (4, 4), "white").save(out, format=kind)
    return out.getvalue()


def zip_bytes(names: list[str]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name in names:
            archive.writestr(name, "<x/>")
    return out.getvalue()


DOC_BYTES = bytes.fromhex("D0CF11E0A1B11AE1") + bytes(504)
EXE_BYTES = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + bytes(200)


def upload(content: bytes, name: str = "scan.pdf", content_type: str = "application/pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type=content_type)


@pytest.mark.parametrize(
    ("make", "name", "expected_type", "expected_extension"),
    [
        (pdf_bytes, "referral.pdf", "application/pdf", ".pdf"),
        (
            docx_bytes,
            "referral.docx",
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
            ".docx",
        ),
        (lambda: DOC_BYTES, "referral.doc", "application/msword", ".doc"),
        (lambda: image_bytes("PNG"), "scan.png", "image/png", ".png"),
        (lambda: image_bytes("JPEG"), "scan.jpeg", "image/jpeg", ".jpg"),
        # The name says nothing: a PNG called .pdf is a PNG.
        (lambda: image_bytes("PNG"), "scan.pdf", "image/png", ".png"),
    ],
)
def test_a_file_is_recognised_by_its_content(make, name, expected_type, expected_extension):
    detected = detect_type(upload(make(), name))
    assert detected is not None
    assert (detected.content_type, detected.extension) == (expected_type, expected_extension)


@pytest.mark.parametrize(
    ("content", "name", "content_type"),
    [
        (b"This is a plain text file, not a PDF.\n", "referral.pdf", "application/pdf"),
        (EXE_BYTES, "scan.png", "image/png"),
        (zip_bytes(["notes.txt", "photo.jpg"]), "referral.docx", "application/zip"),
        (zip_bytes(["[Content_Types].xml", "xl/workbook.xml"]), "referral.docx", "application/zip"),
        (b"PK\x03\x04 truncated, not really a zip", "referral.docx", "application/zip"),
        (b"GIF89a" + bytes(40), "scan.png", "image/png"),
    ],
    ids=["text-renamed-pdf", "exe-renamed-png", "zip-not-docx", "spreadsheet", "broken-zip", "gif"],
)
def test_a_file_of_another_type_is_refused_whatever_its_name(db, admin_user, content, name, content_type):
    assert detect_type(upload(content, name, content_type)) is None
    with pytest.raises(ValueError, match=r"^The file must be a PDF, Word document, JPEG or PNG$"):
        add_attachment(
            referral=make_referral(), uploaded_file=upload(content, name, content_type), uploaded_by=admin_user
        )


def test_a_word_document_is_recognised_without_unpacking_it(monkeypatch):
    """Only the ZIP's directory is read, so a ZIP bomb costs nothing to check."""

    def no_unpacking(*args, **kwargs):
        raise AssertionError("an entry was opened")

    word = upload(docx_bytes(), "referral.docx")
    monkeypatch.setattr(zipfile.ZipFile, "open", no_unpacking)
    monkeypatch.setattr(zipfile.ZipFile, "read", no_unpacking)
    assert detect_type(word).extension == ".docx"


def test_a_file_over_10_mb_is_refused(db, admin_user):
    too_big = upload(b"%PDF-1.7\n" + bytes(TEN_MB), "big.pdf")
    with pytest.raises(ValueError, match=r"^The file must be smaller than 10 MB$"):
        add_attachment(referral=make_referral(), uploaded_file=too_big, uploaded_by=admin_user)


def test_a_file_of_exactly_the_limit_is_kept(db, admin_user, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    content = b"%PDF-1.7\n" + bytes(TEN_MB - 9)
    attachment = add_attachment(referral=make_referral(), uploaded_file=upload(content), uploaded_by=admin_user)
    assert attachment.size == TEN_MB


def test_an_empty_file_is_refused(db, admin_user):
    with pytest.raises(ValueError, match=r"^The selected file is empty$"):
        add_attachment(referral=make_referral(), uploaded_file=upload(b""), uploaded_by=admin_user)


@pytest.mark.django_db
def test_an_attachment_is_stored_under_media_root_by_its_hash(admin_user, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    referral = make_referral(source="paper")
    content = pdf_bytes()

    attachment = add_attachment(
        referral=referral,
        uploaded_file=upload(content, "C:\\Scans\\Ayaan\x00 referral.PDF", "text/plain"),
        uploaded_by=admin_user,
    )

    sha = hashlib.sha256(content).hexdigest()
    stored = Path(tmp_path) / "referrals" / "attachments" / sha[:2] / f"{sha}.pdf"
    assert stored.read_bytes() == content
    attachment.refresh_from_db()
    assert attachment.file.name == f"referrals/attachments/{sha[:2]}/{sha}.pdf"
    assert (attachment.sha256, attachment.size) == (sha, len(content))
    assert (attachment.content_type, attachment.extension) == ("application/pdf", ".pdf")
    assert attachment.original_name == "Ayaan referral.PDF"
    assert attachment.uploaded_by == admin_user and attachment.referral == referral
    event = AuditEvent.objects.get(action="referral.attachment_added")
    assert event.actor == admin_user and event.object_id == str(referral.pk)
    assert event.detail["sha256"] == sha and "Ayaan" not in str(event.detail)


@pytest.mark.django_db
def test_the_same_scan_attached_twice_is_stored_once(admin_user, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    content = image_bytes("PNG")
    first = add_attachment(referral=make_referral(), uploaded_file=upload(content, "a.png"), uploaded_by=admin_user)
    second = add_attachment(referral=make_referral(), uploaded_file=upload(content, "b.png"), uploaded_by=admin_user)
    assert first.file.name == second.file.name
    assert len([p for p in Path(tmp_path).rglob("*") if p.is_file()]) == 1


@pytest.mark.parametrize("role", ["ot_user", "ota_user", "team_lead_user", "auditor_user", "partner_user"])
def test_only_clinical_admin_may_attach_a_form(db, request, role, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    user = request.getfixturevalue(role)
    with pytest.raises(NotAllowed):
        add_attachment(referral=make_referral(), uploaded_file=upload(pdf_bytes()), uploaded_by=user)
    assert not ReferralAttachment.objects.exists()


@pytest.mark.parametrize(
    ("given", "kept"),
    [
        ("referral.pdf", "referral.pdf"),
        ("../../etc/passwd", "passwd"),
        ("C:\\Users\\admin\\scan 1.jpg", "scan 1.jpg"),
        ('<img src=x onerror="alert(1)">.png', "_img src_x onerror__alert(1)__.png"),
        ("scan\u202egnp.pdf", "scangnp.pdf"),
        ("   ", "scanned-form"),
        ("a" * 300 + ".pdf", "a" * 196 + ".pdf"),
    ],
)
def test_the_original_name_is_kept_safe(given, kept):
    assert sanitise_name(given) == kept


# Downloading -------------------------------------------------------------------------------------------------


@pytest.fixture
def stored(db, admin_user, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return add_attachment(
        referral=make_referral(source="paper"),
        uploaded_file=upload(image_bytes("PNG"), "scan of referral.pdf", "application/pdf"),
        uploaded_by=admin_user,
    )


@pytest.mark.parametrize("role", ["admin_user", "ot_user", "ota_user", "team_lead_user", "auditor_user"])
def test_staff_who_may_see_referrals_may_download_a_scan(client, request, role, stored):
    client.force_login(request.getfixturevalue(role))
    response = client.get(f"/staff/paper-referrals/attachments/{stored.pk}")

    assert response.status_code == 200
    assert b"".join(response.streaming_content) == image_bytes("PNG")
    assert response["Content-Type"] == "image/png"
    assert response["Content-Disposition"] == 'attachment; filename="scan of referral.png"'
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Cache-Control"] == "no-store"


def test_a_partner_system_may_not_download_a_scan(client, partner_user, stored):
    client.force_login(partner_user)
    assert client.get(f"/staff/paper-referrals/attachments/{stored.pk}").status_code == 403


def test_a_system_admin_may_not_download_a_scan(client, system_admin_user, stored):
    client.force_login(system_admin_user)
    assert client.get(f"/staff/paper-referrals/attachments/{stored.pk}").status_code == 403


def test_signing_in_is_needed_to_download_a_scan(client, stored):
    response = client.get(f"/staff/paper-referrals/attachments/{stored.pk}")
    assert response.status_code == 302 and "/staff/" in response["Location"]


def test_an_unknown_attachment_is_not_found(client, auditor_user, stored):
    client.force_login(auditor_user)
    assert client.get(f"/staff/paper-referrals/attachments/{stored.pk + 1}").status_code == 404


# Adding a scan to a referral already in the system --------------------------------------------------------------


def test_clinical_admin_attaches_a_scan_to_an_existing_referral(client, admin_user, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    referral = make_referral(source="email")
    client.force_login(admin_user)
    assert client.get(f"/staff/paper-referrals/{referral.reference}/attach").status_code == 200

    response = client.post(
        f"/staff/paper-referrals/{referral.reference}/attach", {"file": upload(docx_bytes(), "email.docx")}
    )

    assert response.status_code == 302 and response["Location"] == f"/staff/referrals/{referral.reference}"
    attachment = referral.attachments.get()
    assert attachment.extension == ".docx" and attachment.uploaded_by == admin_user


def test_a_wrong_file_on_the_attach_page_is_explained(client, admin_user, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    referral = make_referral()
    client.force_login(admin_user)

    response = client.post(
        f"/staff/paper-referrals/{referral.reference}/attach", {"file": upload(b"just text", "scan.pdf")}
    )

    assert response.status_code == 200
    page = response.content.decode()
    assert "There is a problem" in page and attachments.WRONG_TYPE in page
    assert not referral.attachments.exists()


def test_the_attach_page_asks_for_a_file(client, admin_user):
    referral = make_referral()
    client.force_login(admin_user)
    response = client.post(f"/staff/paper-referrals/{referral.reference}/attach", {})
    assert response.status_code == 200 and "Select the scanned referral form" in response.content.decode()


@pytest.mark.parametrize("role", ["ot_user", "auditor_user"])
def test_other_roles_may_not_attach_a_scan(client, db, request, role):
    referral = make_referral()
    client.force_login(request.getfixturevalue(role))
    assert client.get(f"/staff/paper-referrals/{referral.reference}/attach").status_code == 403


def test_attaching_to_an_unknown_referral_is_not_found(client, admin_user):
    client.force_login(admin_user)
    assert client.get("/staff/paper-referrals/OT-AAAA-BBBB/attach").status_code == 404


# The API --------------------------------------------------------------------------------------------------------


def api_post(client, reference: str, token: str | None, files: dict):
    headers = {"HTTP_AUTHORIZATION": f"Bearer {token}"} if token else {}
    return client.post(f"/api/referrals/{reference}/attachments", files, **headers)


@pytest.fixture
def admin_token(admin_user):
    return issue_api_token(user=admin_user, name="admin scripts")


def test_the_api_attaches_a_scan(client, admin_token, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    referral = make_referral(source="paper")
    content = pdf_bytes()

    # A PDF sent as "x.png" with an image content type: the content decides.
    sent = upload(content, "x.png", "image/png")
    response = api_post(client, referral.reference.lower(), admin_token, {"file": sent})

    assert response.status_code == 201, response.content
    body = response.json()
    attachment = referral.attachments.get()
    assert body == {
        "id": attachment.pk,
        "content_type": "application/pdf",
        "size": len(content),
        "sha256": hashlib.sha256(content).hexdigest(),
    }


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"not a scan", "The file must be a PDF, Word document, JPEG or PNG"),
        (b"%PDF-1.4\n" + bytes(TEN_MB), "The file must be smaller than 10 MB"),
        (b"", "The selected file is empty"),
    ],
    ids=["wrong-type", "too-big", "empty"],
)
def test_the_api_refuses_a_bad_file_with_a_400_naming_the_field(client, admin_token, content, message):
    referral = make_referral()
    response = api_post(client, referral.reference, admin_token, {"file": upload(content)})

    assert response.status_code == 400
    body = response.json()
    assert body["errors"] == [{"field": "file", "message": message}]
    assert message in body["message"]
    assert not referral.attachments.exists()


def test_the_api_needs_a_file(client, admin_token):
    referral = make_referral()
    response = api_post(client, referral.reference, admin_token, {})
    assert response.status_code == 400
    # Ninja puts the location ("file") before the field name; paedot.config.api strips body/query/path only.
    assert response.json()["errors"][0]["field"] == "file"


def test_the_api_needs_a_token(client, db):
    referral = make_referral()
    assert api_post(client, referral.reference, None, {"file": upload(pdf_bytes())}).status_code == 401


def test_the_api_refuses_other_roles(client, ot_user, partner_token):
    referral = make_referral()
    ot_token = issue_api_token(user=ot_user, name="ot")
    assert api_post(client, referral.reference, ot_token, {"file": upload(pdf_bytes())}).status_code == 403
    # A partner system cannot see a referral it did not send, so for it the referral does not exist.
    assert api_post(client, referral.reference, partner_token, {"file": upload(pdf_bytes())}).status_code == 404


def test_a_partner_system_may_not_attach_a_scan_to_a_referral_it_sent(client, partner_user, partner_token):
    from paedot.referrals.services import receive_referral
    from paedot.referrals.tests.factories import submission

    referral = receive_referral(submission=submission(), source="api", submitted_by=partner_user, acknowledge=False)
    assert api_post(client, referral.reference, partner_token, {"file": upload(pdf_bytes())}).status_code == 403


def test_the_api_says_an_unknown_referral_is_not_found(client, admin_token):
    assert api_post(client, "OT-AAAA-BBBB", admin_token, {"file": upload(pdf_bytes())}).status_code == 404
