"""The JSON API other NHS systems use (Django Ninja; OpenAPI at /api/openapi.json, docs at /api/docs).

Every app owns its router (`<app>/api.py`); this module mounts them and makes every refusal look alike:
400 {"message", "errors": [{"field", "message"}]} for bad input, 401 without a valid token.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError
from ninja.security import HttpBearer

from paedot.staff.services import authenticate_token


class BearerToken(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> Any:
        user = authenticate_token(token)
        if user is not None:
            request.api_user = user  # type: ignore[attr-defined]
        return user


api = NinjaAPI(
    title="Paediatric Occupational Therapy Service API",
    version="1",
    description=(
        "For GP, school and other NHS systems: check eligibility, submit referrals. "
        "Authenticate with `Authorization: Bearer <token>` where an endpoint needs it."
    ),
    urls_namespace="api",
)


def _field_name(loc: list[Any] | tuple[Any, ...]) -> str:
    # Ninja prefixes the location with where it came from ("body", "payload"); the caller wants the field path.
    parts = [str(part) for part in loc]
    # The location ("body", "query", "file", ...) comes first, sometimes with the parameter's name after it; what
    # is left is the field. A missing body is reported as "body" itself.
    while len(parts) > 1 and parts[0] in ("body", "payload", "query", "path", "header", "form", "file", "filters"):
        parts = parts[1:]
    if parts in (["payload"], ["filters"], ["form"]):
        return "body"
    return ".".join(parts) or "body"


def _message(error: dict[str, Any]) -> str:
    message = str(error.get("msg", "Invalid value"))
    return message.removeprefix("Value error, ")


@api.exception_handler(ValidationError)
def on_validation_error(request: HttpRequest, exc: ValidationError):
    errors = [{"field": _field_name(error.get("loc", ())), "message": _message(error)} for error in exc.errors]
    summary = "; ".join(f"{e['field']}: {e['message']}" for e in errors) or "The request is not valid."
    return api.create_response(request, {"message": summary, "errors": errors}, status=400)


@api.exception_handler(HttpError)
def on_http_error(request: HttpRequest, exc: HttpError):
    """Errors raised as HttpError: Ninja's own for a body that is not JSON, and ours (403, 404, 409, 422)."""
    message = str(exc)
    if exc.status_code == 400 and message.startswith("Cannot parse request body"):
        message = "The request body is not valid JSON."
        return api.create_response(
            request, {"message": message, "errors": [{"field": "body", "message": message}]}, status=400
        )
    return api.create_response(request, {"message": message}, status=exc.status_code)


@api.exception_handler(AuthenticationError)
def on_authentication_error(request: HttpRequest, exc: AuthenticationError):
    response = api.create_response(
        request, {"message": "A valid API token is needed: send Authorization: Bearer <token>."}, status=401
    )
    response["WWW-Authenticate"] = "Bearer"
    return response


def _register_service_refusals() -> None:
    """The services' own refusals: a role that may not (403), a move the journey does not allow or a double booking
    (409), and a time outside the clinician's availability without a reason (422)."""
    from paedot.referrals.services.journey import NotAllowed, TransitionRefused

    @api.exception_handler(NotAllowed)
    def on_not_allowed(request: HttpRequest, exc: NotAllowed):
        return api.create_response(request, {"message": str(exc)}, status=403)

    @api.exception_handler(TransitionRefused)
    def on_refused(request: HttpRequest, exc: TransitionRefused):
        return api.create_response(request, {"message": str(exc)}, status=409)

    from paedot.appointments.services import DoubleBooking, OutsideAvailability

    @api.exception_handler(DoubleBooking)
    def on_double_booking(request: HttpRequest, exc: DoubleBooking):
        return api.create_response(request, {"message": str(exc)}, status=409)

    @api.exception_handler(OutsideAvailability)
    def on_outside_availability(request: HttpRequest, exc: OutsideAvailability):
        """Outside the working pattern, on leave or a closure day: send `override_reason` to book it anyway."""
        problems = [{"code": p.code, "message": p.message} for p in exc.problems]
        return api.create_response(request, {"message": str(exc), "problems": problems}, status=422)

    from paedot.care.rules import RatingError
    from paedot.care.services.consent import ConsentMissing

    @api.exception_handler(RatingError)
    def on_rating_error(request: HttpRequest, exc: RatingError):
        """A rating off its scale (GAS level, COPM or TOMs score, goal weight): 400 naming the field."""
        errors = [{"field": exc.field, "message": exc.message}]
        return api.create_response(request, {"message": f"{exc.field}: {exc.message}", "errors": errors}, status=400)

    @api.exception_handler(ConsentMissing)
    def on_consent_missing(request: HttpRequest, exc: ConsentMissing):
        return api.create_response(request, {"message": str(exc), "recipients": exc.recipients}, status=409)


def _mount_routers() -> None:
    from paedot.advice.api import router as advice_router
    from paedot.appointments.api import router as appointments_router
    from paedot.attention.api import router as attention_router
    from paedot.care.api import router as care_router
    from paedot.care.record_api import router as care_record_router
    from paedot.caseloads.api import router as caseloads_router
    from paedot.casenotes.api import router as casenotes_router
    from paedot.children.api import router as children_router
    from paedot.core.api import router as audit_router
    from paedot.directory.api import router as directory_router
    from paedot.eligibility.api import router as eligibility_router
    from paedot.governance.api import router as governance_router
    from paedot.groups.api import router as groups_router
    from paedot.letters.api import router as letters_router
    from paedot.notifications.api import router as messages_router
    from paedot.referrals.api import router as referrals_router
    from paedot.referrals.attachments_api import router as attachments_router
    from paedot.reports.api import router as reports_router
    from paedot.staff.api import router as tokens_router
    from paedot.triage.api import router as triage_router
    from paedot.waiting_list.api import router as waiting_list_router

    api.add_router("/", directory_router)
    api.add_router("/", eligibility_router)
    api.add_router("/", referrals_router)
    api.add_router("/", triage_router)
    api.add_router("/", waiting_list_router)
    api.add_router("/", caseloads_router)
    api.add_router("/", attachments_router)
    api.add_router("/", appointments_router)
    api.add_router("/", tokens_router)
    api.add_router("/", groups_router)
    api.add_router("/", audit_router)
    api.add_router("/", care_router)
    api.add_router("/", care_record_router)
    api.add_router("/", casenotes_router)
    api.add_router("/", advice_router)
    api.add_router("/", reports_router)
    api.add_router("/", governance_router)
    api.add_router("/", attention_router)
    api.add_router("/", messages_router)
    api.add_router("/", letters_router)
    api.add_router("/", children_router)
    api.add_router("/", "paedot.alerts.api.router")


_register_service_refusals()
_mount_routers()
