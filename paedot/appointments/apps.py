from django.apps import AppConfig


class AppointmentsConfig(AppConfig):
    name = "paedot.appointments"
    verbose_name = "Appointments, blocks of treatment and outcomes"
