"""Breaking the glass, and restricting a record. A page that cannot find a record this person may not usually open
raises BreakGlassNeeded; the middleware turns it into the break-glass page, so no page needs its own copy."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme

from paedot.core.audit import record_view
from paedot.referrals.models import Referral
from paedot.referrals.services.journey import NotAllowed
from paedot.restricted_records import services
from paedot.restricted_records.models import Restriction
from paedot.staff.models import Role, User
from paedot.staff.rules import Action, may, refusal


class BreakGlassNeeded(Exception):
    def __init__(self, referral: Referral) -> None:
        super().__init__(referral.reference)
        self.referral = referral


def referral_or_break_glass(request: HttpRequest, queryset, reference: str) -> Referral:
    """The referral from this (already scoped) queryset; if it is hidden from this person but they could break the
    glass, BreakGlassNeeded; otherwise 404."""
    reference = reference.strip().upper()
    found = queryset.filter(reference=reference).first()
    if found is not None:
        return found
    hidden = services.hidden_from(request.user, reference)
    if hidden is not None:
        raise BreakGlassNeeded(hidden)
    raise Http404("No such referral.")


class BreakGlassMiddleware:
    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if isinstance(exception, BreakGlassNeeded):
            return redirect(f"/staff/restricted/{exception.referral.reference}/break-glass?next={request.path}")
        return None


class BreakGlassForm(forms.Form):
    reason = forms.CharField(
        label="Why do you need to open this record now?",
        help_text="Your reason, your name and the time go to the team leads now and stay in the audit trail.",
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
    )


def _next(request: HttpRequest, referral: Referral) -> str:
    wanted = request.POST.get("next") or request.GET.get("next") or ""
    if wanted.startswith("/staff/") and url_has_allowed_host_and_scheme(wanted, allowed_hosts=None):
        return wanted
    return f"/staff/referrals/{referral.reference}"


@login_required
def break_glass(request: HttpRequest, reference: str) -> HttpResponse:
    if not may(request.user, Action.BREAK_GLASS):
        raise PermissionDenied(refusal(Action.BREAK_GLASS))
    referral = get_object_or_404(Referral.objects.select_related("child"), reference=reference.strip().upper())
    if Referral.objects.visible_to(request.user).filter(pk=referral.pk).exists():
        return redirect(_next(request, referral))
    form = BreakGlassForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        services.break_glass(referral=referral, user=request.user, reason=form.cleaned_data["reason"])
        messages.warning(
            request,
            f"You have opened this record for {services.BREAK_GLASS_HOURS} hours. The team leads have been told.",
        )
        return redirect(_next(request, referral))
    context = {
        "page_title": "You do not usually have access to this record",
        "reference": referral.reference,
        "restricted": referral.restricted,
        "form": form,
        "next": _next(request, referral),
    }
    # Nothing about the child is shown: only that the record exists and is closed to this person.
    return render(
        request, "restricted_records/break_glass.jinja", context, status=403 if request.method == "GET" else 400
    )


class RestrictForm(forms.Form):
    reason = forms.CharField(label="Why is this record restricted?", widget=forms.Textarea(attrs={"rows": 3}))
    named_staff = forms.ModelMultipleChoiceField(
        label="Who else may open it",
        help_text="You are named too. Anyone else must break the glass, with a reason.",
        queryset=User.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["named_staff"].queryset = User.objects.filter(
            is_active=True, role__in=(Role.CLINICAL_ADMIN, Role.OT, Role.OTA, Role.TEAM_LEAD)
        ).order_by("last_name", "first_name", "username")
        self.fields["named_staff"].label_from_instance = lambda u: (
            f"{u.get_full_name() or u.username} ({u.get_role_display()})"
        )


def _staff_label(user: User) -> str:
    return f"{user.get_full_name() or user.username} ({user.get_role_display()})"


class LiftForm(forms.Form):
    reason = forms.CharField(label="Why lift the restriction?", widget=forms.Textarea(attrs={"rows": 2}))


@login_required
def restrict(request: HttpRequest, reference: str) -> HttpResponse:
    if not may(request.user, Action.RESTRICT_RECORD):
        raise PermissionDenied(refusal(Action.RESTRICT_RECORD))
    referral = referral_or_break_glass(
        request, Referral.objects.visible_to(request.user).select_related("child"), reference
    )
    record_view(request, referral)
    restriction = Restriction.objects.filter(child=referral.child, lifted_at__isnull=True).first()
    form = RestrictForm(request.POST or None, prefix="restrict")
    lift_form = LiftForm(request.POST or None, prefix="lift")
    if request.method == "POST":
        try:
            if "lift" in request.POST and restriction is not None and lift_form.is_valid():
                services.lift_restriction(
                    child=referral.child, reason=lift_form.cleaned_data["reason"], by=request.user
                )
                messages.success(request, "The restriction is lifted.")
                return redirect("referrals:show_referral", reference=referral.reference)
            if "restrict" in request.POST and form.is_valid():
                services.restrict_record(
                    child=referral.child,
                    reason=form.cleaned_data["reason"],
                    named_staff=list(form.cleaned_data["named_staff"]),
                    by=request.user,
                )
                messages.success(request, "The record is restricted to the staff named.")
                return redirect("referrals:show_referral", reference=referral.reference)
        except NotAllowed as refused:
            raise PermissionDenied(str(refused)) from refused
        except ValueError as problem:
            form.add_error(None, str(problem))
    context = {
        "page_title": "Restrict this child's record",
        "referral": referral,
        "restriction": restriction,
        "named": list(restriction.named_staff.all()) if restriction else [],
        "form": form,
        "lift_form": lift_form,
    }
    return render(
        request, "restricted_records/restrict.jinja", context, status=400 if request.method == "POST" else 200
    )
