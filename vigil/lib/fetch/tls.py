"""The certificate chain a site presented, as facts, and whether a browser would trust it.

Captures connect without verifying certificates, because scam sites often have bad
ones and the page is still the evidence. What the site presented is recorded here;
whether it would pass a browser's checks (trusted issuer, validity dates, host name)
is then decided with ``cryptography``'s Web PKI verifier against a CA bundle, and any
failure is recorded as a fact, not an error.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import ipaddress
import ssl
import warnings
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import dsa, ec, ed448, ed25519, rsa
from cryptography.x509 import verification
from cryptography.x509.oid import ExtensionOID

__all__ = ["CertificateFacts", "TlsFacts", "certificate_facts", "peer_chain_der", "tls_facts"]


@dataclass(frozen=True, slots=True)
class CertificateFacts:
    """One certificate of the chain, as a person checks it."""

    subject: str
    issuer: str
    serial_number: str
    not_before: str
    not_after: str
    sans: tuple[str, ...]
    sha256_fingerprint: str
    signature_algorithm: str
    public_key: str
    self_signed: bool


@dataclass(frozen=True, slots=True)
class TlsFacts:
    """The TLS session and the chain of one HTTPS connection."""

    server_name: str
    protocol: str
    cipher: str
    chain: tuple[CertificateFacts, ...]
    trusted: bool
    problem: str  # empty when trusted; otherwise why a browser would refuse it
    expired: bool
    not_yet_valid: bool
    name_matches: bool

    def as_json(self) -> dict[str, Any]:
        """Plain JSON-ready form."""
        return asdict(self)


def _name(value: x509.Name) -> str:
    return value.rfc4514_string()


def _key_text(certificate: x509.Certificate) -> str:
    key = certificate.public_key()
    if isinstance(key, rsa.RSAPublicKey):
        return f"RSA {key.key_size}"
    if isinstance(key, ec.EllipticCurvePublicKey):
        return f"EC {key.curve.name}"
    if isinstance(key, dsa.DSAPublicKey):
        return f"DSA {key.key_size}"
    if isinstance(key, ed25519.Ed25519PublicKey):
        return "Ed25519"
    if isinstance(key, ed448.Ed448PublicKey):
        return "Ed448"
    return type(key).__name__


def _sans(certificate: x509.Certificate) -> tuple[str, ...]:
    try:
        extension = certificate.extensions.get_extension_for_oid(ExtensionOID.SUBJECT_ALTERNATIVE_NAME)
    except x509.ExtensionNotFound:
        return ()
    names = extension.value
    if not isinstance(names, x509.SubjectAlternativeName):
        return ()
    found = [f"DNS:{name}" for name in names.get_values_for_type(x509.DNSName)]
    found += [f"IP:{address}" for address in names.get_values_for_type(x509.IPAddress)]
    return tuple(found)


def _iso(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).isoformat().replace("+00:00", "Z")


def certificate_facts(der: bytes) -> CertificateFacts:
    """Facts of one DER certificate."""
    certificate = x509.load_der_x509_certificate(der)
    try:
        algorithm = certificate.signature_algorithm_oid._name
    except AttributeError:  # pragma: no cover - depends on the cryptography build
        algorithm = certificate.signature_algorithm_oid.dotted_string
    return CertificateFacts(
        subject=_name(certificate.subject),
        issuer=_name(certificate.issuer),
        serial_number=format(certificate.serial_number, "x"),
        not_before=_iso(certificate.not_valid_before_utc),
        not_after=_iso(certificate.not_valid_after_utc),
        sans=_sans(certificate),
        sha256_fingerprint=hashlib.sha256(der).hexdigest(),
        signature_algorithm=str(algorithm),
        public_key=_key_text(certificate),
        self_signed=certificate.subject == certificate.issuer,
    )


def peer_chain_der(ssl_object: ssl.SSLObject | ssl.SSLSocket | None) -> list[bytes]:
    """The certificates the peer sent, leaf first, in DER (empty when not TLS)."""
    if ssl_object is None:
        return []
    public = getattr(ssl_object, "get_unverified_chain", None)  # Python 3.13+
    if public is not None:
        return [bytes(cert) for cert in public() or ()]
    inner = getattr(ssl_object, "_sslobj", None)
    private = getattr(inner, "get_unverified_chain", None)  # Python 3.10-3.12, undocumented
    if private is not None:
        chain = private() or []
        return [cert.public_bytes(ssl._ssl.ENCODING_DER) for cert in chain]  # type: ignore[attr-defined]
    leaf = ssl_object.getpeercert(binary_form=True)
    return [leaf] if leaf else []


def default_ca_bundle() -> Path | None:
    """The system's CA bundle (Debian's ca-certificates), or certifi's if installed."""
    paths = ssl.get_default_verify_paths()
    for candidate in (paths.cafile, paths.openssl_cafile, "/etc/ssl/certs/ca-certificates.crt"):
        if candidate and Path(candidate).is_file():
            return Path(candidate)
    try:
        import certifi
    except ImportError:  # pragma: no cover - depends on the deployment
        return None
    return Path(certifi.where())


@lru_cache(maxsize=4)
def _store(bundle: str) -> verification.Store | None:
    try:
        with warnings.catch_warnings():
            # Distribution bundles hold a few old roots with odd serial numbers.
            warnings.simplefilter("ignore")
            roots = x509.load_pem_x509_certificates(Path(bundle).read_bytes())
    except (OSError, ValueError):
        return None
    return verification.Store(roots) if roots else None


def _subject(server_name: str) -> x509.DNSName | x509.IPAddress:
    try:
        return x509.IPAddress(ipaddress.ip_address(server_name))
    except ValueError:
        return x509.DNSName(server_name)


def _name_matches(certificate: x509.Certificate, server_name: str) -> bool:
    names = _sans(certificate)
    host = server_name.lower().rstrip(".")
    for entry in names:
        kind, _, value = entry.partition(":")
        value = value.lower().rstrip(".")
        if kind == "IP" and value == host:
            return True
        if kind != "DNS":
            continue
        if value == host:
            return True
        if value.startswith("*.") and "." in host and host.split(".", 1)[1] == value[2:]:
            return True
    return False


def tls_facts(
    chain_der: Sequence[bytes],
    *,
    server_name: str,
    protocol: str = "",
    cipher: str = "",
    ca_bundle: Path | None = None,
    now: dt.datetime | None = None,
) -> TlsFacts:
    """Facts about a presented chain, and a browser-like verdict on it."""
    now = now or dt.datetime.now(dt.UTC)
    chain = tuple(certificate_facts(der) for der in chain_der)
    if not chain_der:
        return TlsFacts(server_name, protocol, cipher, (), False, "no certificate", False, False, False)
    leaf = x509.load_der_x509_certificate(chain_der[0])
    expired = now > leaf.not_valid_after_utc
    not_yet_valid = now < leaf.not_valid_before_utc
    name_matches = _name_matches(leaf, server_name)
    bundle = ca_bundle or default_ca_bundle()
    store = _store(str(bundle)) if bundle else None
    trusted, problem = False, ""
    if store is None:
        problem = "no CA bundle to verify against"
    else:
        intermediates = [x509.load_der_x509_certificate(der) for der in chain_der[1:]]
        try:
            verifier = (
                verification.PolicyBuilder()
                .store(store)
                .time(now)
                .build_server_verifier(_subject(server_name))
            )
            verifier.verify(leaf, intermediates)
            trusted = True
        except verification.VerificationError as exc:
            problem = str(exc)
        except ValueError as exc:
            problem = f"certificate cannot be verified: {exc}"
    if not trusted:
        reasons = []
        if chain[0].self_signed:
            reasons.append("self-signed")
        if expired:
            reasons.append("expired")
        if not_yet_valid:
            reasons.append("not yet valid")
        if not name_matches:
            reasons.append(f"issued for other names than {server_name}")
        if reasons:
            detail = f" (verifier: {problem[:200]})" if problem else ""
            problem = ", ".join(reasons) + detail
    return TlsFacts(
        server_name, protocol, cipher, chain, trusted, problem, expired, not_yet_valid, name_matches
    )
