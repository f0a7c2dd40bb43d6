from django.urls import path

from paedot.core import views

app_name = "audit"

urlpatterns = [
    path("", views.search_audit_trail, name="search_audit_trail"),
    path("export.csv", views.export_audit_trail, name="export_audit_trail"),
]
