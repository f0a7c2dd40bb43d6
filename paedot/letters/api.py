"""Letters to post in the API, with the page's permissions: list the letters to post (or those posted), record that
one was posted, or that it was not posted after all (with the reason)."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from django.core.paginator import Paginator
from django.http import HttpRequest
from django.urls import reverse
from ninja import Query, Router, Schema
from ninja.errors import HttpError
from pydantic import Field, StringConstraints

from paedot.config.api import BearerToken
from paedot.letters import posting
from paedot.letters.models import Letter
from paedot.letters.posting import PostingState
from paedot.referrals.services.journey import NotAllowed
from paedot.staff.rules import Action, may, refusal

router = Router(tags=["Letters"])

PAGE_SIZE = 100


class LettersToPostQuery(Schema):
    state: PostingState = Field(
        PostingState.TO_POST, description="`to_post`: issued, not yet posted, oldest first; `posted`: latest first"
    )
    page: Annotated[int, Field(ge=1)] = 1


class LetterRecipientOut(Schema):
    role: str = Field(description="family, referrer, gp, school or other")
    name: str
    address: str


class LetterPostingOut(Schema):
    id: int
    referral: str = Field(description="The referral's reference")
    kind: str
    subject: str
    recipients: list[LetterRecipientOut] = Field(description="A printed copy goes to each")
    issued_at: dt.datetime
    issued_by: str | None = Field(description="The username of who issued it; none when the system did")
    posted: bool
    posted_at: dt.datetime | None
    posted_by: str | None = Field(description="The username of who recorded it posted")
    posted_before_recording: bool = Field(
        description="Issued before posting was recorded: counted as posted when issued, by nobody named"
    )
    pdf: str = Field(description="Where staff print it")


class LetterPostingPage(Schema):
    count: int
    page: int
    pages: int
    letters: list[LetterPostingOut]


class LetterPostedOut(LetterPostingOut):
    recorded: bool = Field(description="False when it was already posted: nothing changed")
    message: str


class LetterNotPostedIn(Schema):
    reason: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=1000)] = Field(
        description="Why it was not posted after all (kept in the audit trail)"
    )


def _out(letter: Letter) -> dict:
    return {
        "id": letter.pk,
        "referral": letter.referral.reference,
        "kind": letter.kind,
        "subject": letter.subject,
        "recipients": [
            {"role": str(r.get("role", "")), "name": str(r.get("name") or ""), "address": str(r.get("address") or "")}
            for r in letter.recipients
        ],
        "issued_at": letter.created_at,
        "issued_by": letter.issued_by.get_username() if letter.issued_by_id and letter.issued_by else None,
        "posted": letter.is_posted,
        "posted_at": letter.posted_at,
        "posted_by": letter.posted_by.get_username() if letter.posted_by_id and letter.posted_by else None,
        "posted_before_recording": letter.posted_before_recording,
        "pdf": reverse("letters:download_letter", args=[letter.pk]),
    }


def _require(user, action: Action) -> None:
    if not may(user, action):
        raise NotAllowed(refusal(action))


def _found(user, letter_id: int) -> Letter:
    _require(user, Action.RECORD_LETTER_POSTED)
    letter = posting.find_letter(user, letter_id)
    if letter is None:
        raise HttpError(404, "No such letter, or it is about a child whose record you may not open.")
    return letter


@router.get(
    "/letters",
    auth=BearerToken(),
    response={200: LetterPostingPage, 400: dict, 401: dict, 403: dict},
    summary="Letters to post",
)
def list_letters(request: HttpRequest, query: Query[LettersToPostQuery]):
    """Letters issued and not yet posted, oldest first (`state=to_post`, the default), or those posted, the latest
    first (`state=posted`); 100 a page, without their text. Clinical admin staff and team leads get every letter of
    the children they may open; OTs and OT assistants the letters they issued."""
    _require(request.auth, Action.RECORD_LETTER_POSTED)
    page = Paginator(posting.list_letters(request.auth, state=query.state), PAGE_SIZE).get_page(query.page)
    return {
        "count": page.paginator.count,
        "page": page.number,
        "pages": page.paginator.num_pages,
        "letters": [_out(letter) for letter in page.object_list],
    }


@router.post(
    "/letters/{letter_id}/posted",
    auth=BearerToken(),
    response={200: LetterPostedOut, 401: dict, 403: dict, 404: dict},
    summary="Record a letter as posted",
)
def record_letter_posted(request: HttpRequest, letter_id: int):
    """Record that the letter was printed and a copy posted to each recipient, now, by you. Marking a letter already
    posted changes nothing and says who posted it and when (`recorded` false). Clinical admin staff and team leads
    may record any letter; OTs and OT assistants only letters they issued. Audited."""
    letter = _found(request.auth, letter_id)
    done = posting.record_letter_posted(letter=letter, posted_by=request.auth)
    return {**_out(done.letter), "recorded": done.recorded, "message": done.message}


@router.post(
    "/letters/{letter_id}/not-posted",
    auth=BearerToken(),
    response={200: LetterPostingOut, 400: dict, 401: dict, 403: dict, 404: dict, 409: dict},
    summary="Record a letter as not posted after all",
)
def record_letter_not_posted(request: HttpRequest, letter_id: int, body: LetterNotPostedIn):
    """Undo a wrong mark: the letter goes back on the list to post. 409 for a letter not recorded as posted. The
    reason, and who had recorded it posted, are audited. Who may: as for recording it posted."""
    letter = _found(request.auth, letter_id)
    undone = posting.record_letter_not_posted(letter=letter, reason=body.reason, recorded_by=request.auth)
    return _out(undone)
