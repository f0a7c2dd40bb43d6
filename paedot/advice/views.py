"""Staff pages for advice and strategies: the strategy sheet library (read, preview as PDF, a team lead's edit), and
a child's advice packs (build and give one, see what was given). Every change goes through paedot.advice.services."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from paedot.advice import presenters
from paedot.advice.forms import LibraryFilterForm, PackForm, SheetForm
from paedot.advice.models import AdvicePack, PackSheet, StrategySheet, StrategySheetVersion
from paedot.advice.rules import AdviceError, fits, may_read_library
from paedot.advice.services import give_advice_pack, revise_strategy_sheet
from paedot.advice.sheet_text import format_body
from paedot.care.models import Area, Episode
from paedot.care.services.consent import ConsentMissing, latest_consent
from paedot.care.services.episodes import CLINICAL_STATUSES
from paedot.core.audit import record_view
from paedot.documents.pdf import render_pdf
from paedot.public.models import ServiceDetails
from paedot.referrals.models import Referral
from paedot.referrals.services.journey import NotAllowed, TransitionRefused
from paedot.staff.rules import Action, may, refusal


def _require(user, action: Action) -> None:
    if not may(user, action):
        raise PermissionDenied(refusal(action))


def _require_library(user) -> None:
    if not may_read_library(user):
        raise PermissionDenied("Only staff may read the strategy sheet library.")


def _referral(request: HttpRequest, reference: str) -> Referral:
    return get_object_or_404(
        Referral.objects.visible_to(request.user).select_related("child", "parent_carer"), reference=reference
    )


# The library ------------------------------------------------------------------------------------------------------


@login_required
@require_GET
def library(request: HttpRequest) -> HttpResponse:
    """Every sheet, grouped by area, with who it is written for; filter by area and reader."""
    _require_library(request.user)
    form = LibraryFilterForm(request.GET)
    area = audience = ""
    if form.is_valid():
        area, audience = form.cleaned_data["area"], form.cleaned_data["audience"]
    sheets = StrategySheet.objects.order_by("title")
    if area:
        sheets = sheets.filter(area=area)
    chosen = [s for s in sheets if not audience or fits(s.audience, "home" if audience == "parents" else "school")]
    groups = [
        {"area": label, "sheets": [s for s in chosen if s.area == value]}
        for value, label in Area.choices
        if any(s.area == value for s in chosen)
    ]
    return render(
        request,
        "advice/library.jinja",
        {
            "form": form,
            "groups": groups,
            "count": len(chosen),
            "filtered": bool(area or audience),
            "presenters": presenters,
            "page_title": "Strategy sheets",
            "active_nav": "advice",
        },
    )


def _version(request: HttpRequest, sheet: StrategySheet) -> StrategySheetVersion | None:
    """The version asked for (?version=N), or None for the current text; 404 for a version that never existed."""
    asked = request.GET.get("version", "")
    if not asked:
        return None
    if not asked.isdigit():
        raise Http404("No such version.")
    return get_object_or_404(StrategySheetVersion.objects.select_related("sheet"), sheet=sheet, version=int(asked))


@login_required
@require_GET
def show_sheet(request: HttpRequest, slug: str) -> HttpResponse:
    """A sheet as it reads now, or as an earlier version read (?version=N), with its history."""
    _require_library(request.user)
    sheet = get_object_or_404(StrategySheet, slug=slug)
    version = _version(request, sheet)
    history = list(sheet.versions.select_related("created_by").order_by("-version"))
    return render(
        request,
        "advice/show_sheet.jinja",
        {
            "sheet": sheet,
            "shown": presenters.sheet_view(version or sheet, slug=sheet.slug),
            "earlier": version is not None and version.version != sheet.version,
            "history": history,
            "presenters": presenters,
            "page_title": sheet.title,
            "back_href": reverse("advice:library"),
            "active_nav": "advice",
        },
    )


@login_required
@require_GET
def preview_sheet_pdf(request: HttpRequest, slug: str) -> HttpResponse:
    """The sheet on its own as a PDF, as it would print in a pack (the current text, or ?version=N)."""
    _require_library(request.user)
    sheet = get_object_or_404(StrategySheet, slug=slug)
    version = _version(request, sheet)
    shown = presenters.sheet_view(version or sheet, slug=sheet.slug)
    html = render_to_string("advice/sheet_pdf.jinja", {"sheet": shown, "service": ServiceDetails.current()})
    response = HttpResponse(render_pdf(html), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{sheet.slug}-v{shown.version}.pdf"'
    return response


@login_required
@require_http_methods(["GET", "POST"])
def edit_sheet(request: HttpRequest, slug: str) -> HttpResponse:
    """A team lead changes a sheet's text: saving makes a new version; the earlier ones are kept as they were."""
    _require(request.user, Action.MANAGE_STRATEGY_SHEETS)
    sheet = get_object_or_404(StrategySheet, slug=slug)
    posted = request.method == "POST"
    initial = {
        "title": sheet.title,
        "summary": sheet.summary,
        "area": sheet.area,
        "audience": sheet.audience,
        "body": format_body(sheet.body),
        "based_on_version": sheet.version,
    }
    form = SheetForm(request.POST if posted else None, initial=initial)
    status = 200
    if posted and form.is_valid():
        data = form.cleaned_data
        try:
            revised = revise_strategy_sheet(
                sheet=sheet,
                title=data["title"],
                summary=data["summary"],
                area=data["area"],
                audience=data["audience"],
                body=data["body"],
                change_note=data["change_note"],
                based_on_version=data["based_on_version"],
                revised_by=request.user,
            )
        except NotAllowed as not_allowed:
            raise PermissionDenied(str(not_allowed)) from not_allowed
        except AdviceError as error:
            form.add_service_error(error.field, error.message)
            status = 400
        except TransitionRefused as refused:
            form.add_service_error(None, str(refused))
            status = 409
        else:
            messages.success(
                request, f"Saved as version {revised.version}. Packs given before keep the text they gave."
            )
            return redirect("advice:show_sheet", slug=sheet.slug)
    elif posted:
        status = 400
    return render(
        request,
        "advice/edit_sheet.jinja",
        {
            "sheet": sheet,
            "form": form,
            "based_on_version": form["based_on_version"].value() or sheet.version,
            "page_title": ("Error: " if form.errors else "") + f"Edit {sheet.title}",
            "back_href": reverse("advice:show_sheet", args=[sheet.slug]),
            "active_nav": "advice",
        },
        status=status,
    )


# Advice packs -----------------------------------------------------------------------------------------------------


def _consent_hints(referral: Referral) -> dict[str, str]:
    """What each recipient checkbox says about consent to share, read without opening an episode."""
    episode = Episode.objects.filter(referral=referral).first()
    hints = {}
    for value, recipient, who in (
        ("home", "family", "the family"),
        ("school", "school", referral.school_name or "the school"),
    ):
        consent = latest_consent(episode, recipient) if episode else None
        if consent is None:
            hints[value] = f"Consent to share with {who} is not recorded yet: record it before giving the pack."
        elif consent.given:
            when = timezone.localtime(consent.created_at)
            hints[value] = f"Consent to share with {who}: given by {consent.given_by}, {when:%-d %B %Y}."
        else:
            hints[value] = f"{consent.given_by} refused consent to share with {who}: the pack cannot go there."
    if not (referral.school_name or referral.school_urn):
        hints["school"] = "No school or nursery is recorded on the referral. " + hints["school"]
    return hints


@login_required
@require_http_methods(["GET", "POST"])
def build_pack(request: HttpRequest, reference: str) -> HttpResponse:
    """Choose sheets (grouped by area), write notes for home and for school, and give the pack."""
    _require(request.user, Action.GIVE_ADVICE)
    referral = _referral(request, reference)
    posted = request.method == "POST"
    sheets = list(StrategySheet.objects.order_by("title"))
    form = PackForm(request.POST if posted else None, sheets=sheets, consent_hints=_consent_hints(referral))
    status = 200
    if posted and form.is_valid():
        data = form.cleaned_data
        try:
            pack = give_advice_pack(
                referral=referral,
                sheets=form.chosen_sheets(),
                home_notes=data["home_notes"],
                school_notes=data["school_notes"],
                for_home="home" in data["recipients"],
                for_school="school" in data["recipients"],
                given_on=data["given_on"],
                given_by=request.user,
            )
        except NotAllowed as not_allowed:
            raise PermissionDenied(str(not_allowed)) from not_allowed
        except AdviceError as error:
            form.add_service_error(form.field_for(error.field), error.message)
            status = 400
        except ConsentMissing as missing:
            form.add_service_error("recipients", str(missing))
            status = 409
        except TransitionRefused as refused:
            form.add_service_error(None, str(refused))
            status = 409
        else:
            left_out = presenters.left_out(pack.pack_sheets.select_related("sheet_version"), pack)
            messages.success(request, " ".join(["Advice pack given.", *left_out]))
            return redirect("advice:show_pack", pack_id=pack.pk)
    elif posted:
        status = 400
    return render(
        request,
        "advice/build_pack.jinja",
        {
            "referral": referral,
            "form": form,
            "open_for_advice": referral.status in CLINICAL_STATUSES,
            "page_title": ("Error: " if form.errors else "") + f"Give an advice pack for {referral.reference}",
            "back_href": reverse("advice:referral_packs", args=[referral.reference]),
            "active_nav": "inbox",
        },
        status=status,
    )


def _pack_sheets() -> Prefetch:
    return Prefetch("pack_sheets", queryset=PackSheet.objects.select_related("sheet_version__sheet"))


@login_required
@require_GET
def show_pack(request: HttpRequest, pack_id: int) -> HttpResponse:
    """What was given, when and by whom; each sheet at the version given; the letters as they were sent."""
    _require(request.user, Action.VIEW_CLINICAL_RECORD)
    pack = get_object_or_404(
        AdvicePack.objects.visible_to(request.user)
        .select_related("referral__child", "given_by", "home_letter", "school_letter")
        .prefetch_related(_pack_sheets()),
        pk=pack_id,
    )
    record_view(request, pack, child_id=pack.referral.child_id)
    sheets = list(pack.pack_sheets.all())
    return render(
        request,
        "advice/show_pack.jinja",
        {
            "pack": pack,
            "referral": pack.referral,
            "sheets": sheets,
            "left_out": presenters.left_out(sheets, pack),
            "presenters": presenters,
            "page_title": f"Advice pack given on {pack.given_on:%-d %B %Y}",
            "back_href": reverse("advice:referral_packs", args=[pack.referral.reference]),
            "active_nav": "inbox",
        },
    )


@login_required
@require_GET
def referral_packs(request: HttpRequest, reference: str) -> HttpResponse:
    """Every advice pack given for a referral, newest first."""
    _require(request.user, Action.VIEW_CLINICAL_RECORD)
    referral = _referral(request, reference)
    record_view(request, referral, child_id=referral.child_id)
    packs = list(
        AdvicePack.objects.filter(referral=referral).select_related("given_by").prefetch_related(_pack_sheets())
    )
    return render(
        request,
        "advice/referral_packs.jinja",
        {
            "referral": referral,
            "packs": packs,
            "may_give": may(request.user, Action.GIVE_ADVICE) and referral.status in CLINICAL_STATUSES,
            "page_title": f"Advice packs for {referral.reference}",
            "back_href": reverse("referrals:show_referral", args=[referral.reference]),
            "active_nav": "inbox",
        },
    )
