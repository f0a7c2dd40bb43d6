"""The record around the clinical work: episode page, timeline, equipment, consent to share, discharge, documents.
Mounted at /staff/care/ in the "care" namespace (paedot/care/urls.py)."""

from django.urls import path

from paedot.care.views import record

urlpatterns = [
    path("equipment-due", record.equipment_due, name="equipment_due"),
    path("<str:reference>/", record.show_episode, name="show_episode"),
    path("<str:reference>/timeline", record.show_timeline, name="timeline"),
    path("<str:reference>/equipment/new", record.issue_equipment, name="issue_equipment"),
    path("<str:reference>/equipment/<int:issue_id>/review", record.review_equipment, name="review_equipment"),
    path("<str:reference>/equipment/<int:issue_id>/return", record.return_equipment, name="return_equipment"),
    path("<str:reference>/consent", record.record_consent_view, name="record_consent"),
    path("<str:reference>/discharge", record.discharge_episode_view, name="discharge_episode"),
    path("<str:reference>/reports/new", record.issue_report, name="issue_report"),
    path("<str:reference>/documents", record.documents, name="documents"),
]
