from django.apps import AppConfig


class DocumentsConfig(AppConfig):
    name = "paedot.documents"
    verbose_name = "Documents"
