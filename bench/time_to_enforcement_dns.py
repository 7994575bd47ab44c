"""Time to enforcement, DNS part: from a TSIG dynamic update to a resolver blocking the name.

Run from the project root (never part of the test run)::

    .venv/bin/python bench/time_to_enforcement_dns.py [--records 1000000] [--names 20]

It starts, on 127.0.0.1 in a temporary directory (see ``tests/dnsservers.py``):

* a BIND *publishing primary* loading a policy zone of ``--records`` records written by
  :func:`vigil.lib.exports.zonefile.write_zone` (DOMAIN rules, each the name and its
  wildcard, ``CNAME`` to the block page, with their comments), and a small, empty "recent"
  policy zone; both accept TSIG-signed updates;
* a BIND *resolver* that is a secondary of both zones (``response-policy`` lists the
  recent zone first; ``min-update-interval 0``, NOTIFY with ``notify-delay 0``).

Once the resolver has loaded the large zone, ``--names`` names are blocked one after the
other, like separate approvals: each is one ``DynamicUpdatePublisher.publish_changes``
(one UPDATE message), and the time runs until the resolver answers NXDOMAIN for it
(polled with dnspython every ``--poll`` seconds). This is done first against the large
zone, then against the recent zone (the two-zone pattern). Figures go to stdout as
``name: value unit`` lines; progress to stderr.
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.common import exit_on_sigterm, log, percentile, print_figures, scratch_directory  # noqa: E402
from tests.dnsservers import (  # noqa: E402
    BindServer,
    BindZone,
    TsigKey,
    free_port,
    query,
    require,
    wait_until,
    zone_meta,
    zone_text,
)
from vigil.lib.blocklist import Rule, RuleAction, RuleKind, RuleRef  # noqa: E402
from vigil.lib.dnspublish import DynamicUpdatePublisher  # noqa: E402
from vigil.lib.exports.rpz import Policy, RpzRecord  # noqa: E402
from vigil.lib.exports.zonefile import write_zone, zone_records  # noqa: E402

MAIN_ZONE = "rpz.vigil"
RECENT_ZONE = "recent.rpz.vigil"
BLOCK_PAGE = "walled.example.test"
TLDS = ["com", "net", "org", "info", "xyz", "top", "vn", "com.vn", "online", "site"]
SEED = 20261128
BUSY_NAMES = 5  # recent-zone updates timed while the resolver rebuilds the large zone


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--records", type=int, default=1_000_000, help="records in the large zone")
    parser.add_argument("--names", type=int, default=20, help="names blocked, one update each")
    parser.add_argument("--poll", type=float, default=0.02, help="seconds between resolver queries")
    parser.add_argument("--timeout", type=float, default=60.0, help="give up on a name after this")
    parser.add_argument("--no-two-zone", action="store_true", help="skip the two-zone measurement")
    parser.add_argument("--keep", action="store_true", help="keep the server directory (logs)")
    args = parser.parse_args(argv)
    if args.records < 2 or args.names < 2:
        parser.error("--records and --names must be at least 2")
    return args


def existing_rules(count: int) -> Iterator[Rule]:
    """DOMAIN block rules; each gives two records (the name and its wildcard)."""
    rng = random.Random(SEED)
    for i in range(count):
        ref = RuleRef(i + 1, "phishing", "registrable_domain", "blhs-290", "2027-11-28T00:00:00+00:00")
        yield Rule(
            RuleKind.DOMAIN, f"bad{i}-{rng.randrange(16**6):06x}.{TLDS[i % 10]}", RuleAction.BLOCK, ref
        )


def write_big_zone(path: Path, count: int, block_host: str = BLOCK_PAGE) -> tuple[int, str]:
    """Write the large policy zone with Vigil's zone writer; return its record count and a blocked name."""
    rules = list(existing_rules(count // 2))
    meta = zone_meta(MAIN_ZONE, 1, policy=Policy.CNAME, block_host=block_host)
    with path.open("w", encoding="utf-8") as out:
        stats = write_zone(rules, out, meta)
    return stats.written, rules[-1].value


def world_zone(names: int) -> str:
    lines = [
        "$TTL 300",
        "@ SOA ns.example.test. root.example.test. 1 3600 600 86400 300",
        "@ NS ns",
        "ns A 127.0.0.1",
        "walled A 192.0.2.250",
    ]
    lines += [f"new{k} A 192.0.2.{k % 250 + 1}" for k in range(names)]
    return "\n".join(lines) + "\n"


def new_records(name: str, k: int) -> list[RpzRecord]:
    """The records of one newly approved DOMAIN rule (the name and its wildcard), NXDOMAIN."""
    rule = Rule(RuleKind.DOMAIN, name, RuleAction.BLOCK, RuleRef(10_000_000 + k, "phishing", "host"))
    return zone_records([rule], zone_meta(MAIN_ZONE))[0]


def time_updates(
    publisher: DynamicUpdatePublisher,
    resolver: BindServer,
    names: Sequence[str],
    args: argparse.Namespace,
    *,
    before: Callable[[int], object] | None = None,
) -> list[float]:
    """Block each name with one update; the seconds until the resolver says NXDOMAIN for it."""
    times = []
    for k, name in enumerate(names):
        if query(resolver.port, name).rcode != "NOERROR":
            raise RuntimeError(f"{name} is blocked before its update")
        if before is not None:
            before(k)
        start = time.perf_counter()
        publisher.publish_changes(added=new_records(name, k))
        wait_until(
            lambda n=name: query(resolver.port, n).rcode == "NXDOMAIN",
            timeout=args.timeout,
            interval=args.poll,
            what=f"{name} blocked",
        )
        times.append(time.perf_counter() - start)
        log(f"  {name}: {times[-1]:.3f} s")
    return times


def measure(args: argparse.Namespace, directory: Path) -> list[tuple[str, float, str]]:
    require("named", "rndc")
    update_key, transfer_key = TsigKey.generate("vigil-update"), TsigKey.generate("vigil-transfer")
    primary_port, resolver_port = free_port(), free_port()
    (directory / "primary").mkdir(parents=True)

    started = time.perf_counter()
    big_path = directory / "primary" / f"{MAIN_ZONE}.db"
    records, blocked_name = write_big_zone(big_path, args.records)
    size_mb = big_path.stat().st_size / 1e6
    log(f"wrote {records:,} records ({size_mb:.0f} MB) in {time.perf_counter() - started:.1f} s")

    def primary_zone(name: str, **kwargs: object) -> BindZone:
        return BindZone(
            name,
            update_key=update_key,
            transfer_key=transfer_key,
            also_notify=(resolver_port,),
            **kwargs,  # type: ignore[arg-type]
        )

    primary = BindServer(
        directory / "primary",
        port=primary_port,
        zones=[
            primary_zone(MAIN_ZONE, file=big_path),
            primary_zone(RECENT_ZONE, text=zone_text(RECENT_ZONE, [], serial=1)),
        ],
        rpz_log=False,
    )
    resolver = BindServer(
        directory / "resolver",
        port=resolver_port,
        zones=[
            BindZone(zone, transfer_key=transfer_key, primary_port=primary_port)
            for zone in (RECENT_ZONE, MAIN_ZONE)
        ],
        authoritative={"example.test": world_zone(2 * args.names + BUSY_NAMES)},
        response_policy=[RECENT_ZONE, MAIN_ZONE],
        rpz_log=False,
    )
    figures: list[tuple[str, float, str]] = [("rpz_zone_records", records, "")]
    try:
        started = time.perf_counter()
        primary.start(timeout=120)
        wait_until(lambda: primary.serial(MAIN_ZONE) == 1, timeout=120, interval=0.1, what="primary loaded")
        log(f"primary loaded the zone in {time.perf_counter() - started:.1f} s")

        started = time.perf_counter()
        resolver.start(timeout=120)
        # Every record sends its names to the block page, and only the policy can give a CNAME
        # (an unknown name is NXDOMAIN from the fake root anyway, so NXDOMAIN proves nothing).
        walled_name = "x." + blocked_name
        wait_until(
            lambda: bool(query(resolver.port, walled_name).cnames),
            timeout=180,
            interval=0.1,
            what="resolver enforcing the large zone",
        )
        ready = time.perf_counter() - started
        log(f"resolver transferred the zone and built its policy in {ready:.1f} s")
        figures.append(("rpz_secondary_ready_s", round(ready, 1), "s"))

        main = DynamicUpdatePublisher(
            "127.0.0.1", primary_port, MAIN_ZONE, update_key.name, update_key.secret
        )
        names = [f"new{k}.example.test" for k in range(2 * args.names)]
        log(f"blocking {args.names} names through the {records:,}-record zone, one update each")
        single = time_updates(main, resolver, names[: args.names], args)
        figures += [
            ("time_to_enforcement_dns_p50_s", round(percentile(single, 50), 3), "s"),
            ("time_to_enforcement_dns_p95_s", round(percentile(single, 95), 3), "s"),
        ]
        if not args.no_two_zone:
            recent = DynamicUpdatePublisher(
                "127.0.0.1", primary_port, RECENT_ZONE, update_key.name, update_key.secret
            )
            log(f"blocking {args.names} names through the recent zone (two-zone pattern)")
            two = time_updates(recent, resolver, names[args.names :], args)
            figures += [
                ("time_to_enforcement_dns_two_zone_p50_s", round(percentile(two, 50), 3), "s"),
                ("time_to_enforcement_dns_two_zone_p95_s", round(percentile(two, 95), 3), "s"),
            ]
            # Does a rebuild of the large zone (a revocation, a fold) hold up the recent zone?
            log(f"blocking {BUSY_NAMES} names through the recent zone, each just after a large-zone update")
            busy_names = [f"new{k}.example.test" for k in range(2 * args.names, 2 * args.names + BUSY_NAMES)]

            def update_large_zone(k: int) -> None:
                main.publish_changes(added=[RpzRecord(f"busy{k}.example.net", "CNAME", ".")])

            busy = time_updates(recent, resolver, busy_names, args, before=update_large_zone)
            figures.append(
                ("time_to_enforcement_dns_two_zone_busy_p50_s", round(percentile(busy, 50), 3), "s")
            )
    except BaseException:
        for server in (primary, resolver):
            log(server.diagnostics())
        raise
    finally:
        resolver.stop()
        primary.stop()
    return figures


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    exit_on_sigterm()
    started = time.perf_counter()
    with scratch_directory("vigil-bench-dns-", keep=args.keep) as directory:
        figures = measure(args, directory)
    print_figures(figures)
    log(f"bench took {time.perf_counter() - started:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
