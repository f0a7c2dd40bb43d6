"""Strategy sheets and advice packs in the API (same permissions and services as the pages).

400 names the field at fault (an unknown sheet as sheets.<index>), 403 for a role that may not give advice, 404 for
a referral the caller cannot see, 409 when consent to share is missing or the referral is not open.
"""

from __future__ import annotations

import datetime as dt

from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from django.urls import reverse
from ninja import Header, Router, Schema, Status
from ninja.errors import HttpError
from pydantic import Field

from paedot.advice.models import AdvicePack, PackSheet, StrategySheet, StrategySheetVersion
from paedot.advice.presenters import left_out
from paedot.advice.rules import AdviceError, may_read_library
from paedot.advice.services import give_advice_pack
from paedot.config.api import BearerToken
from paedot.config.api_errors import bad_request
from paedot.core.audit import record_view
from paedot.core.idempotency import MAX_KEY_LENGTH, IdempotencyConflict, run_once
from paedot.referrals.api import find_referral
from paedot.referrals.services.journey import NotAllowed
from paedot.staff.rules import Action

router = Router(tags=["Advice and strategies"])

ERRORS = {400: dict, 401: dict, 403: dict, 404: dict, 409: dict}


class SheetOut(Schema):
    slug: str
    title: str
    area: str
    audience: str
    version: int
    summary: str


class SectionOut(Schema):
    heading: str
    text: str
    steps: list[str]
    note: str


class SheetDetailOut(SheetOut):
    sections: list[SectionOut]


class PackSheetOut(Schema):
    slug: str
    version: int
    title: str
    in_home: bool
    in_school: bool


class LetterOut(Schema):
    id: int
    kind: str
    pdf: str


class PackOut(Schema):
    id: int
    reference: str
    given_on: dt.date
    given_by: str
    for_home: bool
    for_school: bool
    sheets: list[PackSheetOut]
    letters: list[LetterOut]
    left_out: list[str]


class PackIn(Schema):
    sheets: list[str] = Field(description="Slugs of the strategy sheets, in the order the pack shows them.")
    home_notes: str = ""
    school_notes: str = ""
    for_home: bool = False
    for_school: bool = False
    given_on: dt.date | None = Field(None, description="The day the pack was given (default today).")


def _require_library(request: HttpRequest) -> None:
    if not may_read_library(request.auth):
        raise NotAllowed("Only staff may read the strategy sheet library.")


def _sheet_out(sheet) -> dict:
    return {
        "slug": sheet.slug,
        "title": sheet.title,
        "area": sheet.area,
        "audience": sheet.audience,
        "version": sheet.version,
        "summary": sheet.summary,
    }


@router.get("/strategy-sheets", auth=BearerToken(), response={200: list[SheetOut], 401: dict, 403: dict})
def list_strategy_sheets(request: HttpRequest):
    """The library, by area then title, each at its current version."""
    _require_library(request)
    return [_sheet_out(sheet) for sheet in StrategySheet.objects.order_by("area", "title")]


@router.get(
    "/strategy-sheets/{slug}", auth=BearerToken(), response={200: SheetDetailOut, 401: dict, 403: dict, 404: dict}
)
def read_strategy_sheet(request: HttpRequest, slug: str, version: int | None = None):
    """One sheet with its sections: the current text, or `?version=N` for the text of an earlier version."""
    _require_library(request)
    sheet = get_object_or_404(StrategySheet, slug=slug)
    shown = sheet if version is None else get_object_or_404(StrategySheetVersion, sheet=sheet, version=version)
    return {**_sheet_out(sheet), "version": shown.version, **_text(shown)}


def _text(sheet) -> dict:
    fields = ("title", "area", "audience", "summary")
    return {**{name: getattr(sheet, name) for name in fields}, "sections": sheet.body}


def pack_out(pack: AdvicePack, pack_sheets: list[PackSheet]) -> dict:
    letters = [letter for letter in (pack.home_letter, pack.school_letter) if letter is not None]
    return {
        "id": pack.pk,
        "reference": pack.referral.reference,
        "given_on": pack.given_on.isoformat(),
        "given_by": pack.given_by.username,
        "for_home": pack.for_home,
        "for_school": pack.for_school,
        "sheets": [
            {
                "slug": item.sheet_version.sheet.slug,
                "version": item.sheet_version.version,
                "title": item.sheet_version.title,
                "in_home": item.in_home,
                "in_school": item.in_school,
            }
            for item in pack_sheets
        ],
        "letters": [
            {"id": letter.pk, "kind": letter.kind, "pdf": reverse("letters:download_letter", args=[letter.pk])}
            for letter in letters
        ],
        "left_out": left_out(pack_sheets, pack),
    }


def _packs(referral):
    return (
        AdvicePack.objects.filter(referral=referral)
        .select_related("referral", "given_by", "home_letter", "school_letter")
        .prefetch_related("pack_sheets__sheet_version__sheet")
    )


@router.post("/referrals/{reference}/advice-packs", auth=BearerToken(), response={201: PackOut, 422: dict, **ERRORS})
def give_pack(
    request: HttpRequest,
    reference: str,
    payload: PackIn,
    idempotency_key: str | None = Header(None, alias="Idempotency-Key"),
):
    """Give an advice pack: a letter for home and/or school, each with the notes first and then the sheets written
    for its readers (a sheet for parents is left out of the school's letter, and the answer says so). Consent to
    share with each recipient must be recorded first (409 otherwise, and nothing is saved).

    Send an `Idempotency-Key` header to make retries safe: the same key and body return the first answer and give
    no second pack; the same key with a different body gets 422.
    """
    referral = find_referral(request, reference, action=Action.GIVE_ADVICE)

    def give() -> tuple[int, dict]:
        try:
            pack = give_advice_pack(
                referral=referral,
                sheets=payload.sheets,
                home_notes=payload.home_notes,
                school_notes=payload.school_notes,
                for_home=payload.for_home,
                for_school=payload.for_school,
                given_on=payload.given_on,
                given_by=request.auth,
            )
        except AdviceError as error:
            raise bad_request(error.field, error.message) from error
        pack = _packs(referral).get(pk=pack.pk)
        return 201, pack_out(pack, list(pack.pack_sheets.all()))

    if idempotency_key is None:
        return Status(*give())
    if not idempotency_key.strip() or len(idempotency_key) > MAX_KEY_LENGTH:
        raise HttpError(400, f"Idempotency-Key must be 1 to {MAX_KEY_LENGTH} characters.")
    try:
        status, body = run_once(
            user=request.auth, key=idempotency_key, payload=payload.model_dump(mode="json"), action=give
        )
    except IdempotencyConflict as conflict:
        raise HttpError(422, str(conflict)) from conflict
    return Status(status, body)


@router.get(
    "/referrals/{reference}/advice-packs",
    auth=BearerToken(),
    response={200: list[PackOut], 401: dict, 403: dict, 404: dict},
)
def list_packs(request: HttpRequest, reference: str):
    """Every advice pack given for the referral, newest first."""
    referral = find_referral(request, reference, action=Action.VIEW_CLINICAL_RECORD)
    record_view(request, referral, child_id=referral.child_id)
    return [pack_out(pack, list(pack.pack_sheets.all())) for pack in _packs(referral)]
