from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "paedot.core"
    verbose_name = "Shared machinery"
