"""Acknowledging a referral by email to the referrer and the parent/carer, where addresses were given."""

from __future__ import annotations

import logging

from django.conf import settings
from django.core.mail import EmailMessage
from django.template.loader import render_to_string

from paedot.core.audit import record_event
from paedot.public.models import ServiceDetails
from paedot.referrals.models import Referral

logger = logging.getLogger(__name__)


def send_acknowledgements(referral_id: int) -> int:
    """Send one email to each address on the referral; returns how many were sent.

    A failure is logged by reference only (no personal data in logs) and audited; the referral is already safe.
    """
    referral = Referral.objects.select_related("child", "parent_carer").get(pk=referral_id)
    service = ServiceDetails.current()  # the phone and address staff have set, not those of when this was written
    recipients = []
    if referral.referrer_email:
        recipients.append(("referrer", referral.referrer_email, referral.referrer_name))
    if referral.parent_carer.email:
        recipients.append(("parent_carer", referral.parent_carer.email, referral.parent_carer.name))
    sent = 0
    for audience, address, name in recipients:
        body = render_to_string(
            "referrals/email/acknowledgement.txt.jinja",
            {"referral": referral, "audience": audience, "recipient_name": name, "service": service},
        )
        message = EmailMessage(
            subject=f"We have received your referral {referral.reference} - {service.name}",
            body=body,
            from_email=settings.DEFAULT_FROM_EMAIL,
            to=[address],
        )
        try:
            sent += message.send()
        except Exception:  # any mail failure: the referral is stored; staff can resend
            logger.warning("Acknowledgement for referral %s to the %s was not sent", referral.reference, audience)
            record_event(action="referral.acknowledgement_failed", target=referral, detail={"to": audience})
        else:
            record_event(action="referral.acknowledged", target=referral, detail={"to": audience})
    return sent
