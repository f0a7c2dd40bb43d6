from django.apps import AppConfig


class GroupsConfig(AppConfig):
    name = "paedot.groups"
    verbose_name = "Group programmes"
