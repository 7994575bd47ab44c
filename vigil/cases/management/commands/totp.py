"""``vigil totp <user>``: the current code of a *demo* user's authenticator (demo databases only)."""

from __future__ import annotations

import time
from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice


class Command(BaseCommand):
    help = "Print the current TOTP code of a demo user (refused for real users' devices)."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("username")

    def handle(self, *args: Any, **options: Any) -> None:
        # Only devices that `vigil demo` created carry the name "demo"; a real user's
        # enrolled authenticator is never readable from here.
        device = TOTPDevice.objects.filter(
            user__username=options["username"], name="demo", confirmed=True
        ).first()
        if device is None:
            raise CommandError(
                f"{options['username']} has no demo authenticator (only `vigil demo` users do)"
            )
        code = totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits, drift=device.drift)
        remaining = device.step - int(time.time() - device.t0) % device.step
        self.stdout.write(f"{code:0{device.digits}d}  (valid for {remaining} more seconds)")
