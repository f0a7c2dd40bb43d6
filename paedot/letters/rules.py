"""Who may record that a letter was posted, and how its posting is put in words: pure functions, no database.

Printing and posting letters is the admin team's work, overseen by the team leads: they may record any letter they
can see. A clinician who prints and posts a letter they issued (an appointment they booked, a report they wrote)
may record that one too, but not a colleague's or one the system issued. Undoing a wrong mark follows the same rule.
The role is checked against staff.rules.ALLOWED first; this checks the person.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from paedot.core.presenters import format_datetime
from paedot.staff.models import Role

# The roles that post the service's letters: every letter they can see is theirs to record.
POSTS_ANY_LETTER = frozenset({Role.CLINICAL_ADMIN, Role.TEAM_LEAD})

NOT_THEIR_LETTER = "not_their_letter"
NOT_POSTED = "not_posted"

# Who posted a letter issued before posting was recorded: the page and the API say so, never a person's name.
BEFORE_RECORDING = "the system, before posting was recorded"

ROLE_WORDS = {
    "family": "Parent or carer",
    "referrer": "Referrer",
    "gp": "GP",
    "school": "School or nursery",
    "other": "Another professional",
}


@dataclass(frozen=True)
class Decision:
    allowed: bool
    code: str = ""
    reason: str = ""


def posts_any_letter(role: str | None) -> bool:
    return role in POSTS_ANY_LETTER


def posting_decision(*, role: str | None, user_id: int | None, issued_by_id: int | None) -> Decision:
    """Whether this person may record this letter as posted (or undo it), given a role that may record letters."""
    if posts_any_letter(role):
        return Decision(True)
    if issued_by_id is not None and issued_by_id == user_id:
        return Decision(True)
    return Decision(
        False,
        NOT_THEIR_LETTER,
        "You may record only letters you issued yourself as posted. The admin team posts the others.",
    )


def undo_decision(*, posted: bool) -> Decision:
    """A letter not recorded as posted has nothing to undo: saying so beats an audit entry about nothing."""
    if posted:
        return Decision(True)
    return Decision(False, NOT_POSTED, "This letter is not recorded as posted: there is nothing to undo.")


def posted_by_words(*, posted_by_name: str | None, before_recording: bool) -> str:
    if before_recording:
        return BEFORE_RECORDING
    return posted_by_name or "someone no longer named"


def already_posted_message(*, posted_at: dt.datetime, posted_by_name: str | None, before_recording: bool) -> str:
    """What someone marking a letter posted again is told: nothing changes, and who did it first."""
    if before_recording:
        return f"Already counted as posted: it was issued on {format_datetime(posted_at)}, before posting was recorded."
    who = posted_by_words(posted_by_name=posted_by_name, before_recording=False)
    return f"Already recorded as posted by {who} on {format_datetime(posted_at)}. Nothing was changed."


def recipient_words(recipient: dict) -> str:
    """One copy's addressee as the list shows it: who they are to the child, their name, and what address we hold."""
    role = ROLE_WORDS.get(str(recipient.get("role", "")), str(recipient.get("role", "")).title() or "Recipient")
    parts = [part for part in (str(recipient.get("name") or ""), str(recipient.get("address") or "")) if part]
    return f"{role}: {', '.join(parts)}" if parts else role
