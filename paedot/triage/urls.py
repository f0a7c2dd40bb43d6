from django.urls import path

from paedot.triage import views

app_name = "triage"

urlpatterns = [
    path("", views.show_queue, name="show_queue"),
    path("<str:reference>", views.triage_referral_view, name="triage_referral"),
]
