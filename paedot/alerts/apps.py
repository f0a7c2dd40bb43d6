from django.apps import AppConfig


class AlertsConfig(AppConfig):
    name = "paedot.alerts"
    verbose_name = "Alerts on a child's record (safeguarding, contact, risks on visits, communication)"
