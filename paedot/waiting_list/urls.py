from django.urls import path

from paedot.waiting_list import views

app_name = "waiting_list"

urlpatterns = [
    path("", views.show_waiting_list, name="show_waiting_list"),
    path("export.csv", views.export_csv, name="export_csv"),
    path("invitations", views.show_invitations, name="show_invitations"),
    path("no-reply", views.show_no_reply, name="show_no_reply"),
    path("invitations/<int:pk>/extend", views.extend, name="extend_invitation"),
    path("invitations/<int:pk>/discharge", views.discharge, name="discharge_for_no_reply"),
    path("<str:reference>/invite", views.invite, name="invite_to_book"),
    path("<str:reference>/book", views.book, name="record_booking"),
]
