from django.apps import AppConfig


class AttentionConfig(AppConfig):
    name = "paedot.attention"
    verbose_name = "Needs attention"
