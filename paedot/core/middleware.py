"""Request machinery: the audit trail (where each request came from, and every refusal), and refusing NUL characters."""

from __future__ import annotations

import re

from django.http import HttpResponse, JsonResponse
from django.template.loader import render_to_string

from paedot.core import audit, changes


class AuditMiddleware:
    """Lets events recorded during a request carry its origin, and records every 403 a signed-in user (or an API
    client) was given, whether a view raised PermissionDenied or an API endpoint answered 403.

    Sits after AuthenticationMiddleware so request.user is known.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = audit.begin_request(request)
        changes_token = changes.begin(request)
        try:
            response = self.get_response(request)
            if response.status_code == 403:
                audit.record_refusal(request, response.status_code)
            return response
        finally:
            changes.end(changes_token)
            audit.end_request(token)


class NulCharacterMiddleware:
    """Refuses (400) a request with a NUL character in its address, query, form fields or JSON body.

    No text the service keeps may hold one, and PostgreSQL refuses them outright: a NUL in a referral reference, a
    search or an API field reached the database and came back as a 500. Django's form fields refuse them already;
    this covers what is read before any form (addresses, filters, API bodies). Uploaded files are not looked in (a
    scanned form is binary), the fields beside them are. After the rate limits, so a flood of these still counts.
    """

    # A JSON string's \u0000 escape: a backslash escaped by another (\\u0000) is the text "\u0000", which is fine.
    JSON_NUL = re.compile(rb"(?:^|[^\\])(?:\\\\)*\\u0000")

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        where = self._nul_in(request)
        if where is None:
            return self.get_response(request)
        message = "The request holds a NUL character, which is never valid here. Remove it and try again."
        if request.path.startswith("/api/"):
            return JsonResponse({"message": message, "errors": [{"field": where, "message": message}]}, status=400)
        if request.path.startswith("/fhir/"):
            # FHIR clients read errors as an OperationOutcome (paedot.fhir answers every other error so).
            outcome = {
                "resourceType": "OperationOutcome",
                "issue": [{"severity": "error", "code": "invalid", "diagnostics": message}],
            }
            return JsonResponse(outcome, status=400, content_type="application/fhir+json; fhirVersion=4.0")
        return HttpResponse(render_to_string("400.html", {"message": message}, request), status=400)

    def _nul_in(self, request) -> str | None:
        if "\x00" in request.path:
            return "path"
        if any("\x00" in key or "\x00" in value for key, values in request.GET.lists() for value in values):
            return "query"
        if request.method not in ("POST", "PUT", "PATCH"):
            return None
        if request.content_type in ("application/x-www-form-urlencoded", "multipart/form-data"):
            if any("\x00" in key or "\x00" in value for key, values in request.POST.lists() for value in values):
                return "body"
        elif request.path.startswith("/api/") and self.JSON_NUL.search(request.body):
            return "body"  # the API reads any other body as JSON, whatever its content type says
        return None
