from django.urls import path

from paedot.waiting_list import views

app_name = "waiting_list"

urlpatterns: list = []
