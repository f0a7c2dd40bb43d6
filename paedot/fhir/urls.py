"""/fhir/: the FHIR R4 read interface (docs/fhir.md). Resource paths are FHIR's own, so they are capitalised."""

from django.urls import path, re_path

from paedot.fhir import views

app_name = "fhir"

urlpatterns = [
    path("metadata", views.capability_statement, name="capability_statement"),
    path("Patient", views.search_patients, name="search_patients"),
    path("Patient/_search", views.search_patients_by_post, name="search_patients_by_post"),
    path("Patient/<str:pk>", views.read_patient, name="read_patient"),
    # One address, two interactions (search with GET, a referral sent with POST): named for each, so reverse() and
    # the route walk (paedot/tests/route_rules.py) know both. Django resolves the first; the view tells them apart.
    path("ServiceRequest", views.service_requests, name="search_service_requests"),
    path("ServiceRequest", views.service_requests, name="create_service_request"),
    path("ServiceRequest/<str:pk>", views.read_service_request, name="read_service_request"),
    path("EpisodeOfCare", views.search_episodes_of_care, name="search_episodes_of_care"),
    path("EpisodeOfCare/<str:pk>", views.read_episode_of_care, name="read_episode_of_care"),
    path("Appointment", views.search_appointments, name="search_appointments"),
    path("Appointment/<str:pk>", views.read_appointment, name="read_appointment"),
    path("CarePlan", views.search_care_plans, name="search_care_plans"),
    path("CarePlan/<str:pk>", views.read_care_plan, name="read_care_plan"),
    path("Goal", views.search_goals, name="search_goals"),
    path("Goal/<str:pk>", views.read_goal, name="read_goal"),
    path("Observation", views.search_observations, name="search_observations"),
    path("Observation/<str:pk>", views.read_observation, name="read_observation"),
    path("Flag", views.search_flags, name="search_flags"),
    path("Flag/<str:pk>", views.read_flag, name="read_flag"),
    # Anything else (another resource type, an operation, /fhir/ itself): an OperationOutcome, not an HTML page.
    re_path(r"^.*$", views.unknown, name="unknown"),
]
