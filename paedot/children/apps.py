from django.apps import AppConfig


class ChildrenConfig(AppConfig):
    name = "paedot.children"
    verbose_name = "Children and families"
