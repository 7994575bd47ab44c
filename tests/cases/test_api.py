"""API v1: CRUD, error shapes, and a permission matrix per role."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pytest
from django.test import Client

from tests import factories
from vigil.core.models import AuditEvent

pytestmark = pytest.mark.django_db

ROLES = ("admin", "analyst", "appraiser", "approver", "liaison", "unit_reporter", "auditor")


@pytest.fixture
def world(analyst, appraiser, isp, unit_reporter):
    """Case A (department's, concerns the ISP) ready for a decision; case B (department only);
    case C (owned by the reporting officer's department)."""
    case_a, item = factories.case_ready_for_decision(analyst, appraiser)
    case_a.concerned_organisations.add(isp)
    decision = factories.draft(analyst, case_a, item)
    case_b = factories.case(analyst, title="Chỉ Sở biết", indicators=[("phone", "0987 111 222")])
    case_c = factories.case(
        unit_reporter, title="Báo cáo của Sở Y tế", indicators=[("email", "scam@bad.example.com")]
    )
    return {"a": case_a, "b": case_b, "c": case_c, "item": item, "decision": decision}


def test_case_crud_through_the_api(api, analyst):
    client = api(analyst)
    created = client.post(
        "/cases",
        {
            "title": "Lừa đảo tuyển cộng tác viên",
            "category": "fraud",
            "priority": 3,
            "indicators": [
                {"value": "hxxps://ctv-online[.]example.com/dang-ky"},
                {"type": "phone", "value": "0912 345 678"},
            ],
        },
    )
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["code"].startswith("VL-") and body["status"] == "new" and body["priority"] == 3
    assert {i["value"] for i in body["indicators"]} == {
        "https://ctv-online.example.com/dang-ky",
        "+84912345678",
    }

    patched = client.patch(f"/cases/{body['code']}", {"title": "Lừa đảo CTV", "assignee": "analyst"})
    assert patched.status_code == 200 and patched.json()["assignee"] == "analyst"
    moved = client.post(f"/cases/{body['code']}/transition", {"status": "triage"})
    assert moved.status_code == 200 and moved.json()["status"] == "triage"

    listing = client.get("/cases", {"status": "triage", "q": "lua dao ctv"})
    assert listing.json()["count"] == 1 and listing.json()["items"][0]["code"] == body["code"]
    by_phone = client.get("/cases", {"q": "+84 912-345-678"})
    assert [c["code"] for c in by_phone.json()["items"]] == [body["code"]]
    timeline = client.get(f"/cases/{body['code']}/timeline").json()
    assert [e["action"] for e in timeline][:2] == [
        "indicator.created",
        "indicator.created",
    ] or "case.opened" in [e["action"] for e in timeline]


def test_full_decision_flow_through_the_api(api, analyst, appraiser, approver):
    a, p, r = api(analyst), api(appraiser), api(approver)
    code = a.post(
        "/cases",
        {
            "title": "Trang giả mạo",
            "category": "phishing",
            "indicators": [{"type": "url", "value": "http://secure.vcb-login-demo.com.vn/x"}],
        },
    ).json()["code"]
    for status in ("triage", "collecting"):
        assert a.post(f"/cases/{code}/transition", {"status": status}).status_code == 200
    upload = a.client.post(
        f"/api/v1/cases/{code}/evidence",
        {"file": _file(b"<html>fake</html>", "page.html"), "source": "http://secure.vcb-login-demo.com.vn/x"},
    )
    assert upload.status_code == 201, upload.content
    evidence = upload.json()
    assert evidence["media_type"] == "text/html" and len(evidence["sha256"]) == 64
    assert a.post(f"/cases/{code}/transition", {"status": "appraisal"}).status_code == 200
    assert (
        p.post(
            f"/cases/{code}/appraisals",
            {"verdict": "violation_confirmed", "reasoning": "Trang giả mạo ngân hàng."},
        ).status_code
        == 201
    )
    indicator_id = a.get(f"/cases/{code}").json()["indicators"][0]["id"]
    drafted = a.post(
        f"/cases/{code}/decisions",
        {
            "action": "dns_block",
            "scope": "registrable_domain",
            "indicator_id": indicator_id,
            "legal_basis": "blhs-290",
            "reasoning": "Chặn toàn bộ tên miền giả mạo.",
            "evidence_ids": [evidence["id"]],
        },
    )
    assert drafted.status_code == 201, drafted.content
    decision = drafted.json()
    assert decision["target"] == "vcb-login-demo.com.vn" and decision["state"] == "draft"
    assert a.post(f"/decisions/{decision['id']}/approve").status_code == 403
    approved = r.post(f"/decisions/{decision['id']}/approve")
    assert approved.status_code == 200 and approved.json()["approved_by"] == "approver"
    assert approved.json()["state"] == "active", "approval puts the decision in force"
    assert a.post(f"/decisions/{decision['id']}/activate").status_code == 409
    assert a.get(f"/cases/{code}").json()["status"] == "actioned"
    content = a.client.get(f"/api/v1/evidence/{evidence['id']}/content")
    assert content.status_code == 200 and b"".join(content.streaming_content) == b"<html>fake</html>"
    assert content["Content-Security-Policy"].startswith("sandbox")
    assert "attachment" in content["Content-Disposition"]
    assert AuditEvent.objects.filter(action="evidence.read", actor=analyst).count() == 1


def _file(content: bytes, name: str) -> Any:
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, content, content_type="application/octet-stream")


@pytest.mark.parametrize(
    ("path", "body", "status", "code"),
    [
        ("/cases", {"title": "x", "category": "nope"}, 400, "invalid_input"),
        ("/cases", {"category": "fraud"}, 422, "invalid_input"),
        (
            "/cases",
            {"title": "x", "category": "fraud", "indicators": [{"type": "url", "value": "http://"}]},
            400,
            "invalid_indicator",
        ),
        (
            "/cases",
            {"title": "x", "category": "fraud", "indicators": [{"type": "phone", "value": "12"}]},
            400,
            "invalid_indicator",
        ),
        ("/indicators/parse", {"type": "url", "value": "ftp://x.example.com"}, 400, "invalid_indicator"),
        ("/cases/VL-1999-000001/transition", {"status": "triage"}, 404, "not_found"),
    ],
)
def test_bad_input_gets_a_clear_4xx(api, analyst, path, body, status, code):
    response = api(analyst).post(path, body)
    assert response.status_code == status, response.content
    payload = response.json()
    assert payload["code"] == code and payload["message"]


def test_specific_indicator_messages(api, analyst):
    client = api(analyst)
    assert (
        client.post("/indicators/parse", {"type": "url", "value": "http://"}).json()["message"]
        == "not a URL: no host"
    )
    assert (
        client.post("/indicators/parse", {"type": "phone", "value": "12"}).json()["message"]
        == "not a Vietnamese or international phone number"
    )


def test_forbidden_transition_is_a_409_with_reason(api, analyst):
    client = api(analyst)
    code = client.post("/cases", {"title": "x", "category": "fraud"}).json()["code"]
    response = client.post(f"/cases/{code}/transition", {"status": "closed"})
    assert response.status_code == 409
    assert response.json()["code"] == "invalid_transition"
    assert "allowed: triage, rejected" in response.json()["message"]


def test_malformed_json_is_not_a_500(api, analyst):
    response = api(analyst).client.post("/api/v1/cases", "{not json", content_type="application/json")
    assert 400 <= response.status_code < 500


def test_no_token_is_a_401_and_a_revoked_token_too(analyst, api):
    assert Client().get("/api/v1/cases").status_code == 401
    client = api(analyst)
    from vigil.core.models import ApiToken
    from vigil.core.services import revoke_token

    revoke_token(actor=analyst, token=ApiToken.objects.get(user=analyst))
    assert client.get("/cases").status_code == 401


def test_parse_and_extract_endpoints(api, analyst):
    client = api(analyst)
    parsed = client.post("/indicators/parse", {"value": "+84 912 345 678"}).json()
    assert parsed == {
        "type": "phone",
        "value": "+84912345678",
        "display": parsed["display"],
        "attrs": parsed["attrs"],
        "known_id": None,
    }
    text = "Vietcombank thong bao: tai khoan bi khoa, truy cap vcb-xacminh[.]com hoac goi 0912345678"
    found = {(i["type"], i["value"]) for i in client.post("/indicators/extract", {"text": text}).json()}
    assert ("domain", "vcb-xacminh.com") in found and ("phone", "+84912345678") in found


def test_list_pagination_and_query_count(api, analyst, django_assert_max_num_queries):
    for n in range(12):
        factories.case(analyst, title=f"Case {n}", indicators=[])
    client = api(analyst)
    page = client.get("/cases", {"limit": 5, "offset": 5}).json()
    assert page["count"] == 12 and len(page["items"]) == 5
    with django_assert_max_num_queries(8):
        assert client.get("/cases", {"limit": 100}).status_code == 200


# ----- permission matrix ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Rule:
    """One endpoint and the status each role must get (``default`` for roles not listed)."""

    name: str
    method: str
    path: str
    body: dict[str, Any] = field(default_factory=dict)
    default: int = 403
    expect: dict[str, int] = field(default_factory=dict)


RULES = [
    Rule("list cases", "get", "/cases", default=200),
    Rule(
        "open case",
        "post",
        "/cases",
        {"title": "Mới", "category": "fraud"},
        expect={"analyst": 201, "unit_reporter": 201},
    ),
    Rule("read concerned case", "get", "/cases/{a}", default=200, expect={"unit_reporter": 404}),
    Rule(
        "read department-only case",
        "get",
        "/cases/{b}",
        default=200,
        expect={"liaison": 404, "unit_reporter": 404},
    ),
    Rule("read reporter's case", "get", "/cases/{c}", default=200, expect={"liaison": 404}),
    Rule(
        "add indicator",
        "post",
        "/cases/{a}/indicators",
        {"type": "domain", "value": "new-scam.example.net"},
        expect={"analyst": 201, "unit_reporter": 404},
    ),
    Rule(
        "reporter adds to own case",
        "post",
        "/cases/{c}/indicators",
        {"value": "0911 222 333"},
        expect={"analyst": 201, "unit_reporter": 201, "liaison": 404},
    ),
    Rule(
        "move case",
        "post",
        "/cases/{a}/transition",
        {"status": "collecting"},
        expect={"analyst": 200, "unit_reporter": 404},
    ),
    Rule(
        "appraise",
        "post",
        "/cases/{a}/appraisals",
        {"verdict": "violation_confirmed", "reasoning": "Giả mạo rõ ràng."},
        expect={"appraiser": 201, "unit_reporter": 404},
    ),
    Rule(
        "draft decision",
        "post",
        "/cases/{a}/decisions",
        {
            "action": "takedown_request",
            "scope": "exact_url",
            "indicator_id": "{indicator}",
            "legal_basis": "blhs-174",
            "reasoning": "Yêu cầu gỡ trang.",
        },
        expect={"analyst": 201, "appraiser": 201, "unit_reporter": 404},
    ),
    Rule(
        "approve decision",
        "post",
        "/decisions/{decision}/approve",
        expect={"approver": 200, "unit_reporter": 404},
    ),
    Rule("read decision", "get", "/decisions/{decision}", default=200, expect={"unit_reporter": 404}),
    Rule("download evidence", "get", "/evidence/{item}/content", default=200, expect={"unit_reporter": 404}),
    Rule("read audit trail", "get", "/audit/events", expect={"auditor": 200, "admin": 200}),
    Rule("verify audit trail", "get", "/audit/verify", expect={"auditor": 200, "admin": 200}),
    Rule("categories", "get", "/categories", default=200),
]


def _fill(value: Any, world: dict[str, Any]) -> Any:
    refs = {
        "a": world["a"].code,
        "b": world["b"].code,
        "c": world["c"].code,
        "item": world["item"].pk,
        "decision": world["decision"].pk,
        "indicator": world["a"].indicator_links.first().indicator_id,
    }
    if isinstance(value, str):
        if value.startswith("{") and value.endswith("}") and value[1:-1] in refs and value.count("{") == 1:
            return refs[value[1:-1]]
        return value.format(**refs)
    if isinstance(value, dict):
        return {key: _fill(item, world) for key, item in value.items()}
    return value


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("rule", RULES, ids=lambda rule: rule.name)
def test_permission_matrix(api, world, liaison, rule, role):
    from vigil.core.models import User

    user = User.objects.filter(groups__name=role).order_by("pk").first() or factories.user(role)
    client = api(user)
    path = _fill(rule.path, world)
    response = client.get(path) if rule.method == "get" else client.post(path, _fill(rule.body, world))
    expected = rule.expect.get(role, rule.default)
    assert response.status_code == expected, (
        f"{role} {rule.name}: {response.status_code} {response.content[:200]!r}"
    )


def test_liaison_sees_only_its_organisations_rows(api, world, liaison, other_isp):
    other = factories.user("liaison", org=other_isp)
    mine = api(liaison).get("/cases").json()
    assert {c["code"] for c in mine["items"]} == {world["a"].code}
    assert api(other).get("/cases").json()["count"] == 0
    assert api(other).get(f"/cases/{world['a'].code}").status_code == 404
    assert api(other).get(f"/decisions/{world['decision'].pk}").status_code == 404
    assert api(other).get(f"/evidence/{world['item'].pk}").status_code == 404
    assert api(other).get("/decisions").json()["count"] == 0
    assert api(other).get("/indicators").json()["count"] == 0
    b_indicator = world["b"].indicator_links.first().indicator_id
    assert api(liaison).get(f"/indicators/{b_indicator}").status_code == 404
    assert api(liaison).get("/indicators").json()["count"] == world["a"].indicator_links.count()


def test_merge_through_the_api_keeps_everything(api, analyst, world):
    client = api(analyst)
    source = factories.case(
        analyst, title="Trùng", indicators=[("phone", "0987 111 222"), ("domain", "dup.example.com")]
    )
    item = factories.evidence(analyst, source, content=b"another capture")
    response = client.post(f"/cases/{source.code}/merge", {"into": world["b"].code, "reason": "cùng một vụ"})
    assert response.status_code == 200, response.content
    target = client.get(f"/cases/{world['b'].code}").json()
    assert {i["value"] for i in target["indicators"]} == {"+84987111222", "dup.example.com"}
    assert item.sha256 in {e["sha256"] for e in target["evidence"]}
    assert client.get(f"/cases/{source.code}").json()["status"] == "merged"
    again = client.post(f"/cases/{source.code}/indicators", {"value": "0900 000 111"})
    assert again.status_code == 403 and "merged" in again.json()["message"]
