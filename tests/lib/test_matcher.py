"""The blocklist matcher: each rule kind, allow precedence, check(), and agreement with the reference."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from vigil.lib.blocklist import Rule, RuleAction, RuleKind, RuleRef
from vigil.lib.errors import IndicatorError
from vigil.lib.matcher import NONE, Snapshot, Verdict, compile_snapshot
from vigil.lib.matcher_reference import ReferenceMatcher, reference_verdicts
from vigil.lib.urls import canonicalise_url

BLOCK, ALLOW = RuleAction.BLOCK, RuleAction.ALLOW
K = RuleKind


def ref(decision: int | None = 1, category: str = "phishing") -> RuleRef:
    return RuleRef(decision, category, "test", "blhs-290")


def rule(kind: RuleKind, value: str, action: RuleAction = BLOCK, decision: int | None = 1) -> Rule:
    source = "allowlist" if action is ALLOW else "decision"
    return Rule(kind, value, action, RuleRef(decision, "phishing", "test", "blhs-290", source=source))


def statuses(rules: list[Rule], urls: list[str]) -> list[str]:
    """The fast matcher's statuses, after checking that the reference says the same."""
    snapshot, reference = compile_snapshot(rules), ReferenceMatcher(rules)
    verdicts = [snapshot.match_url(url) for url in urls]
    assert verdicts == [reference.match_url(url) for url in urls]
    return [verdict.status for verdict in verdicts]


# --- Safe Browsing expressions (EXACT_URL and URL_PREFIX) -------------------------------

# The look-up expressions https://developers.google.com/safe-browsing/v4/urls-hashing
# publishes for three URLs, and expressions it says are not tried.
GSB_EXPRESSIONS = [
    (
        "http://a.b.c/1/2.html?param=1",
        [
            "a.b.c/1/2.html?param=1",
            "a.b.c/1/2.html",
            "a.b.c/",
            "a.b.c/1/",
            "b.c/1/2.html?param=1",
            "b.c/1/2.html",
            "b.c/",
            "b.c/1/",
        ],
        ["c/", "a.b.c/1/2.html?param=2", "a.b.c/1", "a.b.c/1/2.htm"],
    ),
    (
        "http://a.b.c.d.e.f.g/1.html",
        [
            "a.b.c.d.e.f.g/1.html",
            "a.b.c.d.e.f.g/",
            "c.d.e.f.g/1.html",
            "c.d.e.f.g/",
            "d.e.f.g/1.html",
            "d.e.f.g/",
            "e.f.g/1.html",
            "e.f.g/",
            "f.g/1.html",
            "f.g/",
        ],
        ["b.c.d.e.f.g/1.html", "b.c.d.e.f.g/", "g/"],
    ),
    ("http://1.2.3.4/1/", ["1.2.3.4/1/", "1.2.3.4/"], ["1.2.3.5/", "1.2.3.4/1/2/"]),
]


def _expression_rule(value: str) -> Rule:
    path = value.partition("/")[2]
    kind = K.URL_PREFIX if value.endswith("/") and "?" not in path else K.EXACT_URL
    return rule(kind, value)


@pytest.mark.parametrize(
    ("url", "expression", "expected"),
    [(url, e, "blocked") for url, hits, _ in GSB_EXPRESSIONS for e in hits]
    + [(url, e, "none") for url, _, misses in GSB_EXPRESSIONS for e in misses],
)
def test_gsb_published_expressions(url: str, expression: str, expected: str) -> None:
    assert statuses([_expression_rule(expression)], [url]) == [expected]


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("http://evil.example/a/", "blocked"),
        ("http://evil.example/a/b", "blocked"),
        ("https://evil.example/a/b/c.html?x=1", "blocked"),
        ("http://www.evil.example/a/x", "blocked"),  # Safe Browsing tries host suffixes too
        ("http://evil.example:8080/a/x", "blocked"),  # and drops the port
        ("http://evil.example/ab", "none"),
        ("http://evil.example/", "none"),
        ("http://evil.example/b/a/", "none"),
        ("http://other.example/a/", "none"),
    ],
)
def test_url_prefix(url: str, expected: str) -> None:
    assert statuses([rule(K.URL_PREFIX, "evil.example/a/")], [url]) == [expected]


def test_url_prefix_reaches_three_directories_only() -> None:
    """GSB builds prefixes from the first three path components; a deeper prefix matches only itself."""
    rules = [
        rule(K.URL_PREFIX, "evil.example/a/b/c/"),
        rule(K.URL_PREFIX, "evil.example/a/b/c/d/", decision=2),
    ]
    urls = ["http://evil.example/a/b/c/x/y", "http://evil.example/a/b/c/d/", "http://evil.example/a/b/c/d/e"]
    snapshot = compile_snapshot(rules)
    assert [snapshot.match_url(url).matched for url in urls] == [
        ("evil.example/a/b/c/",),
        ("evil.example/a/b/c/", "evil.example/a/b/c/d/"),
        ("evil.example/a/b/c/",),
    ]
    assert statuses(rules, urls) == ["blocked"] * 3


@pytest.mark.parametrize(
    ("value", "url", "expected"),
    [
        ("evil.example/login.php?id=1", "http://evil.example/login.php?id=1", "blocked"),
        ("evil.example/login.php?id=1", "http://evil.example/login.php?id=2", "none"),
        ("evil.example/login.php?id=1", "http://evil.example/login.php", "none"),
        ("evil.example/login.php", "http://evil.example/login.php?id=2", "blocked"),
        ("evil.example/login.php", "http://evil.example/login.php?", "blocked"),
        ("evil.example/login.php", "https://evil.example/login.php#top", "blocked"),
        ("evil.example/login.php", "http://evil.example/login.php/", "none"),
        ("evil.example/login.php", "http://evil.example/Login.php", "none"),
        ("evil.example/q?a=%25", "http://evil.example/q?a=%2525", "blocked"),
        ("1.2.3.4/x", "http://0x01020304/x", "blocked"),
        ("[2001:db8::1]/x", "http://[2001:DB8:0::1]:8443/x", "blocked"),
    ],
)
def test_exact_url_and_query_strings(value: str, url: str, expected: str) -> None:
    assert statuses([rule(K.EXACT_URL, value)], [url]) == [expected]


# --- names -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "domain", "host"),
    [
        ("http://evil.example/", "blocked", "blocked"),
        ("http://www.evil.example/", "blocked", "none"),
        ("http://a.b.c.d.e.f.g.h.evil.example/x", "blocked", "none"),
        ("http://noevil.example/", "none", "none"),
        ("http://evil.example.com/", "none", "none"),
        ("http://example/", "none", "none"),
        ("http://EVIL.Example./", "blocked", "blocked"),
    ],
)
def test_domain_covers_every_depth_and_host_only_itself(url: str, domain: str, host: str) -> None:
    assert statuses([rule(K.DOMAIN, "evil.example")], [url]) == [domain]
    assert statuses([rule(K.HOST, "evil.example")], [url]) == [host]


def test_internationalised_names_match_in_punycode() -> None:
    rules = [rule(K.DOMAIN, "xn--v-d-rma6749a.vn")]  # ví-dụ.vn
    snapshot = compile_snapshot(rules)
    assert snapshot.check("https://www.ví-dụ.vn/dang-nhap").status == "blocked"
    assert snapshot.check("WWW.VÍ-DỤ.VN").status == "blocked"
    assert snapshot.check("vi-du.vn").status == "none"
    assert statuses(rules, ["http://a.xn--v-d-rma6749a.vn/", "http://xn--v-d-rma6749a.com/"]) == [
        "blocked",
        "none",
    ]


def test_top_level_labels_and_one_label_hosts() -> None:
    rules = [
        rule(K.DOMAIN, "zip"),
        rule(K.HOST, "intranet", decision=2),
        rule(K.URL_PREFIX, "printer/admin/", decision=3),
    ]
    urls = [
        "http://evil.zip/",
        "http://zip/",
        "http://intranet/",
        "http://a.intranet/",
        "http://printer/admin/x",
        "http://a.com/",
    ]
    assert statuses(rules, urls) == ["blocked", "blocked", "blocked", "none", "blocked", "none"]


# --- addresses -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("rules", "url", "expected"),
    [
        ([rule(K.IP, "192.0.2.1")], "http://192.0.2.1/x", "blocked"),
        ([rule(K.IP, "192.0.2.1")], "http://3221225985/", "blocked"),  # the same address as one number
        ([rule(K.IP, "192.0.2.1")], "http://192.0.2.10/", "none"),
        ([rule(K.IP, "2001:db8::1")], "http://[2001:DB8:0:0::1]/", "blocked"),
        ([rule(K.IP, "2001:db8::1")], "http://[2001:db8::2]/", "none"),
        ([rule(K.CIDR, "192.0.2.0/24")], "http://192.0.2.0/", "blocked"),
        ([rule(K.CIDR, "192.0.2.0/24")], "http://192.0.2.255/", "blocked"),
        ([rule(K.CIDR, "192.0.2.0/24")], "http://192.0.1.255/", "none"),
        ([rule(K.CIDR, "192.0.2.0/24")], "http://192.0.3.0/", "none"),
        ([rule(K.CIDR, "192.0.2.7/32")], "http://192.0.2.7/", "blocked"),
        ([rule(K.CIDR, "192.0.2.7/32")], "http://192.0.2.6/", "none"),
        ([rule(K.CIDR, "0.0.0.0/0")], "http://255.255.255.255/", "blocked"),
        ([rule(K.CIDR, "0.0.0.0/0")], "http://example.com/", "none"),
        ([rule(K.CIDR, "0.0.0.0/0")], "http://[::1]/", "none"),
        ([rule(K.CIDR, "2001:db8::/32")], "http://[2001:db8:ffff:ffff:ffff:ffff:ffff:ffff]/", "blocked"),
        ([rule(K.CIDR, "2001:db8::/32")], "http://[2001:db9::]/", "none"),
        ([rule(K.CIDR, "2001:db8::/32")], "http://[2001:db7:ffff::]/", "none"),
        ([rule(K.CIDR, "::/0")], "http://[::]/", "blocked"),
        ([rule(K.CIDR, "::/0")], "http://0.0.0.0/", "none"),
        # An IPv4-mapped IPv6 address is another address to ipaddress, and so here.
        ([rule(K.CIDR, "192.0.2.0/24")], "http://[::ffff:192.0.2.1]/", "none"),
        ([rule(K.IP, "::ffff:192.0.2.1")], "http://[::ffff:c000:201]/", "blocked"),
        ([rule(K.HOST, "[2001:db8::1]")], "http://[2001:db8::1]:8080/", "blocked"),
        ([rule(K.DOMAIN, "evil.example")], "http://192.0.2.1/", "none"),
    ],
)
def test_addresses_and_networks(rules: list[Rule], url: str, expected: str) -> None:
    assert statuses(rules, [url]) == [expected]


# --- verdicts --------------------------------------------------------------------------


def test_allow_wins_and_lists_only_the_allow_rules() -> None:
    rules = [
        rule(K.DOMAIN, "evil.example", decision=5),
        rule(K.DOMAIN, "ok.evil.example", ALLOW, decision=None),
        rule(K.HOST, "www.evil.example", ALLOW, decision=None),
        rule(K.URL_PREFIX, "shared.example/kit/", decision=6),
        rule(K.EXACT_URL, "shared.example/kit/readme.html", ALLOW, decision=None),
        rule(K.DOMAIN, "both.example", decision=7),
        rule(K.DOMAIN, "both.example", ALLOW, decision=None),
    ]
    urls = [
        "http://a.ok.evil.example/",
        "http://www.evil.example/",
        "http://a.www.evil.example/",
        "http://shared.example/kit/readme.html?lang=vi",
        "http://shared.example/kit/login.html",
        "http://x.both.example/",
    ]
    assert statuses(rules, urls) == ["allowed", "allowed", "blocked", "allowed", "blocked", "allowed"]
    verdict = compile_snapshot(rules).match_url(urls[0])
    assert verdict == Verdict("allowed", (rules[1].ref,), ("ok.evil.example",))


def test_refs_are_ordered_by_decision_and_parallel_to_matched() -> None:
    rules = [
        rule(K.DOMAIN, "evil.example", decision=9),
        rule(K.URL_PREFIX, "www.evil.example/a/", decision=3),
        rule(K.HOST, "www.evil.example", decision=None),
        rule(K.EXACT_URL, "evil.example/a/b", decision=3),
    ]
    verdict = compile_snapshot(rules).match_url("https://www.evil.example/a/b")
    assert verdict.status == "blocked"
    assert [r.decision_id for r in verdict.refs] == [3, 3, 9, None]
    assert verdict.matched == ("evil.example/a/b", "www.evil.example/a/", "evil.example", "www.evil.example")
    assert verdict == ReferenceMatcher(rules).match_url("https://www.evil.example/a/b")


def test_a_miss_is_the_shared_none_verdict() -> None:
    snapshot = compile_snapshot([rule(K.DOMAIN, "evil.example")])
    assert snapshot.match_url("http://good.example/") is NONE
    assert Verdict("none") == NONE and not NONE.blocked


def test_empty_snapshot() -> None:
    snapshot = compile_snapshot([])
    assert len(snapshot) == 0
    assert snapshot.check("http://evil.example/x") is NONE
    assert snapshot.check("192.0.2.1") is NONE
    assert snapshot.stats["total"] == 0 and set(snapshot.stats.values()) == {0}
    assert snapshot.version == compile_snapshot([], generated_at="2026-01-01T00:00:00Z").version


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("https://www.evil.example/x", "blocked"),
        ("evil.example", "blocked"),
        ("Sub.Evil.Example.", "blocked"),
        ("evil.example:8443", "blocked"),
        ("good.example", "none"),
        ("192.0.2.1", "blocked"),
        ("  192.0.2.1 ", "blocked"),
        ("2001:db8::1", "blocked"),
        ("[2001:DB8::1]", "blocked"),
        ("http://[2001:db8::1]/", "blocked"),
        ("2001:db8::2", "none"),
    ],
)
def test_check_takes_urls_names_and_addresses(value: str, expected: str) -> None:
    snapshot = compile_snapshot(
        [rule(K.DOMAIN, "evil.example"), rule(K.IP, "192.0.2.1"), rule(K.IP, "2001:db8::1")]
    )
    assert snapshot.check(value).status == expected


@pytest.mark.parametrize("value", ["", "   ", "ftp://evil.example/", "http://exa mple.com/", "evil..:x"])
def test_check_refuses_what_is_not_a_url_name_or_address(value: str) -> None:
    with pytest.raises(ValueError, match="not a URL"):
        compile_snapshot([]).check(value)
    assert issubclass(IndicatorError, ValueError)


def test_match_canonical_refuses_what_is_not_a_canonical_url() -> None:
    snapshot = compile_snapshot([rule(K.DOMAIN, "evil.example")])
    assert snapshot.match_canonical(canonicalise_url("evil.example").url).status == "blocked"
    for text in ("evil.example", "http://evil.example", "http:///x", "http:/x/y", "http://:80/"):
        with pytest.raises(ValueError, match="not a canonical URL"):
            snapshot.match_canonical(text)


# --- the verdict cache -------------------------------------------------------------------

CACHE_RULES = [
    rule(K.DOMAIN, "a.example", decision=1),
    rule(K.DOMAIN, "b.example", decision=2),
    rule(K.DOMAIN, "c.example", decision=3),
    rule(K.DOMAIN, "d.example", decision=4),
    rule(K.DOMAIN, "ok.d.example", ALLOW, decision=None),
    rule(K.HOST, "www.d.example", decision=5),
    rule(K.URL_PREFIX, "www.d.example/kit/", decision=6),
    rule(K.EXACT_URL, "d.example/kit/x.html", decision=7),
]


def test_a_repeated_query_gets_the_same_verdict_object() -> None:
    snapshot, reference = compile_snapshot(CACHE_RULES), ReferenceMatcher(CACHE_RULES)
    urls = [
        "http://a.example/",
        "http://www.a.example/x",
        "http://d.example/kit/x.html",
        "http://www.d.example/kit/x.html?q=1",
        "http://www.d.example/",
        "http://m.d.example/",
        "http://ok.d.example/kit/x.html",
    ]
    first = [snapshot.match_url(url) for url in urls]
    again = [snapshot.match_url(url) for url in urls]
    assert first == [reference.match_url(url) for url in urls]
    assert all(verdict.status != "none" for verdict in first)
    assert all(old is new for old, new in zip(first, again, strict=True))
    # Another host with the same parts shares the verdict; the whole host does not.
    assert snapshot.match_url("http://x.y.a.example/") is first[0] is first[1]
    assert snapshot.match_url("http://www.d.example/a") != snapshot.match_url("http://a.www.d.example/")


def test_the_verdict_cache_is_bounded_and_keeps_what_was_used_last() -> None:
    snapshot = Snapshot(compile_snapshot(CACHE_RULES).tables, verdict_cache_size=2)
    a, b = snapshot.check("a.example"), snapshot.check("b.example")
    assert snapshot.check("a.example") is a and snapshot.check("b.example") is b
    c = snapshot.check("c.example")  # the cache was full: a and b become the old generation
    assert snapshot.check("a.example") is a  # found there, and moved back
    snapshot.check("d.example")  # full again: c and a are now the old generation, b is gone
    assert snapshot.check("a.example") is a and snapshot.check("c.example") is c
    rebuilt = snapshot.check("b.example")
    assert rebuilt == b and rebuilt is not b
    held = len(snapshot._cache) + len(snapshot._cache_old)  # white-box: the bound itself
    assert held <= 2 * 2


@pytest.mark.parametrize("size", [1, 2, 3])
def test_verdicts_do_not_depend_on_the_cache(size: int) -> None:
    urls = [
        f"http://{host}{path}"
        for host in ["a.example", "www.d.example", "d.example", "ok.d.example", "z.example"]
        for path in ["/", "/kit/", "/kit/x.html", "/kit/x.html?q=1"]
    ]
    expected = [ReferenceMatcher(CACHE_RULES).match_url(url) for url in urls]
    snapshot = Snapshot(compile_snapshot(CACHE_RULES).tables, verdict_cache_size=size)
    for _ in range(3):
        assert [snapshot.match_url(url) for url in urls] == expected
        assert [snapshot.match_url(url) for url in reversed(urls)] == expected[::-1]


# --- compiling -------------------------------------------------------------------------


def test_version_is_a_content_hash_and_duplicates_collapse() -> None:
    rules = [rule(K.DOMAIN, "a.example"), rule(K.HOST, "b.example", decision=2), rule(K.CIDR, "10.0.0.0/8")]
    snapshot = compile_snapshot(rules)
    assert compile_snapshot(reversed(rules + rules)).version == snapshot.version
    assert len(compile_snapshot(rules + rules)) == 3
    assert compile_snapshot(rules[:2]).version != snapshot.version
    changed = [*rules[:2], Rule(K.CIDR, "10.0.0.0/8", BLOCK, ref(3))]
    assert compile_snapshot(changed).version != snapshot.version
    assert set(snapshot.rules()) == set(rules)


def test_stats_count_kinds_and_actions() -> None:
    rules = [rule(K.DOMAIN, "a.example"), rule(K.DOMAIN, "b.example"), rule(K.DOMAIN, "ok.a.example", ALLOW)]
    stats = compile_snapshot([*rules, rule(K.IP, "10.0.0.1")]).stats
    assert (stats["domain/block"], stats["domain/allow"], stats["ip/block"], stats["total"]) == (2, 1, 1, 4)
    assert stats["exact_url/block"] == 0


@pytest.mark.parametrize(
    ("kind", "value", "message"),
    [
        (K.DOMAIN, "Evil.example", "not a canonical host name"),
        (K.DOMAIN, "evil..example", "not a canonical host name"),
        (K.DOMAIN, "evil.example.", "not a canonical host name"),
        (K.DOMAIN, "ví-dụ.vn", "not a canonical host name"),
        (K.DOMAIN, "xn--17g.com", "invalid punycode"),
        (K.DOMAIN, "a" * 64 + ".com", "not a canonical host name"),
        (K.DOMAIN, "1.2.3.4", "IPv4 address"),
        (K.DOMAIN, "http://evil.example/", "not a canonical host name"),
        (K.HOST, "2001:db8::1", "not a canonical host name"),
        (K.HOST, "[2001:DB8::1]", "not canonical"),
        (K.IP, "192.0.2.01", "not an IP address"),
        (K.IP, "2001:DB8::1", "not canonical"),
        (K.IP, "[2001:db8::1]", "not an IP address"),
        (K.CIDR, "10.0.0.1/8", "not a canonical CIDR block"),
        (K.CIDR, "10.0.0.0", "address/prefix-length"),
        (K.CIDR, "10.0.0.0/33", "not a canonical CIDR block"),
        (K.CIDR, "10.0.0.0/08", "not canonical"),
        (K.EXACT_URL, "http://evil.example/x", "host"),
        (K.EXACT_URL, "evil.example", "no '/'"),
        (K.EXACT_URL, "evil.example:8080/x", "host"),
        (K.EXACT_URL, "evil.example/a//b", "not normalised"),
        (K.EXACT_URL, "evil.example/a/../b", "not normalised"),
        (K.EXACT_URL, "evil.example/a b", "escapes"),
        (K.EXACT_URL, "evil.example/a#b", "escapes"),
        (K.EXACT_URL, "evil.example/%zz", "escapes"),
        (K.URL_PREFIX, "evil.example/a", "ending in '/'"),
        (K.URL_PREFIX, "evil.example/a/?q=1", "no query"),
    ],
)
def test_malformed_values_are_refused_at_compile_time(kind: RuleKind, value: str, message: str) -> None:
    with pytest.raises(ValueError, match="blocklist rule") as raised:
        compile_snapshot([rule(K.DOMAIN, "fine.example"), rule(kind, value)])
    assert message in str(raised.value) and repr(value) in str(raised.value)


# --- the fast matcher agrees with the reference on generated rules and URLs ---------------

LABELS = ["a", "b", "ex", "xn--v-d-rma6749a", "c-d", "com", "vn"]
PATHS = ["/", "/a/", "/a/b", "/a/b/", "/a/b/c/", "/a/b/c/d/", "/x.html", "/a/x.html"]
QUERIES = ["", "?q=1", "?"]
ADDRESSES = ["10.0.0.1", "10.0.0.2", "10.0.1.1", "[2001:db8::1]", "[2001:db8:1::1]", "[::ffff:10.0.0.1]"]
NETWORKS = [
    "10.0.0.0/24",
    "10.0.0.0/8",
    "10.0.0.1/32",
    "0.0.0.0/0",
    "2001:db8::/32",
    "2001:db8::1/128",
    "::/0",
]

names = st.lists(st.sampled_from(LABELS), min_size=1, max_size=7).map(".".join)
hosts = st.one_of(names, names, st.sampled_from(ADDRESSES))
paths = st.sampled_from(PATHS)


@st.composite
def rules_strategy(draw: st.DrawFn) -> Rule:
    kind = draw(st.sampled_from(list(RuleKind)))
    if kind in (K.DOMAIN, K.HOST):
        value = draw(names if kind is K.DOMAIN else hosts)
    elif kind is K.IP:
        value = draw(st.sampled_from(ADDRESSES)).strip("[]")
    elif kind is K.CIDR:
        value = draw(st.sampled_from(NETWORKS))
    elif kind is K.URL_PREFIX:
        value = draw(hosts) + draw(st.sampled_from([p for p in PATHS if p.endswith("/")]))
    else:
        value = draw(hosts) + draw(paths) + draw(st.sampled_from(["", "?q=1"]))
    action = draw(st.sampled_from([BLOCK, BLOCK, ALLOW]))
    return Rule(kind, value, action, ref(draw(st.one_of(st.none(), st.integers(1, 4)))))


urls = st.builds(
    lambda scheme, host, port, path, query: f"{scheme}://{host}{port}{path}{query}",
    st.sampled_from(["http", "https"]),
    hosts,
    st.sampled_from(["", "", ":8080"]),
    paths,
    st.sampled_from(QUERIES),
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(rules_strategy(), max_size=12), st.lists(urls, min_size=1, max_size=8))
def test_fast_matcher_agrees_with_the_reference(rules: list[Rule], queries: list[str]) -> None:
    snapshot, reference = compile_snapshot(rules), ReferenceMatcher(rules)
    canonical = [canonicalise_url(url) for url in queries]
    expected = [reference.match_url(url) for url in canonical]
    assert [snapshot.match_url(url) for url in canonical] == expected
    assert [snapshot.match_canonical(url.url) for url in canonical] == expected
    assert reference_verdicts(rules, canonical) == expected
    # Again, from a cache that keeps one verdict (so every other query evicts one).
    tiny = Snapshot(snapshot.tables, verdict_cache_size=1)
    assert [tiny.match_canonical(url.url) for url in canonical * 2] == expected * 2
