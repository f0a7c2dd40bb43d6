from django.apps import AppConfig


class LettersConfig(AppConfig):
    name = "paedot.letters"
    verbose_name = "Letters"
