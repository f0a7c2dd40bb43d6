from django.urls import path

from paedot.groups import views

app_name = "groups"

urlpatterns = [
    path("", views.list_programmes, name="list_programmes"),
    path("new", views.create, name="create_programme"),
    path("<int:pk>/", views.show_programme, name="show_programme"),
    path("<int:pk>/sessions/new", views.schedule, name="schedule_sessions"),
    path("<int:pk>/sessions/<int:appointment_id>/", views.show_register, name="show_register"),
    path("<int:pk>/enrol", views.enrol_from_waiting_list, name="enrol_from_waiting_list"),
    path("<int:pk>/enrolments", views.enrol_child, name="enrol"),
    path("<int:pk>/enrolments/<int:enrolment_pk>/withdraw", views.withdraw_child, name="withdraw"),
]
