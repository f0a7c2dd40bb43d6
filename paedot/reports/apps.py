from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "paedot.reports"
    verbose_name = "Service reports and national returns"

    def ready(self) -> None:
        from paedot.reports import totals

        totals.connect()
