"""What the letters-to-post pages show: each letter's recipients in words, who issued it, and whether it was posted."""

from __future__ import annotations

from django.urls import reverse

from paedot.core.presenters import format_datetime
from paedot.letters import rules
from paedot.letters.models import Letter


def recipients(letter: Letter) -> list[str]:
    return [rules.recipient_words(recipient) for recipient in letter.recipients]


def issued_by(letter: Letter) -> str:
    return letter.issued_by.display_name if letter.issued_by_id and letter.issued_by else "The system"


def posted(letter: Letter) -> str:
    """Whether and when it was posted, and by whom, in a sentence."""
    if not letter.is_posted:
        return "Not yet posted"
    if letter.posted_before_recording:
        issued = format_datetime(letter.posted_at)
        return f"Counted as posted when issued ({issued}): issued before posting was recorded"
    who = letter.posted_by.display_name if letter.posted_by_id and letter.posted_by else "someone no longer named"
    return f"Posted {format_datetime(letter.posted_at)} by {who}"


def row(letter: Letter) -> dict:
    return {
        "letter": letter,
        "pdf": reverse("letters:download_letter", args=[letter.pk]),
        "referral_link": reverse("referrals:show_referral", args=[letter.referral.reference]),
        "recipients": recipients(letter),
        "copies": len(letter.recipients),
        "issued_by": issued_by(letter),
        "posted": posted(letter),
        "not_posted_link": reverse("letters:record_not_posted", args=[letter.pk]),
    }
