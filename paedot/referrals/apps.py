from django.apps import AppConfig


class ReferralsConfig(AppConfig):
    name = "paedot.referrals"
    verbose_name = "Referrals"
