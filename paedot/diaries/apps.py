from django.apps import AppConfig


class DiariesConfig(AppConfig):
    name = "paedot.diaries"
    verbose_name = "Diaries: places, working patterns, leave and closures"
