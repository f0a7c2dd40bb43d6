"""Issuing letters: each app owns its letter templates; this renders them on the service's letterhead and keeps them."""

from __future__ import annotations

from typing import Any

from django.template.loader import render_to_string
from django.utils import timezone

from paedot.core.audit import record_event
from paedot.documents.pdf import render_pdf
from paedot.letters.models import Letter
from paedot.public.models import ServiceDetails
from paedot.referrals.models import Referral


def family_recipient(referral: Referral) -> dict[str, str]:
    parent = referral.parent_carer
    child = referral.child
    address = ", ".join(part for part in (child.address, child.postcode) if part)
    return {
        "role": "family",
        "name": f"Parent or carer of {child.full_name}" if not parent.name else parent.name,
        "address": address,
    }


def referrer_recipient(referral: Referral) -> dict[str, str]:
    where = referral.referrer_organisation or referral.referrer_email
    return {"role": "referrer", "name": referral.referrer_name, "address": where}


def gp_recipient(referral: Referral) -> dict[str, str]:
    return {
        "role": "gp",
        "name": f"The GP, {referral.gp_practice_name or referral.gp_practice_code}",
        "address": referral.gp_practice_code,
    }


def issue_letter(
    *,
    referral: Referral,
    kind: str,
    template: str,
    subject: str,
    recipients: list[dict[str, str]],
    context: dict[str, Any] | None = None,
    issued_by=None,
) -> Letter:
    """Render and keep a letter. Call inside the service's transaction, so the letter and the change land together."""
    service = ServiceDetails.current()
    body = render_to_string(
        template,
        {
            "referral": referral,
            "child": referral.child,
            "service": service,
            "today": timezone.localdate(),
            "recipients": recipients,
            **(context or {}),
        },
    )
    html = render_to_string(
        "letters/letterhead.jinja",
        {
            "body": body,
            "subject": subject,
            "service": service,
            "referral": referral,
            "recipients": recipients,
            "today": timezone.localdate(),
        },
    )
    letter = Letter.objects.create(
        referral=referral,
        kind=kind,
        recipients=recipients,
        subject=subject,
        html=html,
        issued_by=issued_by if getattr(issued_by, "is_authenticated", False) else None,
    )
    record_event(
        action="letter.issued",
        actor=issued_by,
        actor_label="" if issued_by else "system",
        target=referral,
        detail={"letter": letter.pk, "kind": kind, "recipients": [r["role"] for r in recipients]},
    )
    return letter


def letter_pdf(letter: Letter) -> bytes:
    return render_pdf(letter.html)
