from django.urls import path

from paedot.referrals import online_views

app_name = "refer"

urlpatterns = [
    path("", online_views.start, name="start"),
    path("check-your-answers", online_views.check_answers, name="check_answers"),
    path("sent", online_views.confirmation, name="confirmation"),
    path("<slug:slug>", online_views.page, name="page"),
]
