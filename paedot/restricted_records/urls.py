from django.urls import path

from paedot.restricted_records import views

app_name = "restricted_records"

urlpatterns = [
    path("<str:reference>/break-glass", views.break_glass, name="break_glass"),
    path("<str:reference>/restrict", views.restrict, name="restrict"),
]
