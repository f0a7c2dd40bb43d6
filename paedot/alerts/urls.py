from django.urls import path

from paedot.alerts import views

app_name = "alerts"

urlpatterns = [
    path("<str:reference>/alerts", views.referral_alerts, name="referral_alerts"),
    path("<str:reference>/alerts/new", views.raise_alert_view, name="raise_alert"),
    path("<str:reference>/alerts/<int:alert_id>/review", views.review_alert_view, name="review_alert"),
    path("<str:reference>/alerts/<int:alert_id>/end", views.end_alert_view, name="end_alert"),
]
