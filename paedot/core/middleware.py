"""Request machinery for the audit trail: where each request came from, and every refusal."""

from __future__ import annotations

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
