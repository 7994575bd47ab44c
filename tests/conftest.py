"""Shared fixtures: one user per role, an isolated evidence store, API clients."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.test import Client

from tests import factories
from vigil.core import services as core_services
from vigil.core.choices import OrganisationKind
from vigil.core.models import User


@pytest.fixture(autouse=True)
def evidence_root(settings: Any, tmp_path: Any) -> Any:
    """Every test gets its own evidence store (and a fast password hash: tests make many users)."""
    settings.EVIDENCE_ROOT = tmp_path / "evidence"
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    from django.core.cache import cache

    cache.clear()  # rate-limit windows must not leak from one test into another
    return settings.EVIDENCE_ROOT


@pytest.fixture
def english() -> Iterator[None]:
    """Services answer in English, so a test can read their messages (the UI default is Vietnamese)."""
    from django.utils import translation

    with translation.override("en"):
        yield


@pytest.fixture
def analyst(db: None) -> User:
    return factories.user("analyst", username="analyst")


@pytest.fixture
def appraiser(db: None) -> User:
    return factories.user("appraiser", username="appraiser")


@pytest.fixture
def approver(db: None) -> User:
    return factories.user("approver", username="approver")


@pytest.fixture
def second_approver(db: None) -> User:
    return factories.user("approver", username="director")


@pytest.fixture
def auditor(db: None) -> User:
    return factories.user("auditor", username="auditor")


@pytest.fixture
def admin_user(db: None) -> User:
    return factories.user("admin", username="admin")


@pytest.fixture
def isp(db: None) -> Any:
    return factories.organisation("vnpt", OrganisationKind.ISP)


@pytest.fixture
def other_isp(db: None) -> Any:
    return factories.organisation("viettel", OrganisationKind.ISP)


@pytest.fixture
def liaison(isp: Any) -> User:
    return factories.user("liaison", org=isp, username="liaison")


@pytest.fixture
def unit_reporter(db: None) -> User:
    return factories.user(
        "unit_reporter",
        org=factories.organisation("so-y-te", OrganisationKind.PROVINCIAL_DEPARTMENT),
        username="reporter",
    )


class ApiClient:
    """A test client that authenticates with a real API token and speaks JSON."""

    def __init__(self, user: User) -> None:
        _token, self.raw = core_services.issue_token(actor=user, user=user, name="tests")
        self.client = Client(HTTP_AUTHORIZATION=f"Bearer {self.raw}", HTTP_ACCEPT_LANGUAGE="en")
        self.user = user

    def _call(self, method: str, path: str, body: Any = None, **extra: Any) -> Any:
        call: Callable[..., Any] = getattr(self.client, method)
        if body is not None and method != "get":
            return call(f"/api/v1{path}", body, content_type="application/json", **extra)
        return call(f"/api/v1{path}", body or {}, **extra)

    def get(self, path: str, params: Any = None) -> Any:
        return self._call("get", path, params)

    def post(self, path: str, body: Any = None) -> Any:
        return self._call("post", path, body if body is not None else {})

    def patch(self, path: str, body: Any) -> Any:
        return self._call("patch", path, body)


@pytest.fixture
def api() -> Callable[[User], ApiClient]:
    """``api(user)`` gives a token-authenticated JSON client for that user."""
    return ApiClient


@pytest.fixture(scope="session", autouse=True)
def _allow_sync_orm_in_browser_tests() -> None:
    # Playwright's sync API runs an event loop in the test thread; the ORM calls the
    # tests make around it are ordinary synchronous calls.
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
