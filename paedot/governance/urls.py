from django.urls import path

from paedot.governance import views

app_name = "governance"

urlpatterns = [
    path("subject-access", views.subject_access, name="subject_access"),
    path("subject-access/download", views.download_subject_access, name="download_subject_access"),
    path("retention", views.show_retention, name="show_retention"),
    path("retention.csv", views.download_retention, name="download_retention"),
]
