from django.urls import path

from paedot.referrals import views

app_name = "referrals"

urlpatterns = [
    path("", views.inbox, name="inbox"),
    path("screening", views.screening_queue, name="screening_queue"),
    path("<str:reference>", views.show_referral, name="show_referral"),
    path("<str:reference>/screen", views.screen, name="screen"),
    path("<str:reference>/information-received", views.information_received, name="information_received"),
    path("<str:reference>/discharge", views.discharge, name="discharge"),
    path("<str:reference>/possible-duplicates/new", views.flag_duplicate, name="flag_duplicate"),
    # Before the decisions' pattern, which would otherwise take "undo-merge" for a decision.
    path(
        "<str:reference>/possible-duplicates/<int:flag_id>/undo-merge",
        views.undo_merge,
        name="undo_merge",
    ),
    path(
        "<str:reference>/possible-duplicates/<int:flag_id>/<str:decision>",
        views.resolve_duplicate,
        name="resolve_duplicate",
    ),
]
