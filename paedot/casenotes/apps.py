from django.apps import AppConfig


class CasenotesConfig(AppConfig):
    name = "paedot.casenotes"
    verbose_name = "Clinical notes, addenda and countersignature"
