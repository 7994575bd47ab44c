"""Audited writes for users, roles, API tokens and the taxonomy."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from collections.abc import Iterable

from django.contrib.auth.models import Group
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from vigil.core import audit, roles
from vigil.core.choices import Role
from vigil.core.models import ApiToken, LegalBasis, Organisation, User
from vigil.errors import Conflict, InvalidInput

TOKEN_PREFIX = "vgl_"  # noqa: S105 - a public marker, not a secret


def hash_token(raw: str) -> str:
    """SHA-256 of a token: tokens are long random strings, so no slow hash is needed."""
    return hashlib.sha256(raw.encode("utf-8")).hexdigest()


def issue_token(*, actor: User, user: User, name: str, days: int | None = 365) -> tuple[ApiToken, str]:
    """Create an API token for ``user``; the raw value is returned once and never stored."""
    if actor.pk != user.pk:
        roles.require(actor, "taxonomy.edit")
    name = name.strip()
    if not name:
        raise InvalidInput(_("Give the token a name, e.g. the machine that will use it."))
    raw = TOKEN_PREFIX + secrets.token_urlsafe(32)
    expires = timezone.now() + dt.timedelta(days=days) if days else None
    with transaction.atomic():
        token = ApiToken.objects.create(
            user=user,
            name=name[:100],
            prefix=raw[:12],
            key_hash=hash_token(raw),
            expires_at=expires,
        )
        audit.record(
            actor=actor,
            action="token.issued",
            obj=token,
            changes={"user": [None, user.get_username()], "expires_at": [None, expires]},
        )
    return token, raw


def revoke_token(*, actor: User, token: ApiToken) -> ApiToken:
    """Revoke a token; revoked tokens stop working at once."""
    if actor.pk != token.user_id:
        roles.require(actor, "taxonomy.edit")
    if token.revoked_at is not None:
        raise Conflict(_("This token is already revoked."))
    with transaction.atomic():
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        audit.record(actor=actor, action="token.revoked", obj=token)
    return token


def authenticate_token(raw: str) -> User | None:
    """The active user a raw API token belongs to, or None."""
    if not raw.startswith(TOKEN_PREFIX):
        return None
    token = ApiToken.objects.select_related("user").filter(key_hash=hash_token(raw)).first()
    if token is None or not token.is_usable or not token.user.is_active:
        return None
    now = timezone.now()
    # Touch at most once a minute: a busy API client must not write on every request.
    if token.last_used_at is None or now - token.last_used_at > dt.timedelta(minutes=1):
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.user


def set_roles(*, actor: User | None, user: User, role_names: Iterable[str]) -> None:
    """Replace a user's roles (groups), audited."""
    wanted = sorted(set(role_names))
    unknown = [name for name in wanted if name not in Role.values]
    if unknown:
        raise InvalidInput(_("Unknown role: %(roles)s") % {"roles": ", ".join(unknown)})
    if actor is not None:
        roles.require(actor, "taxonomy.edit")
    with transaction.atomic():
        before = sorted(user.groups.filter(name__in=Role.values).values_list("name", flat=True))
        groups = [Group.objects.get_or_create(name=name)[0] for name in wanted]
        user.groups.remove(*user.groups.filter(name__in=Role.values))
        user.groups.add(*groups)
        if hasattr(user, "_vigil_roles"):
            del user._vigil_roles
        audit.record(actor=actor, action="user.roles_set", obj=user, changes={"roles": [before, wanted]})


def create_user(
    *,
    actor: User | None,
    username: str,
    password: str | None,
    organisation: Organisation | None,
    role_names: Iterable[str],
    email: str = "",
    full_name: str = "",
    is_superuser: bool = False,
) -> User:
    """Create a user with roles, audited; ``actor`` None means the command line."""
    if User.objects.filter(username=username).exists():
        raise Conflict(_("A user named %(name)s already exists.") % {"name": username})
    first, _sep, last = full_name.partition(" ")
    with transaction.atomic():
        user = User(
            username=username,
            email=email,
            organisation=organisation,
            first_name=first,
            last_name=last,
            is_staff=is_superuser,
            is_superuser=is_superuser,
        )
        if password:
            user.set_password(password)
        else:
            user.set_unusable_password()
        user.save()
        audit.record(
            actor=actor,
            action="user.created",
            obj=user,
            changes={"organisation": [None, organisation.code if organisation else None]},
        )
        set_roles(actor=None, user=user, role_names=role_names)
    return user


def verify_legal_basis(*, actor: User, basis: LegalBasis) -> LegalBasis:
    """Mark a seeded legal basis as checked by the legal officer."""
    roles.require(actor, "legal_basis.verify")
    if basis.verified:
        raise Conflict(_("This legal basis is already verified."))
    with transaction.atomic():
        basis.verified, basis.verified_by, basis.verified_at = True, actor, timezone.now()
        basis.save(update_fields=["verified", "verified_by", "verified_at"])
        audit.record(
            actor=actor,
            action="legal_basis.verified",
            obj=basis,
            changes={"verified": [False, True]},
        )
    return basis
