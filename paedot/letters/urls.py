from django.urls import path

from paedot.letters import views

app_name = "letters"

urlpatterns = [
    path("<int:letter_id>.pdf", views.download_letter, name="download_letter"),
]
