from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from paedot.staff.services import DEMO_DEVICE_NAME, DEMO_TOTP_KEY


class Command(BaseCommand):
    help = (
        "Print the current 6-digit two-factor code of a synthetic demo account (one whose authenticator device is "
        "the published demo device). Refuses every other account."
    )

    def add_arguments(self, parser):
        parser.add_argument("username")

    def handle(self, *args, username, **options):
        # Only the device seed_demo gives (named "demo" and holding the published key), so this can never read out
        # a real person's code, even for a real device someone named "demo".
        device = TOTPDevice.objects.filter(
            user__username=username, user__is_active=True, name=DEMO_DEVICE_NAME, key=DEMO_TOTP_KEY, confirmed=True
        ).first()
        if device is None:
            raise CommandError(f"{username!r} is not a demo account: only demo accounts' codes can be shown.")
        code = totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits, drift=device.drift)
        self.stdout.write(f"{code:0{device.digits}d}")
