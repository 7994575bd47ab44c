"""The local test web server (see :mod:`tests.webfixtures.server`)."""

from tests.webfixtures.server import SelfSignedCert, WebFixtures

__all__ = ["SelfSignedCert", "WebFixtures"]
