from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "paedot.notifications"
    verbose_name = "Notifications: email, SMS and the outbox"
