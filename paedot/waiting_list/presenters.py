"""How a waiting referral reads: days and weeks waited, the band, and whether it stands out."""

from __future__ import annotations

import datetime as dt

from paedot.referrals.models import Referral
from paedot.waiting_list import rules


def waiting_row(referral: Referral, today: dt.date) -> dict:
    days = rules.days_waiting(referral.received_date, today)
    band = rules.band_for(days)
    return {
        "reference": referral.reference,
        "priority": referral.priority,
        "pathway": referral.pathway,
        "received_date": referral.received_date.isoformat(),
        "days_waiting": days,
        "weeks_waiting": rules.weeks_waiting(days),
        "band": band,
        "locality": referral.locality,
        "status": referral.status,
        "stands_out": band in rules.LONG_WAIT_BANDS,
    }
