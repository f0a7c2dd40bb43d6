from django.apps import AppConfig


class StaffConfig(AppConfig):
    name = "paedot.staff"
    verbose_name = "Staff and API clients"
