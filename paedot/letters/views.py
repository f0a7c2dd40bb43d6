"""A letter as the family received it: the PDF made from the HTML kept when it was issued."""

from __future__ import annotations

import logging

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, render

from paedot.core.audit import record_view
from paedot.letters.models import Letter
from paedot.letters.services import letter_pdf
from paedot.referrals.models import Referral
from paedot.staff.rules import Action, may, refusal

logger = logging.getLogger(__name__)


@login_required
def download_letter(request, letter_id: int):
    if not may(request.user, Action.VIEW_REFERRALS):
        raise PermissionDenied
    letter = get_object_or_404(
        Letter.objects.filter(referral__in=Referral.objects.visible_to(request.user)), pk=letter_id
    )
    if letter.is_clinical and not may(request.user, Action.VIEW_CLINICAL_RECORD):
        raise PermissionDenied(refusal(Action.VIEW_CLINICAL_RECORD))
    record_view(request, letter, child_id=letter.referral.child_id)
    try:
        pdf = letter_pdf(letter)
    except Exception as error:  # any failure of the PDF renderer: the letter is kept; say so, not a bare 500
        # The letter's id and the error's class only: the error's text may quote the letter.
        logger.error("Letter %s could not be made into a PDF: %s", letter.pk, type(error).__name__)
        response = render(
            request,
            "letters/print_failed.jinja",
            {"letter": letter, "page_title": "The letter could not be printed"},
            status=503,
        )
        response["Retry-After"] = "60"
        response["Cache-Control"] = "no-store"
        return response
    response = HttpResponse(pdf, content_type="application/pdf")
    # The file name carries the reference and the kind, never the child's name.
    response["Content-Disposition"] = f'inline; filename="{letter.referral.reference}-{letter.kind}-{letter.pk}.pdf"'
    response["Cache-Control"] = "no-store"
    return response
