"""A small rule set with every kind and action, and the export settings the golden files use."""

from __future__ import annotations

from vigil.lib.blocklist import Rule, RuleAction, RuleKind, RuleRef
from vigil.lib.exports.registry import ExportMeta
from vigil.lib.exports.rpz import Policy

EXPIRES = "2027-05-01T00:00:00+00:00"
IDN_DOMAIN = "xn--ngnhng-xcminh-sdbti.vn"  # ngânhàng-xácminh.vn


def ref(
    decision_id: int, category: str = "phishing", scope: str = "host", basis: str = "blhs-290"
) -> RuleRef:
    """The reference of a rule that an approved decision put in force."""
    return RuleRef(decision_id, category, scope, basis, EXPIRES)


def allow_ref(category: str) -> RuleRef:
    """The reference of an allow-list entry."""
    return RuleRef(None, category, "allowlist", source="allowlist")


def block(kind: RuleKind, value: str, decision_id: int, category: str = "phishing") -> Rule:
    """A block rule from decision ``decision_id``."""
    return Rule(kind, value, RuleAction.BLOCK, ref(decision_id, category, kind.value))


def allow(kind: RuleKind, value: str, category: str = "bank") -> Rule:
    """An allow-list rule."""
    return Rule(kind, value, RuleAction.ALLOW, allow_ref(category))


def rules() -> list[Rule]:
    """Every kind and action, with the interactions the writers must get right."""
    return [
        # URLs: DNS, IP and hosts formats skip them; Adblock writes them.
        block(RuleKind.EXACT_URL, "vcb-xacminh.example/dang-nhap?otp=1", 101),
        block(RuleKind.EXACT_URL, "pay.example/checkout$ref=1", 102, "fraud"),  # "$": not in Adblock
        Rule(
            RuleKind.EXACT_URL, "sites.example/scam-shop/help.html", RuleAction.ALLOW, allow_ref("platform")
        ),
        block(RuleKind.URL_PREFIX, "sites.example/scam-shop/", 103, "fraud"),
        # Names, an IDN among them.
        block(RuleKind.DOMAIN, "vcb-xacminh.example", 104),
        block(RuleKind.HOST, "m.vcb-xacminh.example", 105),  # under a blocked domain
        block(RuleKind.DOMAIN, IDN_DOMAIN, 106),
        # Shared hosting: the bare name is allow-listed, tenants are blocked one by one.
        allow(RuleKind.HOST, "shared-host.example", "shared_hosting"),
        block(RuleKind.HOST, "login.shared-host.example", 107),
        block(RuleKind.HOST, "login.shared-host.example", 117),  # a second decision: a duplicate
        block(RuleKind.DOMAIN, "tenant.shared-host.example", 108, "malware"),
        # A bank's whole subtree is allow-listed: the block below it is overridden.
        allow(RuleKind.DOMAIN, "vietcombank.com.vn", "bank"),
        block(RuleKind.HOST, "otp.vietcombank.com.vn", 109),
        # A blocked platform whose status page is allow-listed.
        block(RuleKind.DOMAIN, "free-hosting.example", 110, "malware"),
        allow(RuleKind.HOST, "status.free-hosting.example", "platform"),
        # Addresses: aggregation, an allow-listed address inside a blocked range, IPv6.
        block(RuleKind.IP, "203.0.113.7", 111, "malware"),
        block(RuleKind.CIDR, "198.51.100.0/25", 112, "malware"),
        block(RuleKind.CIDR, "198.51.100.128/25", 113, "malware"),
        allow(RuleKind.IP, "198.51.100.53", "resolver"),
        block(RuleKind.IP, "2001:db8::1", 114, "malware"),
        block(RuleKind.CIDR, "2001:db8:bad::/48", 115, "malware"),
        allow(RuleKind.CIDR, "2001:db8:bad:1::/64", "cdn"),
    ]


def meta(origin: str = "rpz.vigil.example", **changes: object) -> ExportMeta:
    """The settings of the golden files: a block page, named servers, a contact line."""
    settings: dict[str, object] = {
        "origin": origin,
        "serial": 2026050101,
        "generated_at": "2026-05-01T00:00:00Z",
        "ttl": 300,
        "policy": Policy.CNAME,
        "block_host": "blocked.vigil.example",
        "nameservers": ("ns1.vigil.example", "ns2.vigil.example"),
        "hostmaster": "hostmaster.vigil.example",
        "comments": ("contact: cert@vigil.example",),
    }
    settings.update(changes)
    return ExportMeta(**settings)  # type: ignore[arg-type]
