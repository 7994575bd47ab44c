"""Reading blocklists in the formats feeds come in."""

from __future__ import annotations

from vigil.lib.listparse import ListEntry, ListError, parse_list

RPZ = """\
$TTL 60
@ SOA ns.feed.example. hostmaster.feed.example. 1 3600 600 864000 60
@ NS ns.feed.example.
evil.com CNAME .
*.evil.com 300 IN CNAME .
ok.com CNAME rpz-passthru.
*.ok.com CNAME RPZ-PASSTHRU.
24.0.2.0.192.rpz-ip CNAME .
"""


def test_rpz_reads_blocking_name_triggers_and_reports_the_rest() -> None:
    assert list(parse_list(RPZ.splitlines())) == [
        ListEntry(4, "domain", "evil.com"),
        ListEntry(5, "domain", "evil.com"),
        ListError(6, "not a blocking RPZ record: 'ok.com' is allow-listed (rpz-passthru)"),
        ListError(7, "not a blocking RPZ record: 'ok.com' is allow-listed (rpz-passthru)"),
        ListError(8, "not a name trigger: '24.0.2.0.192.rpz-ip' is an rpz-ip address trigger, not read here"),
    ]
