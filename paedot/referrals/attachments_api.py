"""Scanned referral forms in the API: the same check and storage as the staff page (paedot.referrals.attachments)."""

from __future__ import annotations

from django.http import HttpRequest
from ninja import File, Router, Schema, Status
from ninja.files import UploadedFile

from paedot.config.api import BearerToken
from paedot.config.api_errors import bad_request
from paedot.referrals.api import find_referral
from paedot.referrals.attachments import add_attachment
from paedot.referrals.schemas import ErrorOut
from paedot.staff.rules import Action

router = Router(tags=["Referrals"])


class AttachmentOut(Schema):
    id: int
    content_type: str
    size: int
    sha256: str


@router.post(
    "/referrals/{reference}/attachments",
    auth=BearerToken(),
    response={201: AttachmentOut, 400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut},
    summary="Attach a scanned referral form",
)
def attach_scanned_form(request: HttpRequest, reference: str, file: File[UploadedFile]):
    """Send the file as multipart/form-data in the field `file`: a PDF, Word document (.docx or .doc), JPEG or PNG,
    up to 10 MB. The type is read from the file's content; its name and declared content type are not trusted."""
    referral = find_referral(request, reference, action=Action.ENTER_PAPER_REFERRAL)
    try:
        attachment = add_attachment(referral=referral, uploaded_file=file, uploaded_by=request.auth)
    except ValueError as error:
        raise bad_request("file", str(error)) from error
    return Status(
        201,
        {
            "id": attachment.pk,
            "content_type": attachment.content_type,
            "size": attachment.size,
            "sha256": attachment.sha256,
        },
    )
