from django.apps import AppConfig


class TriageConfig(AppConfig):
    name = "paedot.triage"
    verbose_name = "Triage"
