from django.apps import AppConfig


class WaitingListConfig(AppConfig):
    name = "paedot.waiting_list"
    verbose_name = "Waiting list and invitations"
