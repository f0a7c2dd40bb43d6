"""An appointment's calendar file, for staff to add to their own calendar (or send on to a family)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import HttpResponse
from django.shortcuts import get_object_or_404

from paedot.appointments.letters import calendar_file
from paedot.appointments.models import Appointment
from paedot.referrals.models import Referral
from paedot.staff.rules import Action, may


@login_required
def download_calendar_file(request, appointment_id: int):
    if not may(request.user, Action.VIEW_DIARIES):
        raise PermissionDenied
    # A child's appointment only through the referrals this user may see; a group session has no single child.
    visible = Appointment.objects.filter(
        Q(referral__in=Referral.objects.visible_to(request.user)) | Q(referral__isnull=True)
    ).select_related("location", "referral")
    appointment = get_object_or_404(visible, pk=appointment_id)
    reference = appointment.referral.reference if appointment.referral_id else ""
    response = HttpResponse(calendar_file([appointment], reference=reference), content_type="text/calendar")
    # The file name names the appointment by number only: never the child.
    response["Content-Disposition"] = f'attachment; filename="appointment-{appointment.pk}.ics"'
    response["Cache-Control"] = "no-store"
    return response
