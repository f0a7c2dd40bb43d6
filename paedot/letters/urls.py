from django.urls import path

from paedot.letters import views

app_name = "letters"

urlpatterns = [
    path("<int:letter_id>.pdf", views.download_letter, name="download_letter"),
    path("", views.list_letters, name="list_letters"),
    path("posted", views.record_posted, name="record_posted"),
    path("<int:letter_id>/not-posted", views.record_not_posted, name="record_not_posted"),
]
