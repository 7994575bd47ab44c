"""Write bench for the RPZ zone writer: a 1,000,000-record policy zone, and dnspython as the peer.

Run from the project root (never part of the test run)::

    .venv/bin/python bench/rpz_write.py [--runs 3] [--synthetic]

It builds 1,000,000 RPZ records' worth of rules — DOMAIN rules (two records each: the
name and its wildcard), HOST rules, IP rules and 100 allow-listed domains — from the UT1
blocklist in ``/work/shared/data/blocklist-scale-ut1`` where it is present (real names and
real IPv4 addresses; synthetic host names fill the remainder) or wholly synthetic with
``--synthetic`` or without the file. Every rule has its own decision, as in production.
It then times :func:`vigil.lib.exports.zonefile.write_zone` writing the shuffled rules to a
temporary file (best of ``--runs``), and dnspython building and writing the first 20,000
of the same records, scaled to 1,000,000. Figures go to stdout as ``name: value unit``
lines; progress and the data's provenance to stderr.
"""

from __future__ import annotations

import argparse
import gzip
import ipaddress
import os
import random
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import dns.name  # noqa: E402 - after the path set-up above
import dns.rdata  # noqa: E402
import dns.rdataclass  # noqa: E402
import dns.rdatatype  # noqa: E402
import dns.zone  # noqa: E402

from bench.common import log  # noqa: E402
from vigil.lib.blocklist import Rule, RuleAction, RuleKind, RuleRef  # noqa: E402
from vigil.lib.exports.registry import ExportError, ExportMeta, check_names  # noqa: E402
from vigil.lib.exports.rpz import Policy, RpzRecord  # noqa: E402
from vigil.lib.exports.zonefile import write_zone, zone_records  # noqa: E402

UT1 = Path("/work/shared/data/blocklist-scale-ut1/ut1-categorized-domains.tsv.gz")
RECORDS = 1_000_000
DOMAINS = 449_900  # 899,800 records
HOSTS = 90_000  # real names first, synthetic ones fill up to the exact record count
ADDRESSES = 10_000
ALLOWED = 100  # allow-listed domains (passthru, two records each)
PEER_RECORDS = 20_000
SEED = 20261129
META = ExportMeta(
    "rpz.vigil.example",
    2026112901,
    "2026-11-29T00:00:00Z",
    policy=Policy.CNAME,
    block_host="blocked.vigil.example",
    nameservers=("ns1.vigil.example",),
)


def ut1_rows() -> Iterator[tuple[str, str]]:
    """(name, category) once per name, in file order."""
    seen: set[str] = set()
    with gzip.open(UT1, "rt", encoding="utf-8") as rows:
        next(rows)  # header
        for row in rows:
            name, _, category = row.rstrip("\n").partition("\t")
            if name not in seen:
                seen.add(name)
                yield name, category


def valid_name(name: str) -> bool:
    try:
        check_names([name], max_length=200)
    except ExportError:
        return False
    return True


def real_pools() -> tuple[list[tuple[str, str]], list[str], list[str]]:
    """UT1 names (with a category), IPv4 addresses, and bank domains for the allow-list."""
    names, addresses, banks = [], [], []
    for name, category in ut1_rows():
        try:
            addresses.append(str(ipaddress.IPv4Address(name)))
            continue
        except ValueError:
            pass
        if not valid_name(name):
            continue
        if category == "bank" and len(banks) < ALLOWED:
            banks.append(name)
        else:
            names.append((name, category))
    return names, addresses, banks


def synthetic_pools(rng: random.Random) -> tuple[list[tuple[str, str]], list[str], list[str]]:
    words = ["vcb", "acb", "bidv", "momo", "shopee", "zalo", "otp", "xacminh", "hotro", "khuyenmai"]
    tlds = ["com", "net", "xyz", "top", "vn", "com.vn", "online", "site", "info", "shop"]
    names = [
        (f"{rng.choice(words)}-{rng.choice(words)}-{index}.{rng.choice(tlds)}", "phishing")
        for index in range(DOMAINS + HOSTS)
    ]
    addresses = [str(ipaddress.IPv4Address(rng.randrange(1 << 24, 223 << 24))) for _ in range(ADDRESSES * 2)]
    banks = [f"bank{index}.com.vn" for index in range(ALLOWED)]
    return names, addresses, banks


def decision_ref(decision_id: int, category: str, scope: str) -> RuleRef:
    return RuleRef(
        decision_id, category, scope, "blhs-290", f"2027-{decision_id % 12 + 1:02d}-15T00:00:00+00:00"
    )


def build_rules(synthetic: bool, rng: random.Random) -> list[Rule]:
    """Rules whose zone has exactly RECORDS records."""
    real = not synthetic and UT1.exists()
    names, addresses, banks = real_pools() if real else synthetic_pools(rng)
    addresses = sorted(set(addresses))[:ADDRESSES]
    ids = iter(range(1, 10_000_000))
    rules = [
        Rule(RuleKind.DOMAIN, name, RuleAction.BLOCK, decision_ref(next(ids), category, "registrable_domain"))
        for name, category in names[:DOMAINS]
    ]
    rules += [
        Rule(RuleKind.HOST, name, RuleAction.BLOCK, decision_ref(next(ids), category, "host"))
        for name, category in names[DOMAINS : DOMAINS + HOSTS]
    ]
    rules += [
        Rule(RuleKind.IP, address, RuleAction.BLOCK, decision_ref(next(ids), "malware", "ip"))
        for address in addresses
    ]
    allow = RuleRef(None, "bank", "allowlist", source="allowlist")
    rules += [Rule(RuleKind.DOMAIN, bank, RuleAction.ALLOW, allow) for bank in banks]
    with open(os.devnull, "w") as devnull:
        written = write_zone(rules, devnull, META).written
    # Names below DOMAIN rules add records (see NameTree); synthetic hosts under a name that
    # no rule covers add exactly one each, so they make up the count.
    fill = RECORDS - written
    if fill < 0:
        raise SystemExit(f"the real rules already make {written} records, more than {RECORDS}")
    rules += [
        Rule(
            RuleKind.HOST,
            f"h{index}.fill.vigil-bench.example",
            RuleAction.BLOCK,
            decision_ref(next(ids), "phishing", "host"),
        )
        for index in range(fill)
    ]
    real_names = min(len(names), DOMAINS + HOSTS) + len(banks) if real else 0
    kinds = {kind: sum(rule.kind == kind for rule in rules) for kind in RuleKind}
    log(
        f"rules: {len(rules)} ({kinds[RuleKind.DOMAIN]} DOMAIN incl. {len(banks)} allow-listed, "
        f"{kinds[RuleKind.HOST]} HOST, {kinds[RuleKind.IP]} IP); data: "
        + (
            f"UT1 {real_names} real names and {len(addresses)} real IPv4 addresses, {fill} synthetic hosts"
            if real
            else "synthetic (--synthetic or no UT1 file)"
        )
    )
    return rules


def best_of(runs: int, action: Callable[[], object]) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        action()
        times.append(time.perf_counter() - start)
    return min(times)


def dnspython_write(records: list[RpzRecord], path: Path) -> None:
    """What a dnspython writer does: build the zone node by node, then write it."""
    origin = dns.name.from_text(META.origin)
    zone = dns.zone.Zone(origin)
    soa = f"{META.nameservers[0]}. {META.soa_rname} {META.serial} 3600 600 864000 60"
    for owner, rtype, rdata in [("@", "SOA", soa), ("@", "NS", f"{META.nameservers[0]}.")] + [
        (r.owner, r.rtype, r.rdata) for r in records
    ]:
        name = dns.name.from_text(owner, origin)
        rdtype = dns.rdatatype.from_text(rtype)
        rdataset = zone.find_rdataset(name, rdtype, create=True)
        rdataset.add(dns.rdata.from_text(dns.rdataclass.IN, rdtype, rdata, origin=origin), META.ttl)
    with path.open("w") as out:
        zone.to_file(out, relativize=True)


def python_loop() -> None:
    total = 0
    for number in range(10_000_000):
        total += number


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3, help="timed runs; the best counts (default 3)")
    parser.add_argument("--synthetic", action="store_true", help="synthetic names even if UT1 is present")
    args = parser.parse_args()
    rng = random.Random(SEED)

    log("building rules …")
    rules = build_rules(args.synthetic, rng)
    rng.shuffle(rules)  # decisions arrive in id order, not name order

    with tempfile.TemporaryDirectory(prefix="vigil-bench-rpz-") as directory:
        path = Path(directory) / "rpz.zone"

        def write() -> None:
            with path.open("w", encoding="utf-8") as out:
                stats = write_zone(rules, out, META)
            assert stats.written == RECORDS, stats

        log(f"writing the zone {args.runs} times …")
        seconds = best_of(args.runs, write)
        size = path.stat().st_size

        records = zone_records(rules, META)[0][:PEER_RECORDS]
        log(f"dnspython: {len(records)} records, {args.runs} times …")
        peer = best_of(args.runs, lambda: dnspython_write(records, Path(directory) / "peer.zone"))

    print(f"rpz_write_1m_s: {seconds:.2f} s")
    print(f"rpz_write_1m_bytes: {size} bytes")
    print(f"rpz_write_dnspython_1m_s_estimated: {peer * RECORDS / PEER_RECORDS:.1f} s")
    print(f"python_loop_10m_s: {best_of(args.runs, python_loop):.2f} s")


if __name__ == "__main__":
    main()
