from django.apps import AppConfig


class RestrictedRecordsConfig(AppConfig):
    name = "paedot.restricted_records"
    verbose_name = "Restricted records and breaking the glass"
