"""The staff outbox in the API, with the page's permissions: list messages (those not sent first), read one, send a
failed one again, or record that the person was told another way."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from django.core.paginator import Paginator
from django.http import HttpRequest
from ninja import Query, Router, Schema
from ninja.errors import HttpError
from pydantic import Field, StringConstraints

from paedot.config.api import BearerToken
from paedot.core.audit import record_view
from paedot.notifications import outbox
from paedot.notifications.models import Channel, Message, MessageStatus
from paedot.referrals.services.journey import NotAllowed
from paedot.staff.rules import Action, may, refusal

router = Router(tags=["Messages"])

PAGE_SIZE = 100


class MessagesQuery(Schema):
    status: MessageStatus | None = None
    channel: Channel | None = None
    page: Annotated[int, Field(ge=1)] = 1


class MessageOut(Schema):
    id: int
    created_at: dt.datetime
    channel: str
    status: str
    recipient: str
    to_parent_carer: bool
    referral: str | None = Field(description="The referral's reference, when the message is about a child")
    attempts: int
    error: str = Field(description="Why the last try failed")
    sent_at: dt.datetime | None
    dealt_with_at: dt.datetime | None


class MessagePage(Schema):
    count: int
    page: int
    pages: int
    messages: list[MessageOut]


class MessageDetailOut(MessageOut):
    subject: str
    body: str
    dealt_with_by: str | None
    dealt_with_reason: str


class MessageReasonIn(Schema):
    reason: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=1000)]


def _out(message: Message) -> dict:
    return {
        "id": message.pk,
        "created_at": message.created_at,
        "channel": message.channel,
        "status": message.status,
        "recipient": message.recipient,
        "to_parent_carer": message.to_parent_carer,
        "referral": message.referral.reference if message.referral_id else None,
        "attempts": message.attempts,
        "error": message.error,
        "sent_at": message.sent_at,
        "dealt_with_at": message.dealt_with_at,
    }


def _detail(message: Message) -> dict:
    return {
        **_out(message),
        "subject": message.subject,
        "body": message.body,
        "dealt_with_by": message.dealt_with_by.get_username() if message.dealt_with_by else None,
        "dealt_with_reason": message.dealt_with_reason,
    }


def _require(user, action: Action) -> None:
    if not may(user, action):
        raise NotAllowed(refusal(action))


def _found(user, message_id: int) -> Message:
    _require(user, Action.VIEW_MESSAGES)
    message = outbox.find_message(user, message_id)
    if message is None:
        raise HttpError(404, "No such message, or it is about a child whose record you may not open.")
    return message


@router.get(
    "/messages", auth=BearerToken(), response={200: MessagePage, 400: dict, 401: dict, 403: dict}, summary="Outbox"
)
def list_messages(request: HttpRequest, query: Query[MessagesQuery]):
    """Emails and texts, those that failed or were kept unsent (no text message service) first, newest first; 100
    a page. Without their text: read one message for that. Only messages about children you may open."""
    _require(request.auth, Action.VIEW_MESSAGES)
    status = query.status.value if query.status else ""
    found = outbox.list_messages(request.auth, status=status, channel=query.channel.value if query.channel else "")
    page = Paginator(found, PAGE_SIZE).get_page(query.page)
    return {
        "count": page.paginator.count,
        "page": page.number,
        "pages": page.paginator.num_pages,
        "messages": [_out(message) for message in page.object_list],
    }


@router.get(
    "/messages/{message_id}",
    auth=BearerToken(),
    response={200: MessageDetailOut, 401: dict, 403: dict, 404: dict},
    summary="One message",
)
def get_message(request: HttpRequest, message_id: int):
    """A message with its text, tries, last error, and who dealt with it. Reading it is recorded in the audit trail."""
    message = _found(request.auth, message_id)
    record_view(request, message, child_id=message.referral.child_id if message.referral_id else None)
    return _detail(message)


@router.post(
    "/messages/{message_id}/resend",
    auth=BearerToken(),
    response={200: MessageDetailOut, 400: dict, 401: dict, 403: dict, 404: dict, 409: dict},
    summary="Send again",
)
def resend_message(request: HttpRequest, message_id: int, body: MessageReasonIn):
    """A failed message (or a text kept unsent) goes back to the queue with its tries reset. 409 for one already
    sent, queued or dealt with. Clinical admin staff and team leads; the reason is audited."""
    message = _found(request.auth, message_id)
    _require(request.auth, Action.ACT_ON_MESSAGES)
    return _detail(outbox.resend_message(message=message, reason=body.reason, resent_by=request.auth))


@router.post(
    "/messages/{message_id}/dealt-with",
    auth=BearerToken(),
    response={200: MessageDetailOut, 400: dict, 401: dict, 403: dict, 404: dict, 409: dict},
    summary="Mark as dealt with",
)
def mark_dealt_with(request: HttpRequest, message_id: int, body: MessageReasonIn):
    """Record that the person was told another way (a phone call, a letter): the message is no longer one to act on.
    409 for one sent or queued. Clinical admin staff and team leads; the reason is audited."""
    message = _found(request.auth, message_id)
    _require(request.auth, Action.ACT_ON_MESSAGES)
    return _detail(outbox.mark_dealt_with(message=message, reason=body.reason, dealt_with_by=request.auth))
