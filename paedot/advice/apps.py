from django.apps import AppConfig


class AdviceConfig(AppConfig):
    name = "paedot.advice"
    verbose_name = "Advice and strategies: the strategy sheet library and personalised advice packs"
