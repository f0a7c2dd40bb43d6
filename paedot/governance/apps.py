from django.apps import AppConfig


class GovernanceConfig(AppConfig):
    name = "paedot.governance"
    verbose_name = "Information governance: subject access and retention"
