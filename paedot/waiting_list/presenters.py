"""How a waiting referral reads: days and weeks waited, the band, and whether it stands out."""

from __future__ import annotations

import datetime as dt

from paedot.core.dates import age_text
from paedot.referrals.models import Referral
from paedot.triage.presenters import priority_tag
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


# The staff pages -------------------------------------------------------------------------------------------------

# Long waits stand out by colour and by words (WCAG: never colour alone).
LONG_WAIT = {
    "18-52": ("nhsuk-tag--orange", "Waiting over 18 weeks"),
    "52+": ("nhsuk-tag--red", "Waiting over 52 weeks"),
}


def band_tag(band: str) -> dict[str, str]:
    classes, words = LONG_WAIT.get(band, ("nhsuk-tag--white", ""))
    hidden = f'<span class="nhsuk-u-visually-hidden">{words}: </span>' if words else ""
    return {"html": f"{hidden}{band} weeks", "classes": classes}


def page_row(referral: Referral, today: dt.date) -> dict:
    """A waiting-list row as the staff page shows it: the API's fields, plus who, where and how old."""
    row = waiting_row(referral, today)
    return {
        **row,
        "referral": referral,
        "age": age_text(referral.child.date_of_birth, today),
        "priority_tag": priority_tag(referral.priority),
        "band_tag": band_tag(row["band"]),
        "long_wait": LONG_WAIT.get(row["band"], ("", ""))[1],
    }


def csv_row(referral: Referral, today: dt.date) -> list:
    """A row of the CSV export: no names, NHS numbers or dates of birth (the age band is enough to plan with)."""
    row = waiting_row(referral, today)
    return [
        row["reference"],
        row["priority"],
        row["pathway"],
        referral.first_setting,
        row["locality"],
        row["received_date"],
        row["days_waiting"],
        row["weeks_waiting"],
        row["band"],
        row["status"],
        referral.clinician.display_name if referral.clinician else "",
        rules.age_band_for(referral.child.date_of_birth, today),
    ]


CSV_HEADER = [
    "reference",
    "priority",
    "pathway",
    "setting",
    "locality",
    "received_date",
    "days_waiting",
    "weeks_waiting",
    "band",
    "status",
    "clinician",
    "age_band",
]
