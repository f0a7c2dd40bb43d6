from django.apps import AppConfig


class NhsukFormsConfig(AppConfig):
    name = "paedot.nhsuk_forms"
    verbose_name = "NHS design-system form rendering"
