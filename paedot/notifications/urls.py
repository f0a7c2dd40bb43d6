from django.urls import path

from paedot.notifications import views

app_name = "notifications"

urlpatterns = [
    path("", views.list_messages, name="list_messages"),
    path("<int:message_id>", views.show_message, name="show_message"),
    path("<int:message_id>/send-again", views.resend_message, name="resend_message"),
    path("<int:message_id>/dealt-with", views.mark_dealt_with, name="mark_dealt_with"),
]
