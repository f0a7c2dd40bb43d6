"""The "Needs attention" page: what has waited past the service's limits, for the person looking."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from paedot.attention import presenters
from paedot.attention.services import Scope, default_scope, needs_attention
from paedot.staff.rules import Action, may, refusal


@login_required
@require_GET
def show_attention(request: HttpRequest) -> HttpResponse:
    """A count per section, then each section's oldest items with why each is there. A clinician starts with their
    own children and diary, and may switch to everyone they can see."""
    if not may(request.user, Action.VIEW_ATTENTION):
        raise PermissionDenied(refusal(Action.VIEW_ATTENTION))
    asked = request.GET.get("scope", "")
    scope = Scope(asked) if asked in (Scope.MINE, Scope.ALL) else default_scope(request.user)
    worklist = needs_attention(request.user, scope=scope)
    may_triage = may(request.user, Action.TRIAGE)
    sections = [presenters.section_view(s, worklist.policy, may_triage=may_triage) for s in worklist.sections]
    return render(
        request,
        "attention/show_attention.jinja",
        {
            "worklist": worklist,
            "sections": sections,
            "limits": presenters.limit_rows(worklist.policy),
            "scope": scope.value,
            "page_title": "Needs attention",
            "active_nav": "attention",
        },
    )
