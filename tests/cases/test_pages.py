"""Case pages: list, filters, open, in-page actions through HTMX, sandboxed evidence."""

from __future__ import annotations

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from tests import factories
from tests.pages import verified_client
from vigil.cases.models import Case, Decision

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}


def test_case_list_filters_and_searches(analyst):
    factories.case(analyst, title="Lừa đảo trúng thưởng")
    factories.case(
        analyst, title="Cá độ bóng đá", category_code="gambling", indicators=[("phone", "0912345678")]
    )
    client = verified_client(analyst)
    assert client.get("/cases/", {"q": "lua dao"}).content.count(b"/cases/VL-") == 1
    assert "Cá độ".encode() in client.get("/cases/", {"q": "0912 345 678"}).content
    gambling = client.get("/cases/", {"category": "gambling"})
    assert "Cá độ".encode() in gambling.content and "Lừa đảo".encode() not in gambling.content
    bad = client.get("/cases/", {"status": "nonsense"})
    assert bad.status_code == 200 and b"unknown status" in bad.content


def test_case_list_query_count_does_not_grow_with_cases(analyst, django_assert_max_num_queries):
    client = verified_client(analyst)
    for n in range(5):
        factories.case(analyst, title=f"Vụ {n}", indicators=[])
    with django_assert_max_num_queries(12) as few:
        client.get("/cases/")
    for n in range(25):
        factories.case(analyst, title=f"Thêm {n}", indicators=[])
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get("/cases/")
    assert response.content.count(b'href="/cases/VL-') == 30


def test_open_a_case_from_a_pasted_message(analyst):
    client = verified_client(analyst)
    form = client.get("/cases/new/")
    assert form.status_code == 200
    category = factories.category("fraud")
    response = client.post(
        "/cases/new/",
        {
            "title": "Tin nhắn giả ngân hàng",
            "category": category.pk,
            "priority": 2,
            "indicator_text": (
                "VCB: TK cua quy khach bi khoa. Truy cap hxxps://vcb-mo-khoa[.]com/xacthuc "
                "hoac goi 0912.345.678"
            ),
        },
    )
    assert response.status_code == 302
    case = Case.objects.get(title="Tin nhắn giả ngân hàng")
    values = set(case.indicators.values_list("value", flat=True))
    assert {"https://vcb-mo-khoa.com/xacthuc", "+84912345678"} <= values
    assert case.organisation == analyst.organisation


def test_bad_indicator_text_gets_a_field_error(analyst):
    client = verified_client(analyst)
    response = client.post(
        "/cases/new/",
        {"title": "x", "category": factories.category().pk, "priority": 2, "indicator_text": "http://"},
    )
    assert response.status_code == 200 and b"not a URL" in response.content
    assert not Case.objects.exists()


def test_htmx_actions_refresh_the_case_in_place(analyst, appraiser, approver):
    case = factories.case(analyst)
    web = verified_client(analyst)
    url = f"/cases/{case.code}/do/"
    added = web.post(url + "add-indicator/", {"type": "phone", "value": "0987 654 321"}, **HTMX)
    assert added.status_code == 200 and b'id="case-main"' in added.content and b"+84 98" in added.content
    refused = web.post(url + "add-indicator/", {"type": "phone", "value": "12"}, **HTMX)
    assert b"not a Vietnamese or international phone number" in refused.content
    upload = web.post(
        url + "upload-evidence/",
        {"file": SimpleUploadedFile("cap.html", b"<html>x</html>"), "source": "http://bad.example.com"},
        **HTMX,
    )
    assert upload.status_code == 200 and case.evidence.count() == 1
    for status in ("triage", "collecting", "appraisal"):
        assert web.post(url + "transition/", {"status": status}, **HTMX).status_code == 200
    assert (
        verified_client(appraiser)
        .post(
            url + "appraise/",
            {"verdict": "violation_confirmed", "reasoning": "Trang giả mạo, có form OTP."},
            **HTMX,
        )
        .status_code
        == 200
    )
    indicator = case.indicator_links.get(indicator__type="url").indicator
    drafted = web.post(
        url + "draft-decision/",
        {
            "action": "dns_block",
            "scope": "host",
            "indicator": indicator.pk,
            "legal_basis": factories.legal_basis().pk,
            "reasoning": "Chặn tên miền giả mạo.",
            "evidence": [case.evidence.get().pk],
        },
        **HTMX,
    )
    assert drafted.status_code == 200, drafted.content
    decision = Decision.objects.get(case=case)
    self_approval = web.post(url + "approve/", {"decision": decision.pk}, **HTMX)
    assert b"error-box" in self_approval.content  # analysts cannot approve
    approved = verified_client(approver).post(url + "approve/", {"decision": decision.pk}, **HTMX)
    assert approved.status_code == 200
    decision.refresh_from_db()
    assert decision.state == "active" and Case.objects.get(pk=case.pk).status == "actioned"


def test_plain_post_fallback_redirects_with_a_message(analyst):
    case = factories.case(analyst)
    web = verified_client(analyst)
    response = web.post(f"/cases/{case.code}/do/transition/", {"status": "closed"}, follow=True)
    assert response.redirect_chain[-1][0].endswith(f"/cases/{case.code}/#status")
    assert b"cannot move to" in response.content


def test_captured_html_is_never_rendered_in_vigils_origin(analyst):
    case = factories.case(analyst)
    item = factories.evidence(analyst, case, content=b"<html><script>steal()</script></html>")
    web = verified_client(analyst)
    download = web.get(f"/evidence/{item.pk}/download/")
    assert download["Content-Disposition"].startswith("attachment")
    assert download["Content-Security-Policy"].startswith("sandbox")
    preview = web.get(f"/evidence/{item.pk}/preview/")
    assert preview["Content-Security-Policy"].startswith("sandbox")
    assert "allow-scripts" not in preview["Content-Security-Policy"]
    assert preview["X-Content-Type-Options"] == "nosniff"
    page = web.get(f"/cases/{case.code}/").content.decode()
    assert re.search(r'<iframe class="sandboxed" sandbox=""', page)


def test_merged_case_page_is_read_only(analyst):
    source, target = factories.case(analyst), factories.case(analyst, title="Đích")
    web = verified_client(analyst)
    web.post(f"/cases/{source.code}/do/merge/", {"into": target.code, "reason": "trùng"})
    page = web.get(f"/cases/{source.code}/").content
    assert b"merged into" in page and b'id="indicator-form"' not in page
    assert source.code.encode() in web.get(f"/cases/{target.code}/").content


def test_other_organisations_cases_are_404_pages(analyst, liaison):
    case = factories.case(analyst)
    assert verified_client(liaison).get(f"/cases/{case.code}/").status_code == 404
    assert verified_client(liaison).get(f"/indicators/{case.indicators.first().pk}/").status_code == 404
