from django.apps import AppConfig


class EligibilityConfig(AppConfig):
    name = "paedot.eligibility"
    verbose_name = "Eligibility"
