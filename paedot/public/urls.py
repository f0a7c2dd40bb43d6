from django.urls import path

from paedot.public import views

app_name = "public"

urlpatterns = [
    path("", views.service_page, name="service_page"),
]
