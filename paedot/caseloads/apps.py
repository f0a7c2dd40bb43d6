from django.apps import AppConfig


class CaseloadsConfig(AppConfig):
    name = "paedot.caseloads"
    verbose_name = "Allocation and caseloads"
