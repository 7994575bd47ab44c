"""Following moving sites: DNS history, new IPs and name servers, liveness, linked leads."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from tests import factories
from tests.collection.helpers import capture_now
from tests.dnsservers import BindServer, wait_until
from vigil.cases import services as case_services
from vigil.collection import services
from vigil.collection.models import HostCheck, HostObservation, Lead
from vigil.core.models import AuditEvent
from vigil.errors import Conflict, NotAllowed

pytestmark = pytest.mark.django_db


def zone(serial: int, address: str, nameserver: str) -> str:
    return f"""\
$TTL 30
@        SOA {nameserver}.moving.test. admin.moving.test. {serial} 3600 600 86400 30
@        NS  {nameserver}.moving.test.
{nameserver} A 127.0.0.1
shop     A   {address}
"""


@pytest.fixture
def moving(tmp_path, settings):
    """A BIND serving moving.test, whose answers the test changes."""
    with BindServer(
        tmp_path / "bind", authoritative={"moving.test": zone(1, "127.0.0.1", "ns1")}, rpz_log=False
    ) as bind:
        settings.VIGIL_CAPTURE_RESOLVER = f"127.0.0.1:{bind.port}"

        def move(serial: int, address: str, nameserver: str) -> None:
            bind.zone_path("moving.test").write_text(zone(serial, address, nameserver))
            bind.rndc("reload", "moving.test")
            wait_until(
                lambda: address in bind.resolve("shop.moving.test").addresses, timeout=10, what="zone reload"
            )

        yield move


@pytest.mark.dns
def test_reresolution_keeps_history_and_raises_leads_for_new_ips_and_name_servers(analyst, web, moving):
    url = f"http://shop.moving.test:{web.port}/bank/login"
    capture = capture_now(analyst, url)
    assert capture.state == "succeeded", capture.failure_message
    seen = set(HostObservation.objects.filter(host="shop.moving.test").values_list("rdtype", "value"))
    assert ("A", "127.0.0.1") in seen and ("NS", "ns1.moving.test") in seen

    assert services.reresolve_all() == {"hosts": 1, "leads": 0, "live": 1}
    first = HostCheck.objects.get()
    assert (first.addresses, first.http_status, first.live, first.new_addresses) == (
        ["127.0.0.1"],
        200,
        True,
        [],
    )

    moving(2, "127.0.0.2", "ns7")
    result = services.reresolve_all()
    assert result["leads"] == 2 and result["live"] == 0
    check = HostCheck.objects.order_by("-id").first()
    assert check.new_addresses == ["127.0.0.2"] and check.new_nameservers == ["ns7.moving.test"]
    assert not check.live and "refused" in check.error  # the new address is not one a capture may reach
    leads = {lead.kind: lead for lead in Lead.objects.filter(case=capture.case)}
    assert set(leads) == {"new_address", "new_nameserver"}
    assert leads["new_address"].new_value == "127.0.0.2" and "127.0.0.2" in leads["new_address"].summary
    assert AuditEvent.objects.filter(action="lead.raised", case_id=capture.case_id).count() == 2
    old = HostObservation.objects.get(host="shop.moving.test", rdtype="A", value="127.0.0.1")
    new = HostObservation.objects.get(host="shop.moving.test", rdtype="A", value="127.0.0.2")
    assert old.first_seen <= old.last_seen < new.first_seen

    assert services.reresolve_all()["leads"] == 0, "a lead is raised once"


def test_liveness_records_status_and_content_changes(analyst, web):
    factories.case(analyst, indicators=[("url", web.url("/changing")), ("url", web.url("/harmless"))])
    services.reresolve_all()
    services.reresolve_all()
    checks = {
        url: list(HostCheck.objects.filter(url=url).order_by("id"))
        for url in (web.url("/changing"), web.url("/harmless"))
    }
    assert [c.content_changed for c in checks[web.url("/changing")]] == [False, True]
    assert [c.content_changed for c in checks[web.url("/harmless")]] == [False, False]
    assert all(c.live and c.http_status == 200 for cs in checks.values() for c in cs)


def test_watched_hosts_are_open_cases_and_active_decisions(analyst, approver, appraiser, web):
    open_case = factories.case(analyst, indicators=[("url", "http://dang-mo.example.com/a")])
    case, item = factories.case_ready_for_decision(analyst, appraiser)
    decision = factories.draft(analyst, case, item)
    case_services.approve_decision(actor=approver, decision=decision)
    watched = services.watched_hosts()
    assert {"dang-mo.example.com", "bad.example.com"} <= set(watched)
    assert open_case.pk in watched["dang-mo.example.com"].cases


def test_the_same_page_under_a_new_domain_is_a_linked_lead(analyst, web):
    blocked = capture_now(analyst, web.url("/bank/login"), title="Trang giả mạo VCB (đã chặn)")
    again = capture_now(analyst, f"http://localhost:{web.port}/bank/login", title="Báo cáo mới")
    assert again.state == "succeeded"
    lead = Lead.objects.get(kind="same_content")
    assert lead.case == blocked.case and lead.capture == again and lead.matched_capture == blocked
    assert lead.host == "localhost" and "identical page" in lead.summary and again.case.code in lead.summary
    # The analyst links it: the new domain joins the blocked site's case.
    services.link_lead(actor=analyst, lead=lead, note="cùng bộ giao diện")
    lead.refresh_from_db()
    assert lead.state == "linked" and lead.handled_by == analyst
    assert blocked.case.indicator_links.filter(
        indicator__value=f"http://localhost:{web.port}/bank/login"
    ).exists()
    assert AuditEvent.objects.filter(action="lead.linked", object_id=str(lead.pk)).exists()
    with pytest.raises(Conflict):
        services.dismiss_lead(actor=analyst, lead=lead)


def test_different_pages_raise_no_lead_and_leads_need_a_capture_role(analyst, liaison, web):
    capture_now(analyst, web.url("/bank/login"))
    capture_now(analyst, f"http://localhost:{web.port}/gambling")
    assert not Lead.objects.exists()
    capture_now(analyst, f"http://localhost:{web.port}/bank/login")
    lead = Lead.objects.get()
    stale = Lead.objects.get()  # a second analyst's page, opened before the dismissal
    with pytest.raises((NotAllowed, Exception)):
        services.dismiss_lead(actor=liaison, lead=lead)
    services.dismiss_lead(actor=analyst, lead=lead, note="trùng")
    assert Lead.objects.get().state == "dismissed"
    with pytest.raises(Conflict):
        services.link_lead(actor=analyst, lead=stale)
    assert Lead.objects.get().state == "dismissed"
    assert not AuditEvent.objects.filter(action="lead.linked").exists()


def test_observations_count_sightings_and_report_only_values_new_to_a_known_host():
    from vigil.collection.services.tracking import record_observations
    from vigil.lib.fetch.dnsrecords import DnsAnswer, DnsSnapshot

    def snapshot(*addresses: str) -> DnsSnapshot:
        answer = DnsAnswer("shop.example.com", "A", "NOERROR", 30, addresses)
        return DnsSnapshot("shop.example.com", "test", "2025-01-01T00:00:00Z", (answer,))

    first, later = timezone.now(), timezone.now() + dt.timedelta(hours=1)
    assert record_observations("shop.example.com", snapshot("192.0.2.1"), first) == {}
    assert record_observations("shop.example.com", snapshot("192.0.2.1", "192.0.2.2"), later) == {
        "A": ["192.0.2.2"]
    }
    seen = HostObservation.objects.get(host="shop.example.com", value="192.0.2.1")
    assert (seen.times_seen, seen.first_seen, seen.last_seen) == (2, first, later)
