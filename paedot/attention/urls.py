from django.urls import path

from paedot.attention import views

app_name = "attention"

urlpatterns = [
    path("", views.show_attention, name="show_attention"),
]
