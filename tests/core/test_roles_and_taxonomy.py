"""Roles, seeded taxonomy, tokens."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from tests import factories
from vigil.core import roles, services
from vigil.core.models import ApiToken, Category, LegalBasis
from vigil.core.seed_data import CATEGORIES, LEGAL_BASES
from vigil.core.seeding import seed_reference_data
from vigil.errors import Conflict, NotAllowed

pytestmark = pytest.mark.django_db


def test_reference_data_is_seeded_unverified():
    assert set(Category.objects.values_list("code", flat=True)) >= {row["code"] for row in CATEGORIES}
    assert LegalBasis.objects.count() >= len(LEGAL_BASES)
    assert not LegalBasis.objects.filter(verified=True).exists()
    csam = Category.objects.get(code="csam")
    assert csam.referral_only and csam.default_action == "referral_to_police"
    assert LegalBasis.objects.get(code="blhs-290").categories.filter(code="fraud").exists()


def test_seeding_never_overwrites_admin_edits():
    Category.objects.filter(code="fraud").update(default_expiry_days=30)
    assert seed_reference_data()["categories"] == 0
    assert Category.objects.get(code="fraud").default_expiry_days == 30


def test_only_admins_verify_legal_bases(admin_user, analyst):
    basis = factories.legal_basis()
    with pytest.raises(NotAllowed):
        services.verify_legal_basis(actor=analyst, basis=basis)
    services.verify_legal_basis(actor=admin_user, basis=basis)
    basis.refresh_from_db()
    assert basis.verified and basis.verified_by == admin_user
    with pytest.raises(Conflict):
        services.verify_legal_basis(actor=admin_user, basis=basis)


def test_capabilities_follow_roles(analyst, approver, auditor, liaison):
    assert roles.can(analyst, "case.create") and not roles.can(analyst, "decision.approve")
    assert roles.can(approver, "decision.approve") and not roles.can(approver, "case.create")
    assert roles.can(auditor, "audit.view") and not roles.can(auditor, "case.edit")
    assert not roles.can(liaison, "case.create") and not roles.is_department_wide(liaison)
    with pytest.raises(KeyError):
        roles.can(analyst, "no.such.capability")


def test_tokens_are_stored_hashed_and_can_be_revoked(analyst):
    token, raw = services.issue_token(actor=analyst, user=analyst, name="sensor")
    assert raw.startswith("vgl_") and raw not in token.key_hash and len(token.key_hash) == 64
    assert services.authenticate_token(raw) == analyst
    assert services.authenticate_token(raw + "x") is None
    services.revoke_token(actor=analyst, token=token)
    assert services.authenticate_token(raw) is None


def test_expired_token_is_refused(analyst):
    token, raw = services.issue_token(actor=analyst, user=analyst, name="old", days=1)
    ApiToken.objects.filter(pk=token.pk).update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    assert services.authenticate_token(raw) is None


def test_users_cannot_issue_tokens_for_others(analyst, approver):
    with pytest.raises(NotAllowed):
        services.issue_token(actor=analyst, user=approver, name="x")
