from django.urls import include, path

from paedot.config.api import api
from paedot.core import views as core_views

urlpatterns = [
    path("healthz", core_views.healthz, name="healthz"),
    path("api/", api.urls),
    path("fhir/", include("paedot.fhir.urls")),
    path("staff/", include("paedot.staff.urls")),
    path("staff/paper-referrals/", include("paedot.referrals.paper_entry_urls")),
    path("staff/referrals/", include("paedot.referrals.urls")),
    path("staff/referrals/", include("paedot.children.urls")),  # a referral's child and family: <ref>/details/...
    path("staff/referrals/", include("paedot.alerts.urls")),  # a child's alerts: <ref>/alerts/...
    path("staff/triage/", include("paedot.triage.urls")),
    path("staff/waiting-list/", include("paedot.waiting_list.urls")),
    path("staff/caseloads/", include("paedot.caseloads.urls")),
    path("staff/letters/", include("paedot.letters.urls")),
    path("staff/diaries/", include("paedot.diaries.urls")),
    path("staff/appointments/", include("paedot.appointments.urls")),
    path("staff/groups/", include("paedot.groups.urls")),
    path("staff/care/", include("paedot.care.urls")),
    path("staff/notes/", include("paedot.casenotes.urls")),
    path("staff/advice/", include("paedot.advice.urls")),
    path("staff/reports/", include("paedot.reports.urls")),
    path("staff/restricted/", include("paedot.restricted_records.urls")),
    path("staff/governance/", include("paedot.governance.urls")),
    path("staff/audit/", include("paedot.core.audit_urls")),
    path("staff/attention/", include("paedot.attention.urls")),
    path("staff/messages/", include("paedot.notifications.urls")),
    path("refer/", include("paedot.referrals.online_urls")),
    path("", include("paedot.public.urls")),
]
