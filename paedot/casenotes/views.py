"""Staff pages for clinical notes: a child's notes (with addenda and countersignatures), writing the note of a
contact, changing one's own draft, and an OT's countersignature queue. Every change goes through
paedot.casenotes.services; notes are found only through the referrals this person may see."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import F, Prefetch, Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from paedot.appointments import presenters as appointment_presenters
from paedot.appointments.models import Appointment
from paedot.casenotes import presenters, rules
from paedot.casenotes.forms import AddendumForm, DraftForm, NoteForm
from paedot.casenotes.models import Addendum, ClinicalNote, NoteStatus
from paedot.casenotes.services import (
    NoteError,
    add_addendum,
    countersign,
    countersignature_queue,
    edit_draft,
    sign_note,
    write_note,
)
from paedot.core.audit import Actions, origin_of, record_view
from paedot.core.models import AuditEvent
from paedot.referrals.models import Referral
from paedot.referrals.services.journey import NotAllowed, TransitionRefused
from paedot.staff.models import Role
from paedot.staff.rules import Action, may, refusal


def _require(user, action: Action) -> None:
    if not may(user, action):
        raise PermissionDenied(refusal(action))


def _referral(request: HttpRequest, reference: str) -> Referral:
    return get_object_or_404(
        Referral.objects.visible_to(request.user).select_related("child", "clinician"), reference=reference
    )


def _notes_href(referral: Referral, note: ClinicalNote | None = None) -> str:
    href = reverse("casenotes:referral_notes", args=[referral.reference])
    return f"{href}#note-{note.pk}" if note is not None else href


def _attempt(form, call):
    """Call a service; its refusals become errors on the form (and an HTTP status), never a 500.
    Returns (result, status)."""
    try:
        return call(), 200
    except NotAllowed as not_allowed:
        raise PermissionDenied(str(not_allowed)) from not_allowed
    except TransitionRefused as refused:
        form.add_error(None, str(refused))
        return None, 409
    except NoteError as problem:
        form.add_error(problem.field if problem.field in form.fields else None, problem.message)
        return None, 400
    except ValueError as problem:
        form.add_error(None, str(problem))
        return None, 400


def _may_countersign(user, note: ClinicalNote) -> bool:
    """Needs the note's author fetched with it."""
    return (
        may(user, Action.COUNTERSIGN)
        and rules.countersign_refusal(
            status=note.status,
            is_author=note.author_id == user.pk,
            is_authors_supervisor=note.author.supervisor_id == user.pk,
            is_team_lead=user.role == Role.TEAM_LEAD,
        )
        is None
    )


@dataclass(frozen=True)
class NoteRow:
    """One note as the child's notes page shows it."""

    note: ClinicalNote
    tag: dict[str, str]
    contact: str
    signature: str
    countersignature: str
    addenda: list[Addendum]
    may_edit: bool
    may_countersign: bool
    addendum_form: AddendumForm | None


def _show_notes(
    request: HttpRequest, referral: Referral, *, addendum_forms: dict[int, AddendumForm] | None = None, status=200
) -> HttpResponse:
    user = request.user
    addendum_forms = addendum_forms or {}
    may_write = may(user, Action.WRITE_NOTE)
    notes = (
        ClinicalNote.objects.readable_by(user)
        .filter(referral=referral)
        .select_related("author__supervisor", "appointment", "countersigned_by")
        .prefetch_related(Prefetch("addenda", queryset=Addendum.objects.select_related("author")))
        .order_by("-contact_on", F("contact_at").desc(nulls_last=True), "-id")
    )
    rows = [
        NoteRow(
            note=note,
            tag=presenters.status_tag(note),
            contact=presenters.contact(note),
            signature=presenters.signature(note),
            countersignature=presenters.countersignature(note),
            addenda=list(note.addenda.all()),
            may_edit=note.is_draft and note.author_id == user.pk and may_write,
            may_countersign=_may_countersign(user, note),
            addendum_form=(
                addendum_forms.get(note.pk) or AddendumForm(prefix=f"note-{note.pk}")
                if may_write and not note.is_draft
                else None
            ),
        )
        for note in notes
    ]
    failed = next(iter(addendum_forms.values()), None)
    return render(
        request,
        "casenotes/referral_notes.jinja",
        {
            "referral": referral,
            "rows": rows,
            "failed_form": failed,
            "may_write": may_write,
            "page_title": ("Error: " if status >= 400 else "") + f"Notes for {referral.reference}",
            "back_href": reverse("referrals:show_referral", args=[referral.reference]),
            "active_nav": "inbox",
        },
        status=status,
    )


@login_required
def referral_notes(request: HttpRequest, reference: str) -> HttpResponse:
    """Every note of this child's referral, newest contact first, with its addenda and countersignature."""
    _require(request.user, Action.VIEW_CLINICAL_RECORD)
    referral = _referral(request, reference)
    record_view(request, referral, child_id=referral.child_id)
    return _show_notes(request, referral)


def _appointment_for(referral: Referral, appointment_id: str) -> Appointment:
    """The child's own appointment, or a group session the child is on the register of."""
    if not appointment_id.isdigit():
        raise Http404("No such appointment.")
    return get_object_or_404(
        Appointment.objects.filter(Q(referral=referral) | Q(referral__isnull=True, attendances__referral=referral))
        .select_related("clinician", "location")
        .distinct(),
        pk=int(appointment_id),
    )


@login_required
@require_http_methods(["GET", "POST"])
def write_note_view(request: HttpRequest, reference: str) -> HttpResponse:
    """The note of a contact: an appointment's (?appointment=<id>), or a call, an email, school liaison or a
    meeting. "Save as draft" keeps it to change later; "Sign" makes it part of the record."""
    user = request.user
    _require(user, Action.WRITE_NOTE)
    referral = _referral(request, reference)
    appointment_id = request.GET.get("appointment", "")
    appointment = _appointment_for(referral, appointment_id) if appointment_id else None
    posted = request.method == "POST"
    form = NoteForm(request.POST if posted else None, appointment=appointment)
    status = 200
    if posted and form.is_valid():
        data = form.cleaned_data
        sign = request.POST.get("action") == "sign"
        note, status = _attempt(
            form,
            lambda: write_note(
                appointment=appointment,
                referral=referral,
                contact_kind=data.get("contact_kind", ""),
                contact_on=data.get("contact_on"),
                contact_at=data.get("contact_at"),
                body=data["body"],
                author=user,
                sign=sign,
            ),
        )
        if note is not None:
            messages.success(request, _saved_message(note))
            return redirect(_notes_href(referral, note))
    elif posted:
        status = 400
    earlier = None
    refused = None
    if appointment is not None:
        earlier = ClinicalNote.objects.filter(appointment=appointment, referral=referral, author=user).first()
        refused = rules.appointment_note_refusal(
            cancelled=appointment.cancelled, has_happened=appointment.start <= timezone.now()
        )
    return render(
        request,
        "casenotes/write_note.jinja",
        {
            "referral": referral,
            "appointment": appointment,
            "appointment_when": appointment_presenters.when(appointment) if appointment else "",
            "form": form,
            "earlier": earlier,
            "refused": refused,
            "countersigner": _countersigner(user),
            "page_title": ("Error: " if form.errors else "") + f"Write a note for {referral.reference}",
            "back_href": (
                reverse("appointments:show_appointment", args=[appointment.pk])
                if appointment
                else _notes_href(referral)
            ),
            "active_nav": "inbox",
        },
        status=status,
    )


def _countersigner(user) -> str:
    """For an OT assistant: who their signed notes go to."""
    if user.role != Role.OTA:
        return ""
    return user.supervisor.display_name if user.supervisor_id else "a team lead"


def _saved_message(note: ClinicalNote) -> str:
    if note.status == NoteStatus.DRAFT:
        return "Note saved as a draft. Sign it when it is finished."
    if note.status == NoteStatus.AWAITING_COUNTERSIGNATURE:
        return f"Note signed. It now waits for countersignature by {_countersigner(note.author)}."
    return "Note signed."


def _readable_note(request: HttpRequest, referral: Referral, note_id: int) -> ClinicalNote:
    return get_object_or_404(
        ClinicalNote.objects.readable_by(request.user)
        .filter(referral=referral)
        .select_related("author", "appointment"),
        pk=note_id,
    )


@login_required
@require_http_methods(["GET", "POST"])
def edit_draft_view(request: HttpRequest, reference: str, note_id: int) -> HttpResponse:
    """The author changes their draft, then saves it again or signs it. A signed note is never changed."""
    user = request.user
    _require(user, Action.WRITE_NOTE)
    referral = _referral(request, reference)
    note = _readable_note(request, referral, note_id)
    edit_refused = rules.edit_refusal(status=note.status, is_author=note.author_id == user.pk)
    if edit_refused is not None:
        if not edit_refused.about_the_note:
            raise PermissionDenied(edit_refused.message)
        messages.error(request, edit_refused.message)
        return redirect(_notes_href(referral, note))
    posted = request.method == "POST"
    form = DraftForm(request.POST if posted else None, initial={"body": note.body})
    status = 200
    if posted and form.is_valid():
        body = form.cleaned_data["body"]
        changed, status = _attempt(form, lambda: edit_draft(note=note, body=body, by=user))
        if changed is not None and request.POST.get("action") == "sign":
            changed, status = _attempt(form, lambda: sign_note(note=changed, by=user))
        if changed is not None:
            messages.success(request, _saved_message(changed))
            return redirect(_notes_href(referral, changed))
    elif posted:
        status = 400
    record_view(request, note, child_id=referral.child_id)
    return render(
        request,
        "casenotes/edit_draft.jinja",
        {
            "referral": referral,
            "note": note,
            "contact": presenters.contact(note),
            "form": form,
            "countersigner": _countersigner(user),
            "page_title": ("Error: " if form.errors else "") + f"Change your draft note for {referral.reference}",
            "back_href": _notes_href(referral, note),
            "active_nav": "inbox",
        },
        status=status,
    )


@login_required
@require_POST
def add_addendum_view(request: HttpRequest, reference: str, note_id: int) -> HttpResponse:
    """A correction or addition to a signed note; the note itself stays as it was signed."""
    user = request.user
    _require(user, Action.WRITE_NOTE)
    referral = _referral(request, reference)
    note = _readable_note(request, referral, note_id)
    form = AddendumForm(request.POST, prefix=f"note-{note.pk}")
    if not form.is_valid():
        return _show_notes(request, referral, addendum_forms={note.pk: form}, status=400)
    addendum, status = _attempt(form, lambda: add_addendum(note=note, body=form.cleaned_data["body"], by=user))
    if addendum is None:
        return _show_notes(request, referral, addendum_forms={note.pk: form}, status=status)
    messages.success(request, "Addendum added. The note itself is unchanged.")
    return redirect(_notes_href(referral, note))


# Where the countersign button sends the OT back to: a choice, never a URL (no open redirect).
_RETURN_TO_QUEUE = "queue"


@login_required
@require_POST
def countersign_view(request: HttpRequest, note_id: int) -> HttpResponse:
    user = request.user
    _require(user, Action.COUNTERSIGN)
    note = get_object_or_404(ClinicalNote.objects.readable_by(user).select_related("referral", "author"), pk=note_id)
    try:
        countersign(note=note, by=user)
        messages.success(request, f"Note by {note.author.display_name} countersigned.")
    except NotAllowed as not_allowed:
        raise PermissionDenied(str(not_allowed)) from not_allowed
    except TransitionRefused as refused:
        messages.error(request, str(refused))
    if request.POST.get("return_to") == _RETURN_TO_QUEUE:
        return redirect("casenotes:countersignature_queue")
    return redirect(_notes_href(note.referral, note))


def _record_views(request: HttpRequest, notes: list[ClinicalNote]) -> None:
    """One "record viewed" event per note shown, as record_view writes them, in one INSERT: the queue lists many
    children's notes, and its cost must not grow with its length."""
    if not notes:
        return
    user = request.user
    origin = origin_of(request)
    AuditEvent.objects.bulk_create(
        AuditEvent(
            action=Actions.RECORD_VIEWED,
            actor=user,
            actor_label=user.get_username(),
            object_type=ClinicalNote._meta.label_lower,
            object_id=str(note.pk),
            child_id=note.referral.child_id,
            ip_address=origin.ip_address,
            user_agent=origin.user_agent,
            detail={"method": request.method, "path": request.path},
        )
        for note in notes
    )


@login_required
def countersignature_queue_view(request: HttpRequest) -> HttpResponse:
    """The notes of this OT's assistants (a team lead: everyone's) waiting for countersignature, oldest first."""
    user = request.user
    _require(user, Action.COUNTERSIGN)
    notes = list(countersignature_queue(user))
    _record_views(request, notes)
    return render(
        request,
        "casenotes/countersignature_queue.jinja",
        {
            "notes": notes,
            "presenters": presenters,
            "is_team_lead": user.role == Role.TEAM_LEAD,
            "return_to": _RETURN_TO_QUEUE,
            "page_title": f"Notes to countersign ({len(notes)})",
            "active_nav": "caseloads",
        },
    )
