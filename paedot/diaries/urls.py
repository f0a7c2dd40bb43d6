import datetime as dt

from django.urls import path, register_converter

from paedot.diaries import views

app_name = "diaries"


class DiaryDateConverter:
    """A date in a diary's address: /day/2027-01-11."""

    regex = r"\d{4}-\d{2}-\d{2}"

    def to_python(self, value: str) -> dt.date:
        return dt.date.fromisoformat(value)  # a ValueError here is a 404

    def to_url(self, value: dt.date | str) -> str:
        return value.isoformat() if isinstance(value, dt.date) else value


register_converter(DiaryDateConverter, "diary_date")

urlpatterns = [
    path("", views.choose_diary, name="choose_diary"),
    path("closures", views.manage_closures, name="manage_closures"),
    path("closures/<int:closure_id>/remove", views.remove_closure, name="remove_closure"),
    path("clinicians/<str:username>/week", views.clinician_week, name="clinician_week"),
    path("clinicians/<str:username>/day/<diary_date:day>", views.clinician_day, name="clinician_day"),
    path("clinicians/<str:username>/day/<diary_date:day>/print", views.print_day_list, name="print_day_list"),
    path("clinicians/<str:username>/working-pattern", views.edit_working_pattern, name="edit_working_pattern"),
    path("clinicians/<str:username>/absences", views.manage_absences, name="manage_absences"),
    path("clinicians/<str:username>/absences/<int:absence_id>/remove", views.remove_absence, name="remove_absence"),
    path("locations/<int:location_id>/week", views.location_week, name="location_week"),
    path("locations/<int:location_id>/day/<diary_date:day>", views.location_day, name="location_day"),
]
