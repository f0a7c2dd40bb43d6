from django.apps import AppConfig


class FhirConfig(AppConfig):
    name = "paedot.fhir"
    verbose_name = "FHIR R4 read interface for other NHS systems"
