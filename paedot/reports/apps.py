from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "paedot.reports"
    verbose_name = "Service reports and national returns"
