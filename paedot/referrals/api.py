"""Referrals in the API: submitting one, reading it, and moving it along its journey.

Each endpoint calls the same service function as the staff pages, so the permissions and the journey's rules are
the same: 403 for a role that may not, 404 for an unknown reference, 409 for a move the journey does not allow.
"""

from __future__ import annotations

from typing import Literal

from django.core.paginator import Paginator
from django.http import HttpRequest
from django.utils import timezone
from ninja import Header, Query, Router, Schema, Status
from ninja.errors import HttpError

from paedot.config.api import BearerToken
from paedot.config.api_errors import bad_request
from paedot.core.idempotency import MAX_KEY_LENGTH, IdempotencyConflict, run_once
from paedot.referrals.models import PossibleDuplicate, Referral
from paedot.referrals.presenters import referral_history
from paedot.referrals.rules import may_set_received_date, may_submit_referrals
from paedot.referrals.schemas import (
    DuplicateOut,
    DuplicatePage,
    ErrorOut,
    FlagDuplicateIn,
    NoteIn,
    ReasonIn,
    ReferralIn,
    ReferralOut,
    ReferralReceipt,
    ScreenIn,
    UnmergeIn,
    UnmergeOut,
)
from paedot.referrals.services import (
    ChildDetails,
    NotAllowed,
    ParentCarerDetails,
    ReferralSubmission,
    ReferrerDetails,
    discharge_referral,
    receive_referral,
    record_information_received,
    screen_referral,
)
from paedot.referrals.services.duplicates import (
    LETTERS_UNCHANGED,
    dismiss_duplicate,
    flag_possible_duplicate,
    may_see_both,
    merge_duplicate,
    unmerge_duplicate,
)
from paedot.staff import rules as staff_rules
from paedot.staff.rules import Action, may

router = Router(tags=["Referrals"])


def submission_of(payload: ReferralIn) -> ReferralSubmission:
    """The intake's submission from the API's body; the FHIR intake (paedot.fhir.intake) reads its Bundle into the
    same body and hands it on here, so both doors store a referral the same way."""
    return ReferralSubmission(
        child=ChildDetails(
            given_name=payload.child.given_name,
            family_name=payload.child.family_name,
            date_of_birth=payload.child.date_of_birth,
            nhs_number=payload.child.nhs_number or "",
            address=payload.child.address,
            postcode=payload.child.postcode,
        ),
        parent_carer=ParentCarerDetails(**payload.parent_carer.model_dump()),
        referrer=ReferrerDetails(**payload.referrer.model_dump()),
        gp_practice_code=payload.gp_practice_code,
        education=payload.education,
        difficulties=tuple(dict.fromkeys(payload.difficulties)),
        description=payload.description,
        consent_given=payload.consent_given,
        previous_ot_episode=payload.previous_ot_episode,
        school_urn=payload.school_urn or "",
    )


def _receipt(referral) -> dict:
    decision = referral.eligibility
    return {
        "reference": referral.reference,
        "outcome": decision.outcome,
        "reasons": [
            {"code": r.code, "message": r.message, **({"signposting": r.signposting} if r.signposting else {})}
            for r in decision.reasons.all()
        ],
    }


@router.post(
    "/referrals",
    auth=BearerToken(),
    response={201: ReferralReceipt, 400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 422: ErrorOut},
    exclude_none=True,
    summary="Submit a referral",
)
def submit_referral(
    request: HttpRequest,
    payload: ReferralIn,
    idempotency_key: str | None = Header(None, alias="Idempotency-Key"),
):
    """Every referral is kept: the eligibility outcome and its reasons come back to inform, never to refuse.

    Send an `Idempotency-Key` header to make retries safe: the same key and body return the first answer and
    create nothing new; the same key with a different body gets 422.
    """
    user = request.auth
    if not may_submit_referrals(user):
        raise HttpError(403, "This account may not submit referrals.")
    if (payload.received_date or payload.source) and not may_set_received_date(user):
        raise HttpError(403, "Only clinical admin staff may set received_date or source.")
    today = timezone.localdate()
    received_date = payload.received_date or today
    if received_date > today:
        raise bad_request("received_date", "The received date cannot be in the future")
    if payload.child.date_of_birth > received_date:
        raise bad_request("child.date_of_birth", "The date of birth must be on or before the date of the referral")

    def create() -> tuple[int, dict]:
        referral = receive_referral(
            submission=submission_of(payload),
            source=payload.source or "api",
            received_date=received_date,
            submitted_by=user,
        )
        return 201, _receipt(referral)

    if idempotency_key is None:
        return Status(*create())
    if not idempotency_key.strip() or len(idempotency_key) > MAX_KEY_LENGTH:
        raise HttpError(400, f"Idempotency-Key must be 1 to {MAX_KEY_LENGTH} characters.")
    try:
        status, body = run_once(user=user, key=idempotency_key, payload=payload.model_dump(mode="json"), action=create)
    except IdempotencyConflict as conflict:
        raise HttpError(422, str(conflict)) from conflict
    return Status(status, body)


ACTION_RESPONSES = {200: ReferralOut, 400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut}


def find_referral(request: HttpRequest, reference: str, *, action: Action | None = None) -> Referral:
    """The referral this caller may see, or 404; then 403 if their role may not take the action."""
    user = request.auth
    referral = (
        Referral.objects.visible_to(user)
        .select_related("child", "parent_carer", "eligibility", "clinician", "previous_referral")
        .filter(reference=reference.strip().upper())
        .first()
    )
    if referral is None:
        raise HttpError(404, f"No referral with reference {reference}.")
    if action is not None and not may(user, action):
        from paedot.staff.rules import refusal

        raise NotAllowed(refusal(action))
    return referral


def referral_out(referral: Referral) -> dict:
    referral.refresh_from_db()
    decision = referral.eligibility
    return {
        "reference": referral.reference,
        "status": referral.status,
        "received_date": referral.received_date.isoformat(),
        "source": referral.source,
        "eligibility": {
            "outcome": decision.outcome,
            "policy": decision.policy_id,
            "reasons": [
                {"code": r.code, "message": r.message, **({"signposting": r.signposting} if r.signposting else {})}
                for r in decision.reasons.all()
            ],
        },
        "priority": referral.priority or None,
        "pathway": referral.pathway or None,
        "setting": referral.first_setting or None,
        "locality": referral.locality or None,
        "clinician": referral.clinician.username if referral.clinician else None,
        "previous_referral": referral.previous_referral.reference if referral.previous_referral else None,
        "first_attended": referral.first_attended_on.isoformat() if referral.first_attended_on else None,
        "days_waited": referral.days_waited,
        "history": referral_history(referral),
    }


def perform(call, *, field: str = "reason"):
    """Run a service; its ValueError (bad input) becomes a 400 naming the field."""
    try:
        return call()
    except ValueError as error:
        raise bad_request(field, str(error)) from error


@router.get("/referrals/{reference}", auth=BearerToken(), response=ACTION_RESPONSES, summary="Read a referral")
def read_referral(request: HttpRequest, reference: str):
    """Status, eligibility outcome and reasons, priority, pathway, locality, clinician and the full history.

    Staff roles see every referral; a partner system sees the referrals it sent.
    """
    referral = find_referral(request, reference)
    if not (request.auth.is_partner_system or may(request.auth, Action.VIEW_REFERRALS)):
        raise NotAllowed("This account may not read referrals.")
    return referral_out(referral)


@router.post("/referrals/{reference}/screen", auth=BearerToken(), response=ACTION_RESPONSES, summary="Screen")
def screen(request: HttpRequest, reference: str, payload: ScreenIn):
    """Confirm or override the automatic eligibility outcome: accept, decline (a letter goes to the referrer and
    the family) or request information (a letter says what is missing: the reason)."""
    referral = find_referral(request, reference, action=Action.SCREEN)
    perform(
        lambda: screen_referral(
            referral=referral, decision=payload.decision, reason=payload.reason, screened_by=request.auth
        )
    )
    return referral_out(referral)


@router.post(
    "/referrals/{reference}/information-received",
    auth=BearerToken(),
    response=ACTION_RESPONSES,
    summary="Record that requested information arrived",
)
def information_received(request: HttpRequest, reference: str, payload: NoteIn):
    """The referral returns to `received` for screening again."""
    referral = find_referral(request, reference, action=Action.RECORD_INFORMATION_RECEIVED)
    perform(
        lambda: record_information_received(referral=referral, note=payload.note, recorded_by=request.auth),
        field="note",
    )
    return referral_out(referral)


@router.post("/referrals/{reference}/discharge", auth=BearerToken(), response=ACTION_RESPONSES, summary="Discharge")
def discharge(request: HttpRequest, reference: str, payload: ReasonIn):
    """End the episode from any open state, with a reason; the family, referrer and GP get a letter."""
    referral = find_referral(request, reference, action=Action.DISCHARGE)
    perform(lambda: discharge_referral(referral=referral, reason=payload.reason, discharged_by=request.auth))
    return referral_out(referral)


DUPLICATES_PAGE_SIZE = 100
DUPLICATE_RESPONSES = {200: DuplicateOut, 400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut}


class DuplicatesQuery(Schema):
    state: Literal["open", "merged", "dismissed", "unmerged"] | None = None
    page: int = 1


def _duplicate_out(flag: PossibleDuplicate, *, hidden: bool) -> dict:
    return {
        "id": flag.pk,
        "state": flag.state,
        "strength": flag.strength,
        "referral": flag.referral.reference,
        "existing_referral": flag.existing_referral.reference,
        "existing_referral_hidden": hidden,
        "reasons": [] if hidden else [{"code": r["code"], "message": r["message"]} for r in flag.reasons],
        "created_at": flag.created_at.isoformat(),
        "resolved_by": flag.resolved_by.get_username() if flag.resolved_by else None,
        "resolution_reason": flag.resolution_reason,
        "undone_by": flag.undone_by.get_username() if flag.undone_by else None,
        "undone_at": flag.undone_at.isoformat() if flag.undone_at else None,
        "undo_reason": flag.undo_reason,
    }


def _duplicates_about(user):
    """Flags about referrals this person may open (the flagged one: the other may be a hidden restricted record)."""
    if not may(user, Action.VIEW_REFERRALS):
        raise NotAllowed("This account may not read referrals.")
    return PossibleDuplicate.objects.filter(referral__in=Referral.objects.visible_to(user)).select_related(
        "referral", "existing_referral", "resolved_by", "undone_by"
    )


def _find_duplicate(user, duplicate_id: int) -> PossibleDuplicate:
    flag = _duplicates_about(user).filter(pk=duplicate_id).first()
    if flag is None:
        raise HttpError(404, f"No possible duplicate {duplicate_id}, or not one about a child you may see.")
    return flag


@router.get(
    "/duplicates",
    auth=BearerToken(),
    response={200: DuplicatePage, 401: ErrorOut, 403: ErrorOut},
    summary="List possible duplicates",
)
def list_duplicates(request: HttpRequest, query: Query[DuplicatesQuery]):
    """Possible duplicates about referrals you may open, oldest first; `state=open` for those to decide. When the
    other referral is a restricted record you are not named on, its reasons are left out."""
    flags = _duplicates_about(request.auth).order_by("created_at", "pk")
    if query.state:
        flags = flags.filter(state=query.state)
    page = Paginator(flags, DUPLICATES_PAGE_SIZE).get_page(query.page)
    rows = list(page.object_list)
    others = {flag.existing_referral_id for flag in rows}
    open_to_them = set(Referral.objects.visible_to(request.auth).filter(pk__in=others).values_list("pk", flat=True))
    return {
        "count": page.paginator.count,
        "page": page.number,
        "pages": page.paginator.num_pages,
        "duplicates": [_duplicate_out(f, hidden=f.existing_referral_id not in open_to_them) for f in rows],
    }


@router.get(
    "/duplicates/{duplicate_id}",
    auth=BearerToken(),
    response={200: DuplicateOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut},
    summary="Read a possible duplicate",
)
def read_duplicate(request: HttpRequest, duplicate_id: int):
    flag = _find_duplicate(request.auth, duplicate_id)
    return _duplicate_out(flag, hidden=not may_see_both(request.auth, flag))


@router.post(
    "/referrals/{reference}/possible-duplicates",
    auth=BearerToken(),
    response={201: DuplicateOut, 400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut},
    summary="Flag a possible duplicate",
)
def flag_duplicate(request: HttpRequest, reference: str, payload: FlagDuplicateIn):
    """Flag this referral and another (`other_reference`) as possibly the same child, with why, for the usual
    decision (merge or dismiss). Nothing is merged. The later referral is the one flagged. 400 naming
    `other_reference` when it is not a referral you may open or is this one; 409 when the two are already flagged.
    Admin staff, OTs and team leads."""
    referral = find_referral(request, reference, action=Action.RESOLVE_DUPLICATE)
    try:
        flag = flag_possible_duplicate(
            referral=referral,
            other_reference=payload.other_reference,
            reason=payload.reason,
            flagged_by=request.auth,
        )
    except ValueError as error:
        field = "reason" if str(error).startswith("Give ") else "other_reference"
        raise bad_request(field, str(error)) from error
    flag = PossibleDuplicate.objects.select_related("referral", "existing_referral", "resolved_by", "undone_by").get(
        pk=flag.pk
    )
    return Status(201, _duplicate_out(flag, hidden=False))


@router.post(
    "/duplicates/{duplicate_id}/merge", auth=BearerToken(), response=DUPLICATE_RESPONSES, summary="Merge: same child"
)
def merge(request: HttpRequest, duplicate_id: int, payload: ReasonIn):
    """A person confirms the two referrals are about the same child, with a reason. If the earlier referral is still
    open the new one is closed as a duplicate of it; if it is closed, the new one becomes the child's next episode.
    A restriction on either record then covers both. Admin staff, OTs and team leads who may open both referrals;
    409 when already decided."""
    flag = _find_duplicate(request.auth, duplicate_id)
    if not may(request.auth, Action.RESOLVE_DUPLICATE):
        raise NotAllowed(staff_rules.refusal(Action.RESOLVE_DUPLICATE))
    perform(lambda: merge_duplicate(flag=flag, reason=payload.reason, resolved_by=request.auth))
    flag = PossibleDuplicate.objects.select_related("referral", "existing_referral", "resolved_by", "undone_by").get(
        pk=flag.pk
    )
    return _duplicate_out(flag, hidden=False)


@router.post(
    "/duplicates/{duplicate_id}/dismiss",
    auth=BearerToken(),
    response=DUPLICATE_RESPONSES,
    summary="Dismiss: different children",
)
def dismiss(request: HttpRequest, duplicate_id: int, payload: ReasonIn):
    """A person decides these are different children, with a reason; the flag stays. Same permissions as merge."""
    flag = _find_duplicate(request.auth, duplicate_id)
    if not may(request.auth, Action.RESOLVE_DUPLICATE):
        raise NotAllowed(staff_rules.refusal(Action.RESOLVE_DUPLICATE))
    perform(lambda: dismiss_duplicate(flag=flag, reason=payload.reason, resolved_by=request.auth))
    flag.refresh_from_db()
    return _duplicate_out(flag, hidden=False)


@router.post(
    "/duplicates/{duplicate_id}/unmerge",
    auth=BearerToken(),
    response={200: UnmergeOut, 400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut},
    summary="Undo a merge",
)
def unmerge(request: HttpRequest, duplicate_id: int, payload: UnmergeIn):
    """Undo a wrong merge of a possible duplicate: the merged child record is separate again with its referrals
    and parents or carers, the referral closed as a duplicate goes back to its status, a link to the earlier
    episode made by the merge is removed. Team leads, or the person who made the merge; the reason is audited.
    409 when it cannot be undone here (not merged, merged before the service kept a record of what a merge moves,
    or later work relies on it); nothing changes then. Letters already sent are not changed."""
    user = request.auth
    flag = (
        PossibleDuplicate.objects.filter(pk=duplicate_id, referral__in=Referral.objects.visible_to(user))
        .select_related("referral", "existing_referral")
        .first()
    )
    if flag is None:
        raise HttpError(404, f"No possible duplicate {duplicate_id}, or not one about a child you may see.")
    if not may(user, Action.UNDO_MERGE):
        raise NotAllowed(staff_rules.refusal(Action.UNDO_MERGE))
    plan = perform(lambda: unmerge_duplicate(flag=flag, reason=payload.reason, undone_by=user))
    flag.refresh_from_db()
    return {
        "id": flag.pk,
        "state": flag.state,
        "referral": flag.referral.reference,
        "existing_referral": flag.existing_referral.reference,
        "undone_by": flag.undone_by.get_username() if flag.undone_by else None,
        "undone_at": flag.undone_at.isoformat() if flag.undone_at else None,
        "undo_reason": flag.undo_reason,
        "referrals_moved_back": list(plan.moving_back),
        "parent_carers_moved_back": plan.parent_carers,
        "reopened": plan.reopening or None,
        "reopened_status": plan.reopened_status or None,
        "previous_referral_unlinked": plan.unlinking or None,
        "staying_with_surviving_record": list(plan.staying),
        "not_restored": list(plan.not_restored),
        "letters": LETTERS_UNCHANGED,
    }
