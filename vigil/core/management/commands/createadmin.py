"""``vigil createadmin``: the first administrator, with a department organisation if none exists."""

from __future__ import annotations

import getpass
from argparse import ArgumentParser
from typing import Any

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from vigil.core import services
from vigil.core.choices import OrganisationKind, Role
from vigil.core.models import Organisation
from vigil.errors import VigilError


class Command(BaseCommand):
    help = "Create an administrator (superuser with the admin role); asks for the password."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("username")
        parser.add_argument("--email", default="")
        parser.add_argument(
            "--organisation",
            default="department",
            help="organisation code (created as the department if missing)",
        )
        parser.add_argument("--organisation-name", default="Sở Thông tin và Truyền thông")
        parser.add_argument("--password-stdin", action="store_true", help="read the password from stdin")
        parser.add_argument("--roles", default="admin", help="comma-separated roles (default: admin)")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["password_stdin"]:
            import sys

            password = sys.stdin.readline().rstrip("\n")
        else:
            password = getpass.getpass("Password: ")
            if password != getpass.getpass("Password (again): "):
                raise CommandError("the passwords differ")
        try:
            validate_password(password)
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from exc
        organisation, _created = Organisation.objects.get_or_create(
            code=options["organisation"],
            defaults={"name": options["organisation_name"], "kind": OrganisationKind.DEPARTMENT},
        )
        role_names = [name.strip() for name in options["roles"].split(",") if name.strip()]
        unknown = set(role_names) - set(Role.values)
        if unknown:
            raise CommandError(
                f"unknown roles: {', '.join(sorted(unknown))}; known: {', '.join(Role.values)}"
            )
        try:
            user = services.create_user(
                actor=None,
                username=options["username"],
                password=password,
                organisation=organisation,
                role_names=role_names,
                email=options["email"],
                is_superuser="admin" in role_names,
            )
        except VigilError as exc:
            raise CommandError(exc.message) from exc
        self.stdout.write(
            self.style.SUCCESS(
                f"created {user.username} ({', '.join(role_names)}) in {organisation.code}; "
                "the first log-in asks them to enrol an authenticator app (TOTP)"
            )
        )
