from django.urls import path

from paedot.referrals import views

app_name = "referrals"

urlpatterns = [
    path("", views.inbox, name="inbox"),
    path("<str:reference>", views.show_referral, name="show_referral"),
]
