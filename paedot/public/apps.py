from django.apps import AppConfig


class PublicConfig(AppConfig):
    name = "paedot.public"
    verbose_name = "Public pages"
