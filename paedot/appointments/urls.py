from django.urls import path

from paedot.appointments import views, views_ics

app_name = "appointments"

urlpatterns = [
    path("<int:appointment_id>.ics", views_ics.download_calendar_file, name="download_calendar_file"),
    path("book/<str:reference>", views.book_appointment_view, name="book_appointment"),
    path("block/<str:reference>", views.plan_block_view, name="plan_block"),
    path("block/<str:reference>/<int:series_id>", views.show_block, name="show_block"),
    path("<int:appointment_id>", views.show_appointment, name="show_appointment"),
    path("<int:appointment_id>/outcome", views.record_outcome_view, name="record_outcome"),
    path("<int:appointment_id>/cancel", views.cancel_appointment_view, name="cancel_appointment"),
    path("<int:appointment_id>/move", views.move_appointment_view, name="move_appointment"),
    path("attendance-flags/<int:flag_id>/review", views.review_attendance_flag_view, name="review_attendance_flag"),
]
