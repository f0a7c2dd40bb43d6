"""The paper referral forms, to download from the public pages (and print from the staff inbox)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.views.decorators.http import require_safe

from paedot.public.models import ServiceDetails
from paedot.referrals import paper_forms

DOCX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


@require_safe
def referral_form_pdf(request: HttpRequest) -> HttpResponse:
    content = paper_forms.referral_form_pdf(service=ServiceDetails.current())
    return _attachment(content, "application/pdf", f"{paper_forms.FILENAME}.pdf")


@require_safe
def referral_form_docx(request: HttpRequest) -> HttpResponse:
    content = paper_forms.referral_form_docx(service=ServiceDetails.current())
    return _attachment(content, DOCX_CONTENT_TYPE, f"{paper_forms.FILENAME}.docx")


def _attachment(content: bytes, content_type: str, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
