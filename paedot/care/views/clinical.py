"""Staff pages for the clinical work of an episode: record an assessment, set a package of care and its goals (from
the goal bank or written here), review it after the block, and the reviews coming up. Every change goes through
paedot.care.services; the pages only read through scoped querysets."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from paedot.appointments.models import Appointment
from paedot.care import presenters
from paedot.care.forms.clinical import (
    MAX_GOAL_ROWS,
    AssessmentForm,
    PackageForm,
    ReviewForm,
    ReviewsDueForm,
    add_blank_goal_row,
    add_goal_rows,
    goal_as_row,
    read_goal_rows,
    remove_goal_row,
    row_is_blank,
    write_goal_rows,
)
from paedot.care.goal_bank import goal_bank
from paedot.care.models import (
    Assessment,
    CopmProblem,
    Delivery,
    Episode,
    FindingArea,
    Goal,
    Package,
    Review,
    ReviewDecision,
    TomsRating,
    TomsStage,
)
from paedot.care.policy import standardised_templates
from paedot.care.rules import COPM_MAX_PROBLEMS, RatingError
from paedot.care.services.assessments import record_assessment
from paedot.care.services.packages import copm_change_for_review, record_review, reviews_due, set_package
from paedot.core.audit import record_view
from paedot.referrals.models import Referral
from paedot.referrals.services.journey import NotAllowed, TransitionRefused
from paedot.staff.models import Role
from paedot.staff.rules import Action, may, refusal


def _require(user, action: Action) -> None:
    if not may(user, action):
        raise PermissionDenied(refusal(action))


def _referral(request: HttpRequest, reference: str) -> Referral:
    return get_object_or_404(
        Referral.objects.visible_to(request.user).select_related("child", "clinician__supervisor"), reference=reference
    )


def _named_or_path(name: str, args: list, path: str) -> str:
    """A page another part of the service owns, by its URL name; its known path until that name exists."""
    try:
        return reverse(name, args=args)
    except NoReverseMatch:
        return path


def episode_href(reference: str) -> str:
    return _named_or_path("care:show_episode", [reference], f"/staff/care/{reference}/")


def advice_pack_href(reference: str) -> str:
    return _named_or_path("advice:build_pack", [reference], f"/staff/advice/{reference}/packs/new")


def discharge_href(reference: str) -> str:
    return _named_or_path("care:discharge_episode", [reference], f"/staff/care/{reference}/discharge")


def _context(referral: Referral, **values) -> dict:
    """What every page here shows around its content: the child, and the way back to the referral and episode."""
    return {
        "referral": referral,
        "referral_href": reverse("referrals:show_referral", args=[referral.reference]),
        "episode_href": episode_href(referral.reference),
        "back_href": episode_href(referral.reference),
        "presenters": presenters,
        "active_nav": "caseloads",
        **values,
    }


def _attempt(form, call):
    """Call a service; a refusal becomes an error on the form field it is about, never a 500 and never losing what
    was typed. Returns (result, status)."""
    try:
        return call(), 200
    except NotAllowed as not_allowed:
        raise PermissionDenied(str(not_allowed)) from not_allowed
    except RatingError as error:
        form.add_service_error(form.field_for(error.field), error.message)
        return None, 400
    except TransitionRefused as refused:
        form.add_service_error(None, str(refused))
        return None, 409
    except ValueError as problem:
        form.add_service_error(None, str(problem))
        return None, 400


def _title(form, status: int, text: str) -> str:
    return ("Error: " if status >= 400 or form.errors else "") + text


# --- Assessment --------------------------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def record_assessment_view(request: HttpRequest, reference: str) -> HttpResponse:
    """Findings under each heading, standardised scores (the fields of the assessments chosen, shown by a button
    rather than script), the clinical impression, COPM problems and TOMs at the start."""
    _require(request.user, Action.ASSESS)
    referral = _referral(request, reference)
    episode = Episode.objects.visible_to(request.user).filter(referral=referral).first()
    already = CopmProblem.objects.filter(episode=episode).count() if episode is not None else 0
    appointments = list(
        Appointment.objects.filter(referral=referral, cancelled=False)
        .select_related("location")
        .order_by("-start")[:20]
    )
    posted = request.method == "POST"
    form = AssessmentForm(
        request.POST if posted else None,
        initial={"assessed_on": timezone.localdate()},
        appointments=appointments,
        copm_rows=COPM_MAX_PROBLEMS - already,
    )
    status = 200
    if posted and "show_fields" in request.POST:
        form.show_without_errors()
    elif posted and form.is_valid():
        data = form.cleaned_data
        chosen = {str(a.pk): a for a in appointments}
        assessment, status = _attempt(
            form,
            lambda: record_assessment(
                referral=referral,
                assessed_by=request.user,
                assessed_on=data["assessed_on"],
                findings=form.findings(),
                standardised=form.standardised(),
                clinical_impression=data["clinical_impression"],
                copm=form.copm(),
                toms=form.toms(),
                appointment=chosen.get(data["appointment"]),
            ),
        )
        if assessment is not None:
            messages.success(request, f"Assessment of {assessment.assessed_on:%-d %B %Y} recorded.")
            return redirect("care:show_assessment", assessment_id=assessment.pk)
    elif posted:
        status = 400
    return render(
        request,
        "care/assessment_new.jinja",
        _context(
            referral,
            form=form,
            copm_already=already,
            page_title=_title(form, status, f"Record an assessment for {reference}"),
        ),
        status=status,
    )


@login_required
@require_GET
def show_assessment(request: HttpRequest, assessment_id: int) -> HttpResponse:
    _require(request.user, Action.VIEW_CLINICAL_RECORD)
    assessment = get_object_or_404(
        Assessment.objects.filter(episode__in=Episode.objects.visible_to(request.user)).select_related(
            "episode__referral__child", "assessed_by", "appointment"
        ),
        pk=assessment_id,
    )
    referral = assessment.episode.referral
    record_view(request, assessment, child_id=referral.child_id)
    templates = standardised_templates()
    standardised = []
    for entry in assessment.standardised:
        template = templates.get(entry.get("template"))
        scores = [
            {"label": template.field(key).label if template and template.field(key) else key, "value": value}
            for key, value in (entry.get("scores") or {}).items()
        ]
        standardised.append({"name": entry.get("name") or entry.get("template"), "scores": scores})
    return render(
        request,
        "care/assessment_show.jinja",
        _context(
            referral,
            assessment=assessment,
            findings=[(label, assessment.findings.get(code)) for code, label in FindingArea.choices],
            standardised=standardised,
            problems=list(assessment.copm_problems.all()),
            toms=TomsRating.objects.filter(assessment=assessment).first(),
            may_set_package=may(request.user, Action.SET_PACKAGE),
            page_title=f"Assessment for {referral.reference}",
        ),
    )


# --- Package of care ---------------------------------------------------------------------------------------------


def _previous_package(request: HttpRequest, referral: Referral) -> Package | None:
    value = request.GET.get("previous", "")
    if not value:
        return None
    if not value.isdigit():
        raise Http404("No such package")
    return get_object_or_404(
        Package.objects.visible_to(request.user).filter(episode__referral=referral).select_related("review"),
        pk=int(value),
    )


def _carried_goals(previous: Package | None) -> tuple[list[Goal], list[Goal]]:
    """The previous block's goals: those to carry over (not met at its review) and those met."""
    if previous is None:
        return [], []
    goals = list(previous.goals.select_related("rating").order_by("position", "id"))
    met = [g for g in goals if hasattr(g, "rating") and g.rating.attained >= 0]
    return [g for g in goals if g not in met], met


def _carried_row(goal: Goal) -> dict:
    """A goal carried over: as written, starting from where the review left it (or one below expected)."""
    attained = goal.rating.attained if hasattr(goal, "rating") else -1
    return goal_as_row(
        {
            "description": goal.description,
            "area": goal.area,
            "levels": goal.levels,
            "weight": goal.weight,
            "baseline": attained if attained in (-2, -1) else -1,
            "carried_from": goal.pk,
        }
    )


def _package_initial(referral: Referral, previous: Package | None, carried: list[Goal]) -> dict:
    initial: dict = {}
    clinician = referral.clinician
    if clinician is not None and clinician.role == Role.OTA and clinician.supervisor_id:
        initial["supervising_ot"] = clinician.supervisor_id
    elif clinician is not None and clinician.role in (Role.OT, Role.TEAM_LEAD):
        initial["supervising_ot"] = clinician.pk
    if previous is not None:
        initial.update(
            {
                "type": previous.type,
                "delivery": list(previous.delivery),
                "places": list(previous.places),
                "components": list(previous.components),
                "sessions": previous.sessions,
                "supervising_ot": previous.supervising_ot_id or initial.get("supervising_ot"),
            }
        )
    rows = write_goal_rows({}, [_carried_row(goal) for goal in carried])
    initial.update({key: rows[key] for key in rows})
    return initial


@login_required
@require_http_methods(["GET", "POST"])
def set_package_view(request: HttpRequest, reference: str) -> HttpResponse:
    """A package of care and its goals. Goals start from the goal bank (chosen by topic, then edited) or are written
    here; after a review that decided on another block (?previous=<package>) the goals not yet met are carried over."""
    _require(request.user, Action.SET_PACKAGE)
    referral = _referral(request, reference)
    previous = _previous_package(request, referral)
    carried, met = _carried_goals(previous)
    posted = request.method == "POST"
    previous_goals = carried + met
    status = 200
    added, bank_used = 0, False
    if posted and ("add_goal" in request.POST or "use_bank" in request.POST or "remove_goal" in request.POST):
        # Buttons that change the form itself: show it again as typed, with the rows changed.
        if "use_bank" in request.POST:
            bank = goal_bank()
            chosen = [bank.get(goal_id) for goal_id in request.POST.getlist("bank_goals")]
            written = sum(1 for row in read_goal_rows(request.POST) if not row_is_blank(row))
            goals = [goal.for_child(referral.child.given_name) for goal in chosen if goal is not None]
            goals = goals[: max(MAX_GOAL_ROWS - written, 0)]
            data = add_goal_rows(request.POST, goals)
            data.setlist("bank_goals", [])
            added, bank_used = len(goals), True
        elif "add_goal" in request.POST:
            data = add_blank_goal_row(request.POST)
        else:
            row = request.POST.get("remove_goal", "")
            data = remove_goal_row(request.POST, int(row)) if row.isdigit() else request.POST
        form = PackageForm(data, previous_goals=previous_goals)
        form.show_without_errors()
    elif posted:
        form = PackageForm(request.POST, previous_goals=previous_goals)
        if form.is_valid():
            data = form.cleaned_data
            delivery = data["delivery"]
            package, status = _attempt(
                form,
                lambda: set_package(
                    referral=referral,
                    created_by=request.user,
                    type=data["type"],
                    delivery=delivery,
                    places=data["places"],
                    components=data["components"],
                    sessions=data["sessions"],
                    goals=form.goals(),
                    supervising_ot=data["supervising_ot"] if Delivery.OTA in delivery else None,
                    previous=previous,
                    review_due_on=data["review_due_on"],
                    notes=data["notes"],
                ),
            )
            if package is not None:
                count = package.goals.count()
                messages.success(request, f"{presenters.package_heading(package)} set, with {count} goals.")
                return redirect("care:show_package", package_id=package.pk)
        else:
            status = 400
    else:
        form = PackageForm(initial=_package_initial(referral, previous, carried), previous_goals=previous_goals)
        if previous is not None:
            record_view(request, previous, child_id=referral.child_id)
    return render(
        request,
        "care/package_new.jinja",
        _context(
            referral,
            form=form,
            previous=previous,
            met=met,
            added=added,
            bank_used=bank_used,
            max_goal_rows=MAX_GOAL_ROWS,
            page_title=_title(form, status, f"Set a package of care for {reference}"),
        ),
        status=status,
    )


def _package(request: HttpRequest, package_id: int) -> Package:
    return get_object_or_404(
        Package.objects.visible_to(request.user).select_related(
            "episode__referral__child",
            "supervising_ot",
            "created_by",
            "series",
            "review_appointment",
            "previous",
        ),
        pk=package_id,
    )


def _review_of(package: Package) -> Review | None:
    return Review.objects.filter(package=package).select_related("reviewed_by").first()


@login_required
@require_GET
def show_package(request: HttpRequest, package_id: int) -> HttpResponse:
    """The package: how, where and how long; its goals with their levels; its block and review appointment; and the
    review's result once reviewed."""
    _require(request.user, Action.VIEW_CLINICAL_RECORD)
    package = _package(request, package_id)
    referral = package.episode.referral
    record_view(request, package, child_id=referral.child_id)
    review = _review_of(package)
    goals = list(package.goals.select_related("carried_from").order_by("position", "id"))
    attained = dict(review.goal_ratings.values_list("goal_id", "attained")) if review else {}
    next_block = Package.objects.filter(previous=package).only("pk", "block_number").first()
    plan_block_href = reverse("appointments:plan_block", args=[referral.reference]) + f"?package={package.pk}"
    return render(
        request,
        "care/package_show.jinja",
        _context(
            referral,
            package=package,
            review=review,
            goal_rows=presenters.goal_rows(goals, attained),
            next_block=next_block,
            plan_block_href=plan_block_href,
            may_plan_block=may(request.user, Action.PLAN_BLOCK),
            may_review=may(request.user, Action.REVIEW_PACKAGE),
            page_title=f"{presenters.package_heading(package)} for {referral.reference}",
        ),
    )


# --- Review --------------------------------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def review_package_view(request: HttpRequest, package_id: int) -> HttpResponse:
    """The review after a block: each goal's level reached (its five levels described, the baseline marked), the
    COPM problems re-rated beside their earlier ratings, TOMs, and what happens next."""
    _require(request.user, Action.REVIEW_PACKAGE)
    package = _package(request, package_id)
    referral = package.episode.referral
    done = _review_of(package)
    if done is not None:
        messages.info(request, f"Block {package.block_number} has already been reviewed.")
        return redirect("care:show_review", review_id=done.pk)
    goals = list(package.goals.order_by("position", "id"))
    problems = list(
        CopmProblem.objects.filter(episode=package.episode).select_related("assessment").order_by("position", "id")
    )
    earlier = list(
        Review.objects.filter(package__episode=package.episode)
        .select_related("package")
        .prefetch_related("copm_reratings")
        .order_by("reviewed_on", "id")
    )
    posted = request.method == "POST"
    form = ReviewForm(
        request.POST if posted else None,
        initial={"reviewed_on": timezone.localdate()},
        package=package,
        goals=goals,
        problems=presenters.copm_problems_before(problems, earlier),
    )
    status = 200
    if posted and form.is_valid():
        data = form.cleaned_data
        review, status = _attempt(
            form,
            lambda: record_review(
                package=package,
                reviewed_by=request.user,
                reviewed_on=data["reviewed_on"],
                goals=form.goals(),
                copm=form.copm(),
                toms=form.toms(),
                decision=data["decision"],
                summary=data["summary"],
            ),
        )
        if review is not None:
            messages.success(
                request,
                f"Block {package.block_number} reviewed: GAS T-score {presenters.t_score(review.gas_t_score)}.",
            )
            return redirect("care:show_review", review_id=review.pk)
    elif posted:
        status = 400
    else:
        record_view(request, package, child_id=referral.child_id)
    return render(
        request,
        "care/review_new.jinja",
        _context(
            referral,
            form=form,
            package=package,
            page_title=_title(form, status, f"Review block {package.block_number} for {referral.reference}"),
        ),
        status=status,
    )


def next_step(review: Review, referral: Referral) -> dict:
    """What the review decided, as the button to do it."""
    package = review.package
    if review.decision == ReviewDecision.NEW_BLOCK:
        following = Package.objects.filter(previous=package).only("pk").first()
        if following is not None:
            return {"text": "See the next block", "href": reverse("care:show_package", args=[following.pk])}
        href = reverse("care:set_package", args=[referral.reference]) + f"?previous={package.pk}"
        return {"text": "Set the next block of treatment", "href": href}
    if review.decision == ReviewDecision.STEP_DOWN_TO_ADVICE:
        return {"text": "Give an advice pack", "href": advice_pack_href(referral.reference)}
    return {"text": "Discharge", "href": discharge_href(referral.reference)}


@login_required
@require_GET
def show_review(request: HttpRequest, review_id: int) -> HttpResponse:
    """The review: each goal's level reached and the GAS T-score, COPM per problem and in total with the change,
    TOMs change, and the next step."""
    _require(request.user, Action.VIEW_CLINICAL_RECORD)
    review = get_object_or_404(
        Review.objects.visible_to(request.user).select_related("package__episode__referral__child", "reviewed_by"),
        pk=review_id,
    )
    package = review.package
    referral = package.episode.referral
    record_view(request, review, child_id=referral.child_id)
    attained = dict(review.goal_ratings.values_list("goal_id", "attained"))
    goals = list(package.goals.select_related("carried_from").order_by("position", "id"))
    change = copm_change_for_review(review)
    toms_end = TomsRating.objects.filter(review=review).first()
    toms_start = (
        TomsRating.objects.filter(episode=package.episode, stage=TomsStage.START).order_by("rated_on", "id").first()
    )
    return render(
        request,
        "care/review_show.jinja",
        _context(
            referral,
            review=review,
            package=package,
            goal_rows=presenters.goal_rows(goals, attained),
            copm_rows=presenters.copm_rows(change),
            copm_totals=presenters.copm_totals(change),
            toms_rows=presenters.toms_rows(toms_start, toms_end),
            next_step=next_step(review, referral),
            may_act=may(request.user, _NEXT_STEP_ACTIONS[review.decision]),
            page_title=f"Review of block {package.block_number} for {referral.reference}",
        ),
    )


_NEXT_STEP_ACTIONS = {
    ReviewDecision.NEW_BLOCK: Action.SET_PACKAGE,
    ReviewDecision.STEP_DOWN_TO_ADVICE: Action.GIVE_ADVICE,
    ReviewDecision.DISCHARGE: Action.DISCHARGE,
}


# --- Reviews due ---------------------------------------------------------------------------------------------------


@login_required
@require_GET
def reviews_due_view(request: HttpRequest) -> HttpResponse:
    """The signed-in clinician's packages due for review (team leads may look at another clinician's)."""
    _require(request.user, Action.VIEW_CLINICAL_RECORD)
    may_choose = may(request.user, Action.VIEW_ALL_CASELOADS)
    form = ReviewsDueForm(request.GET or None)
    clinician, within_days = request.user, 14
    if form.is_bound and form.is_valid():
        if may_choose and form.cleaned_data["clinician"] is not None:
            clinician = form.cleaned_data["clinician"]
        within_days = form.cleaned_data["within_days"] or 14
    today = timezone.localdate()
    packages = list(
        reviews_due(clinician=clinician, today=today, within_days=within_days).filter(
            episode__referral__in=Referral.objects.visible_to(request.user)
        )
    )
    rows = [
        {
            "package": package,
            "referral": package.episode.referral,
            "due": presenters.review_due_text(package),
            "tag": presenters.review_tag(package, today),
        }
        for package in packages
    ]
    return render(
        request,
        "care/reviews_due.jinja",
        {
            "form": form,
            "may_choose": may_choose,
            "clinician": clinician,
            "within_days": within_days,
            "rows": rows,
            "presenters": presenters,
            "may_review": may(request.user, Action.REVIEW_PACKAGE),
            "page_title": "Reviews due",
            "active_nav": "caseloads",
        },
    )


# --- The goal bank -------------------------------------------------------------------------------------------------


@login_required
@require_GET
def show_goal_bank(request: HttpRequest) -> HttpResponse:
    """The goal bank by topic, each goal with its five levels: what the package page offers to start from."""
    _require(request.user, Action.VIEW_CLINICAL_RECORD)
    bank = goal_bank()
    return render(
        request,
        "care/goal_bank.jinja",
        {
            "bank": bank,
            "topics": [{"topic": topic, "goals": bank.in_topic(topic.id)} for topic in bank.topics],
            "presenters": presenters,
            "page_title": "Goal bank",
            "active_nav": "caseloads",
        },
    )
