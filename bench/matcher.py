"""Blocklist matcher bench: 1.2 M rules from real lists, 200,000 URLs, and Brave's adblock engine.

Run from the project root (never part of the test run)::

    .venv/bin/python bench/matcher.py [--domains 1000000] [--urls 200000] [--queries 200000]

It builds rules and queries from the lists in ``/work/shared/data`` (``VIGIL_SHARED_DATA``
overrides; see ``bench/README.md``), times Vigil's matcher on pre-canonicalised URLs,
checks its verdicts against two other implementations, measures the snapshot file in a
fresh process, and runs the same queries through the PyPI ``adblock`` package in a
subprocess. Figures go to stdout as ``name: value unit``; progress goes to stderr.
"""

from __future__ import annotations

import argparse
import gc
import gzip
import ipaddress
import json
import os
import random
import subprocess
import sys
import tempfile
import time
import tracemalloc
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.common import figure, log  # noqa: E402 - after the path set-up above
from vigil.lib.blocklist import Rule, RuleAction, RuleKind, RuleRef, url_expression  # noqa: E402
from vigil.lib.errors import IndicatorError  # noqa: E402
from vigil.lib.matcher import Snapshot, Verdict, compile_snapshot  # noqa: E402
from vigil.lib.matcher_reference import reference_verdicts, verdict_for  # noqa: E402
from vigil.lib.snapshot import load_snapshot, save_snapshot  # noqa: E402
from vigil.lib.urls import CanonicalUrl, canonicalise_host, canonicalise_url, lookup_expressions  # noqa: E402

DATA = Path(os.environ.get("VIGIL_SHARED_DATA", "/work/shared/data"))
UT1_DOMAINS = DATA / "blocklist-scale-ut1" / "ut1-categorized-domains.tsv.gz"
GLOBAL = DATA / "global-blocklists"
DOMAIN_LISTS = {
    "romainmarcoux-malicious-domains.txt.gz": "malicious",
    "blocklistproject-phishing.txt.gz": "phishing",
}
URL_LISTS = ["ut1-phishing-urls.txt.gz", "ut1-malware-urls.txt.gz"]
IP_LIST = "blocklistproject-malware-ips.txt"
SEED = 20260515
REFERENCE_SAMPLE = 20_000
RULES_PER_DECISION = 20  # one decision covers a batch of indicators, so rules share refs
ALLOW_SHARE = 0.01
URL_HOSTS_FROM_DOMAINS = 20_000  # real domains kept out of the domain rules, to carry URL rules
ADBLOCK_MISSING = "adblock not installed: pip install adblock"

WORDS = (  # noqa: SIM905 - a word list reads better as text
    "account auth bank bao billing cap care cash check cloud code cong dang data dich dien doi "
    "game gia giao help hoc home hub info khach kiem link live login mail map market moi mua "
    "news nhan nop online pay phone phi portal post pro quay qua sale secure service shop sim "
    "site smart so store support tai tech thanh thue tin top tra trade update user verify viec "
    "vn web world xac xu zalo"
).split()
SUBDOMAINS = ["www", "m", "mail", "app", "cdn", "api", "login", "secure", "static", "portal", "en", "vn"]
TLDS = [
    "com",
    "net",
    "org",
    "vn",
    "com.vn",
    "info",
    "xyz",
    "top",
    "shop",
    "io",
    "online",
    "site",
    "cc",
    "pro",
]
NAME_CHARS = frozenset("abcdefghijklmnopqrstuvwxyz0123456789-_.")
LEGAL_BASES = ["nd-13-2023", "blhs-290", "nd-147-2024"]


class Timer:
    """Elapsed seconds of a ``with`` block."""

    def __enter__(self) -> Timer:
        self.start = time.perf_counter()
        return self

    def __exit__(self, *exc: object) -> None:
        self.seconds = time.perf_counter() - self.start


# --- the lists ------------------------------------------------------------------------


def _lines(path: Path) -> Iterator[str]:
    with (
        gzip.open(path, "rt", encoding="utf-8", errors="replace") if path.suffix == ".gz" else path.open()
    ) as f:
        for raw in f:
            line = raw.strip()
            if line and not line.startswith("#"):
                yield line


def _is_name(text: str) -> bool:
    labels = text.split(".")
    if "xn--" in text:
        try:
            canonicalise_host(text)
        except IndicatorError:
            return False
    return (
        len(labels) >= 2
        and set(text) <= NAME_CHARS
        and all(0 < len(label) <= 63 for label in labels)
        and not labels[-1].isdigit()
        and not labels[-1].startswith("0x")
        and len(text) <= 253
    )


def _is_ipv4(text: str) -> bool:
    try:
        return str(ipaddress.IPv4Address(text)) == text
    except ValueError:
        return False


@dataclass
class Sources:
    """What the shared lists give: names with a category, IPv4 addresses, URL lines."""

    names: list[tuple[str, str]] = field(default_factory=list)
    ips: list[str] = field(default_factory=list)
    urls: list[str] = field(default_factory=list)


def read_sources() -> Sources:
    sources = Sources()
    seen: set[str] = set()

    def add(value: str, category: str) -> None:
        if value in seen:
            return
        seen.add(value)
        if _is_ipv4(value):
            sources.ips.append(value)
        elif _is_name(value):
            sources.names.append((value, category))

    for line in _lines(UT1_DOMAINS):
        domain, _, category = line.partition("\t")
        if domain != "domain":
            add(domain.lower(), category)
    for list_name, category in DOMAIN_LISTS.items():
        for line in _lines(GLOBAL / list_name):
            add(line.lower(), category)
    for line in _lines(GLOBAL / IP_LIST):
        add(line, "malware")
    sources.urls = list(dict.fromkeys(line for name in URL_LISTS for line in _lines(GLOBAL / name)))
    return sources


# --- rules and queries ----------------------------------------------------------------


@dataclass
class Corpus:
    """The rules, and what the query mix needs to know about them."""

    rules: list[Rule] = field(default_factory=list)
    blocked_names: list[str] = field(default_factory=list)
    blocked_ips: list[str] = field(default_factory=list)
    exact_urls: list[str] = field(default_factory=list)
    prefixes: list[str] = field(default_factory=list)
    url_hosts: list[str] = field(default_factory=list)
    allowed: list[str] = field(default_factory=list)  # names and expressions allowed


class RefMaker:
    """Refs shared by batches of rules, as when one decision covers many indicators."""

    def __init__(self) -> None:
        self.count = 0
        self.current: dict[tuple[str, str, str], RuleRef] = {}

    def __call__(self, category: str, scope: str, source: str = "decision") -> RuleRef:
        key = (category, scope, source)
        self.count += 1
        ref = self.current.get(key)
        if ref is None or self.count % RULES_PER_DECISION == 0:
            decision = None if source == "allowlist" else self.count
            basis = LEGAL_BASES[self.count % len(LEGAL_BASES)] if source == "decision" else ""
            ref = RuleRef(decision, category, scope, basis, "2027-01-01T00:00:00+00:00", source)
            self.current[key] = ref
        return ref


def _word(rng: random.Random) -> str:
    return rng.choice(WORDS)


def _path(rng: random.Random, depth: int, leaf: bool = True) -> str:
    parts = [_word(rng) + (str(rng.randrange(100)) if rng.random() < 0.3 else "") for _ in range(depth)]
    if leaf:
        parts.append(f"{_word(rng)}{rng.randrange(1000)}.{rng.choice(['html', 'php', 'aspx', 'htm'])}")
    return "/" + "/".join(parts) + ("" if leaf else "/" if parts else "")


def build_corpus(sources: Sources, n_domains: int, n_urls: int, rng: random.Random) -> Corpus:
    corpus = Corpus()
    ref = RefMaker()
    names = list(sources.names)
    url_host_names = [name for name, _ in names[-URL_HOSTS_FROM_DOMAINS:]]
    names = names[:-URL_HOSTS_FROM_DOMAINS]
    taken = {name for name, _ in names} | set(url_host_names)
    # Name and address rules: real first, then synthetic <word><n>.<tld> up to n_domains.
    for ip in sources.ips[: n_domains // 50]:
        corpus.rules.append(Rule(RuleKind.IP, ip, RuleAction.BLOCK, ref("malware", "ip")))
        corpus.blocked_ips.append(ip)
    for name, category in names[: n_domains - len(corpus.rules)]:
        corpus.rules.append(
            Rule(RuleKind.DOMAIN, name, RuleAction.BLOCK, ref(category, "registrable_domain"))
        )
        corpus.blocked_names.append(name)
    counter = 0
    while len(corpus.rules) < n_domains:
        counter += 1
        name = f"{WORDS[counter % len(WORDS)]}{counter}.{TLDS[counter % len(TLDS)]}"
        if name not in taken:
            corpus.rules.append(
                Rule(RuleKind.DOMAIN, name, RuleAction.BLOCK, ref("phishing", "registrable_domain"))
            )
            corpus.blocked_names.append(name)
    # URL rules: the real UT1 URLs, then synthetic paths on real hosts.
    expressions: set[str] = set()

    def add_url(expression: str, category: str) -> None:
        if expression in expressions or len(expressions) >= n_urls:
            return
        rest = expression.partition("/")[2]
        prefix = expression.endswith("/") and "?" not in rest
        kind = RuleKind.URL_PREFIX if prefix else RuleKind.EXACT_URL
        expressions.add(expression)
        corpus.rules.append(Rule(kind, expression, RuleAction.BLOCK, ref(category, kind.value)))
        (corpus.prefixes if prefix else corpus.exact_urls).append(expression)

    real_hosts: dict[str, None] = {}
    for line in sources.urls:
        try:
            expression = url_expression(canonicalise_url("http://" + line))
        except IndicatorError:
            continue
        if "#" not in expression and "%" not in expression:
            add_url(expression, "phishing")
            real_hosts[expression.partition("/")[0]] = None
    corpus.url_hosts = list(real_hosts) + url_host_names
    while len(expressions) < n_urls:
        host = rng.choice(corpus.url_hosts)
        roll = rng.random()
        if roll < 0.4:
            add_url(host + _path(rng, rng.randint(1, 3), leaf=False), "phishing")
        elif roll < 0.8:
            add_url(host + _path(rng, rng.randint(0, 4)), "phishing")
        else:
            add_url(f"{host}{_path(rng, rng.randint(0, 2))}?id={rng.randrange(10**6)}", "phishing")
    _add_allows(corpus, ref, rng, round(len(corpus.rules) * ALLOW_SHARE))
    return corpus


def _add_allows(corpus: Corpus, ref: RefMaker, rng: random.Random, count: int) -> None:
    """Carve-outs below blocked names, false positives, and allowed pages under blocked prefixes."""
    for index in range(count):
        roll = index % 10
        if roll < 4:
            value = f"{rng.choice(SUBDOMAINS)}{index}.{rng.choice(corpus.blocked_names)}"
            kind = RuleKind.DOMAIN
        elif roll < 7:
            value, kind = rng.choice(corpus.blocked_names), RuleKind.DOMAIN
        else:
            value, kind = f"{rng.choice(corpus.prefixes)}ok{index}.html", RuleKind.EXACT_URL
        corpus.rules.append(Rule(kind, value, RuleAction.ALLOW, ref("allowlist", kind.value, "allowlist")))
        corpus.allowed.append(value)


def _legit_host(rng: random.Random) -> str:
    name = _word(rng) + _word(rng) + (f"-{_word(rng)}" if rng.random() < 0.3 else "")
    sub = f"{rng.choice(SUBDOMAINS)}." if rng.random() < 0.6 else ""
    return f"{sub}{name}.{rng.choice(TLDS)}"


def _scheme(rng: random.Random) -> str:
    return "https://" if rng.random() < 0.7 else "http://"


def build_queries(corpus: Corpus, count: int, rng: random.Random) -> list[CanonicalUrl]:
    """~30 % hits of every kind, the rest misses on real-looking hosts, canonicalised.

    A generated URL that cannot be canonicalised (a deep subdomain of a long name passing
    253 characters) is replaced by another.
    """
    canonical: list[CanonicalUrl] = []
    while len(canonical) < count:
        queries = _raw_queries(corpus, count - len(canonical), rng)
        for query in queries:
            try:
                canonical.append(canonicalise_url(query))
            except IndicatorError:
                continue
    return canonical


def _raw_queries(corpus: Corpus, count: int, rng: random.Random) -> list[str]:
    queries: list[str] = []
    for _ in range(count):
        roll = rng.random() * 100
        path = _path(rng, rng.randint(0, 3)) if rng.random() < 0.7 else "/"
        if roll < 12:  # a subdomain of a blocked name, sometimes deep (> 5 labels)
            labels = [rng.choice(SUBDOMAINS) for _ in range(rng.choice([1, 1, 1, 2, 3, 6]))]
            queries.append(f"{_scheme(rng)}{'.'.join(labels)}.{rng.choice(corpus.blocked_names)}{path}")
        elif roll < 16:
            queries.append(f"{_scheme(rng)}{rng.choice(corpus.blocked_names)}/")
        elif roll < 21:
            queries.append(_scheme(rng) + rng.choice(corpus.exact_urls))
        elif roll < 25:
            queries.append(f"{_scheme(rng)}{rng.choice(corpus.prefixes)}{_word(rng)}/{_word(rng)}.html?x=1")
        elif roll < 28:
            allowed = rng.choice(corpus.allowed)
            queries.append(_scheme(rng) + (allowed if "/" in allowed else f"www.{allowed}{path}"))
        elif roll < 29:
            queries.append(f"http://{rng.choice(corpus.blocked_ips)}{path}")
        elif roll < 30:
            octets = (rng.randrange(1, 224), rng.randrange(256), rng.randrange(256), rng.randrange(256))
            queries.append("http://{}.{}.{}.{}/".format(*octets))
        elif roll < 35:  # another page on a host that has URL rules
            queries.append(f"{_scheme(rng)}{rng.choice(corpus.url_hosts)}{path}")
        elif roll < 40:  # a look-alike: a blocked name's first label under another suffix
            label = rng.choice(corpus.blocked_names).split(".")[0]
            queries.append(f"{_scheme(rng)}www.{label}.{rng.choice(TLDS)}{path}")
        else:
            query = f"?{_word(rng)}={rng.randrange(10**4)}" if rng.random() < 0.3 else ""
            queries.append(f"{_scheme(rng)}{_legit_host(rng)}{path}{query}")
    return queries


# --- a second, simple implementation: every expression and suffix looked up in sets ------


class ExpressionSetMatcher:
    """The semantics with plain dicts: a query's expressions, host and host suffixes looked up."""

    def __init__(self, rules: Iterable[Rule]) -> None:
        self.expressions: dict[str, list[Rule]] = {}
        self.hosts: dict[str, list[Rule]] = {}
        self.domains: dict[str, list[Rule]] = {}
        self.ips: dict[ipaddress.IPv4Address | ipaddress.IPv6Address, list[Rule]] = {}
        self.cidrs: list[tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, Rule]] = []
        for rule in set(rules):
            if rule.kind in (RuleKind.EXACT_URL, RuleKind.URL_PREFIX):
                self.expressions.setdefault(rule.value, []).append(rule)
            elif rule.kind is RuleKind.HOST:
                self.hosts.setdefault(rule.value, []).append(rule)
            elif rule.kind is RuleKind.DOMAIN:
                self.domains.setdefault(rule.value, []).append(rule)
            elif rule.kind is RuleKind.IP:
                self.ips.setdefault(ipaddress.ip_address(rule.value), []).append(rule)
            else:
                self.cidrs.append((ipaddress.ip_network(rule.value), rule))

    def match(self, url: CanonicalUrl) -> Verdict:
        found: list[Rule] = []
        for expression in lookup_expressions(url):
            found += self.expressions.get(expression, ())
        host = url.host
        found += self.hosts.get(host, ())
        try:
            address = ipaddress.ip_address(host.strip("[]"))
        except ValueError:
            labels = host.split(".")
            for start in range(len(labels)):
                found += self.domains.get(".".join(labels[start:]), ())
        else:
            found += self.ips.get(address, ())
            found += [rule for network, rule in self.cidrs if address in network]
        return verdict_for(found)


# --- measurements ---------------------------------------------------------------------


def python_loop_ns() -> float:
    """Nanoseconds of one empty loop iteration: how fast this machine runs Python right now."""
    start = time.perf_counter()
    for _ in range(5_000_000):
        pass
    return (time.perf_counter() - start) / 5_000_000 * 1e9


def throughput(snapshot: Snapshot, urls: Sequence[str], rounds: int = 3, cold: bool = False) -> float:
    """URLs per second, best of ``rounds`` passes; ``cold``: each on a copy with an empty verdict cache."""
    best = float("inf")
    for _ in range(rounds):
        match = (Snapshot(snapshot.tables) if cold else snapshot).match_canonical
        start = time.perf_counter()
        for url in urls:
            match(url)
        best = min(best, time.perf_counter() - start)
    return len(urls) / best


def cache_memory(snapshot: Snapshot, urls: Sequence[str]) -> tuple[int, int]:
    """Bytes and verdicts the verdict cache holds after one pass, from empty (tracemalloc)."""
    fresh = Snapshot(snapshot.tables)
    match = fresh.match_canonical
    gc.collect()
    tracemalloc.start()
    for url in urls:
        match(url)
    held = tracemalloc.get_traced_memory()[0]
    tracemalloc.stop()
    return held, len(fresh._cache) + len(fresh._cache_old)


def parity(rules: list[Rule], canonical: list[CanonicalUrl], verdicts: list[Verdict]) -> tuple[int, int, int]:
    """Mismatches against the expression-set matcher (every query) and the reference (a sample)."""
    simple = ExpressionSetMatcher(rules)
    with Timer() as timer:
        simple_verdicts = [simple.match(url) for url in canonical]
    simple_mismatches = sum(ours != theirs for ours, theirs in zip(verdicts, simple_verdicts, strict=True))
    log(f"  expression-set implementation: {len(canonical)} queries in {timer.seconds:.1f} s")
    figure("expression_set_urls_per_s", round(len(canonical) / timer.seconds), "urls/s")
    sample = sorted(
        random.Random(SEED + 1).sample(range(len(canonical)), min(REFERENCE_SAMPLE, len(canonical)))
    )
    with Timer() as timer:
        reference = reference_verdicts(rules, [canonical[index] for index in sample])
    reference_mismatches = sum(reference[n] != verdicts[index] for n, index in enumerate(sample))
    log(f"  reference implementation: {len(sample)} sampled queries in {timer.seconds:.1f} s")
    return simple_mismatches, reference_mismatches, len(sample)


def load_worker(path: str) -> None:
    """In a fresh process: load time (best of 3), RSS growth and traced bytes of one load."""

    def rss() -> int:
        with Path("/proc/self/statm").open() as statm:
            return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")

    gc.collect()
    before = rss()
    times = []
    for _ in range(3):
        start = time.perf_counter()
        snapshot = load_snapshot(path)
        times.append(time.perf_counter() - start)
        if len(times) == 1:
            grown = rss() - before
        del snapshot
        gc.collect()
    tracemalloc.start()
    snapshot = load_snapshot(path)
    traced = tracemalloc.get_traced_memory()[0]
    tracemalloc.stop()
    print(
        json.dumps(
            {
                "load_s": min(times),
                "first_load_s": times[0],
                "rss": grown,
                "traced": traced,
                "entries": len(snapshot),
            }
        )
    )


def adblock_filters(rules: Iterable[Rule]) -> tuple[list[str], int]:
    """Adblock-syntax filters for the rules; CIDR blocks and values adblock would misread are left out."""
    filters, skipped = [], 0
    for rule in rules:
        value = rule.value
        if rule.kind is RuleKind.CIDR or any(char in value for char in "$|^*"):
            skipped += 1
            continue
        if rule.kind is RuleKind.EXACT_URL:
            text = f"||{value}|"
        elif rule.kind is RuleKind.URL_PREFIX:
            text = f"||{value}"
        else:  # DOMAIN, HOST and IP: adblock has no exact-host form, so HOST widens to the domain
            text = f"||{value}^"
        filters.append(("@@" if rule.action is RuleAction.ALLOW else "") + text)
    return filters, skipped


def adblock_worker(filters_path: str, urls_path: str) -> None:
    """In its own process (its memory grows with every URL checked): build, then check each URL once."""
    import adblock  # only this subprocess needs it

    filters = Path(filters_path).read_text().splitlines()
    urls = Path(urls_path).read_text().splitlines()
    start = time.perf_counter()
    filter_set = adblock.FilterSet()
    filter_set.add_filters(filters)
    engine = adblock.Engine(filter_set)
    built = time.perf_counter() - start
    statuses = []
    start = time.perf_counter()
    for url in urls:
        result = engine.check_network_urls(url, url, "other")
        statuses.append("b" if result.matched else "a" if result.exception is not None else "n")
    elapsed = time.perf_counter() - start
    print(json.dumps({"build_s": built, "urls_per_s": len(urls) / elapsed, "statuses": "".join(statuses)}))


def run_adblock(rules: list[Rule], urls: list[str], limit: int, workdir: Path) -> dict[str, object] | None:
    try:
        import adblock  # noqa: F401
    except ImportError:
        return None
    filters, skipped = adblock_filters(rules)
    subset = urls[:limit]
    (workdir / "filters.txt").write_text("\n".join(filters))
    (workdir / "urls.txt").write_text("\n".join(subset))
    log(f"adblock: {len(filters)} filters ({skipped} rules left out), {len(subset)} URLs, in a subprocess")
    result = subprocess.run(
        [
            sys.executable,
            __file__,
            "--adblock-worker",
            str(workdir / "filters.txt"),
            str(workdir / "urls.txt"),
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    report: dict[str, object] = json.loads(result.stdout)
    report["skipped"] = skipped
    return report


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--domains", type=int, default=1_000_000, help="name and address rules")
    parser.add_argument("--urls", type=int, default=200_000, help="URL rules")
    parser.add_argument("--queries", type=int, default=200_000)
    parser.add_argument(
        "--adblock-queries", type=int, default=None, help="check only the first N with adblock"
    )
    parser.add_argument("--load-worker", help=argparse.SUPPRESS)
    parser.add_argument("--adblock-worker", nargs=2, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.load_worker:
        load_worker(args.load_worker)
        return 0
    if args.adblock_worker:
        adblock_worker(*args.adblock_worker)
        return 0
    if not UT1_DOMAINS.exists() or not GLOBAL.is_dir():
        log(f"skipped: the shared lists are not in {DATA} (set VIGIL_SHARED_DATA to their folder)")
        return 0
    bench_start = time.perf_counter()
    rng = random.Random(SEED)

    log("reading the lists ...")
    sources = read_sources()
    log(f"  {len(sources.names)} names, {len(sources.ips)} IPv4 addresses, {len(sources.urls)} URLs")
    corpus = build_corpus(sources, args.domains, args.urls, rng)
    rules = corpus.rules
    stats = Counter((rule.kind.value, rule.action.value) for rule in rules)
    log("  rules: " + ", ".join(f"{kind}/{action} {n}" for (kind, action), n in sorted(stats.items())))
    with Timer() as timer:
        canonical = build_queries(corpus, args.queries, rng)
        urls = [url.url for url in canonical]
    log(f"  {len(urls)} queries made and canonicalised in {timer.seconds:.1f} s (not timed below)")

    log("compiling ...")
    with Timer() as timer:
        snapshot = compile_snapshot(rules, generated_at="2026-05-15T00:00:00+00:00")
    figure("matcher_compile_s", timer.seconds, "s")

    log("matching (best of 3) ...")
    figure("python_loop_ns", python_loop_ns(), "ns")
    rate = throughput(snapshot, urls)
    figure("matcher_urls_per_s", round(rate), "urls/s")
    figure("matcher_cold_urls_per_s", round(throughput(snapshot, urls, cold=True)), "urls/s")
    cache_bytes, cached = cache_memory(snapshot, urls)
    figure("matcher_cache_verdicts", cached)
    figure("matcher_cache_bytes_per_entry", round(cache_bytes / len(snapshot)), "bytes")
    verdicts = [snapshot.match_canonical(url) for url in urls]
    statuses = Counter(verdict.status for verdict in verdicts)
    figure("matcher_query_hits_percent", 100 * (len(urls) - statuses["none"]) / len(urls), "%")

    log("checking parity ...")
    simple, reference, sampled = parity(rules, canonical, verdicts)
    figure("matcher_parity_mismatches", simple + reference)
    figure("matcher_parity_expression_set_checked", len(urls), "queries")
    figure("matcher_parity_expression_set_mismatches", simple)
    figure("matcher_parity_reference_checked", sampled, "queries")
    figure("matcher_parity_reference_mismatches", reference)

    with tempfile.TemporaryDirectory(prefix="vigil-bench-matcher-") as directory:
        workdir = Path(directory)
        path = workdir / "blocklist.snap"
        with Timer() as timer:
            save_snapshot(snapshot, path)
        figure("snapshot_save_s", timer.seconds, "s")
        figure("snapshot_file_bytes", path.stat().st_size, "bytes")
        entries = len(snapshot)
        del snapshot
        gc.collect()
        log("loading in a fresh process ...")
        worker = subprocess.run(
            [sys.executable, __file__, "--load-worker", str(path)], capture_output=True, text=True, check=True
        )
        loaded = json.loads(worker.stdout)
        figure("matcher_bytes_per_entry", round(loaded["traced"] / entries), "bytes")
        figure("matcher_rss_bytes_per_entry", round(loaded["rss"] / entries), "bytes")
        figure("snapshot_load_s", loaded["load_s"], "s")
        figure("snapshot_entries", loaded["entries"])

        adblock = run_adblock(rules, urls, args.adblock_queries or len(urls), workdir)
    if adblock is None:
        log(ADBLOCK_MISSING)
        print(f"adblock_urls_per_s: n/a ({ADBLOCK_MISSING})", flush=True)
    else:
        figure("adblock_urls_per_s", round(float(str(adblock["urls_per_s"]))), "urls/s")
        figure("adblock_build_s", float(str(adblock["build_s"])), "s")
        codes = {"b": "blocked", "a": "allowed", "n": "none"}
        pairs = Counter(
            (verdict.status, codes[code])
            for verdict, code in zip(verdicts, str(adblock["statuses"]), strict=False)
            if verdict.status != codes[code]
        )
        figure("adblock_checked", len(str(adblock["statuses"])), "queries")
        figure("adblock_disagreements", sum(pairs.values()), "queries")
        for (ours, theirs), n in sorted(pairs.items()):
            figure(f"adblock_disagree_vigil_{ours}_adblock_{theirs}", n, "queries")
    figure("bench_total_s", time.perf_counter() - bench_start, "s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
