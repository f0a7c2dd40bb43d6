from django.apps import AppConfig


class CareConfig(AppConfig):
    name = "paedot.care"
    verbose_name = "Episodes of care: assessment, packages of care, goals and reviews"
