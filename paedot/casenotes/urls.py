from django.urls import path

from paedot.casenotes import views

app_name = "casenotes"

urlpatterns = [
    # Before the referral's pages, so "countersign" is never read as a referral reference.
    path("countersign", views.countersignature_queue_view, name="countersignature_queue"),
    path("countersign/<int:note_id>", views.countersign_view, name="countersign"),
    path("<str:reference>/", views.referral_notes, name="referral_notes"),
    path("<str:reference>/new", views.write_note_view, name="write_note"),
    path("<str:reference>/<int:note_id>/edit", views.edit_draft_view, name="edit_draft"),
    path("<str:reference>/<int:note_id>/addenda", views.add_addendum_view, name="add_addendum"),
]
