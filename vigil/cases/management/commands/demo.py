"""``vigil demo``: a demo province, and the log-ins to try it."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from vigil.demo import DEMO_PASSWORD, build_demo


class Command(BaseCommand):
    help = "Create a demo province (organisations, one user per role, a few cases) and print the log-ins."

    def handle(self, *args: Any, **options: Any) -> None:
        logins = build_demo()
        self.stdout.write(self.style.SUCCESS(f"Demo log-ins (password for all: {DEMO_PASSWORD})"))
        self.stdout.write(
            f"{'user':<10} {'role':<14} {'organisation':<18} TOTP secret (add to an authenticator app)"
        )
        for login in logins:
            self.stdout.write(
                f"{login.username:<10} {login.roles:<14} {login.organisation:<18} {login.totp_secret}"
            )
        self.stdout.write(
            "A current code without a phone:  oathtool --totp -b <secret>   "
            "or  vigil totp <user>  (demo databases only)"
        )
