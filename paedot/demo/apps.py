from django.apps import AppConfig


class DemoConfig(AppConfig):
    name = "paedot.demo"
    verbose_name = "Synthetic demo data"
