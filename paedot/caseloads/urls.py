from django.urls import path

from paedot.caseloads import views

app_name = "caseloads"

urlpatterns = [
    path("", views.team_caseloads, name="team_caseloads"),
    path("mine", views.my_caseload, name="my_caseload"),
    path("allocate/<str:reference>", views.allocate_referral_view, name="allocate_referral"),
    path("<str:username>", views.show_caseload, name="show_caseload"),
]
