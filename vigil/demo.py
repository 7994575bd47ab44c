"""A demo province: organisations, one user per role, TOTP devices and a few cases.

Everything is created through the services, so the audit trail of a demo database looks
exactly like a real one. Running it again changes nothing and prints the log-ins again.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass

from django.db import transaction
from django_otp.plugins.otp_totp.models import TOTPDevice

from vigil.blocking.services import rebuild_snapshot
from vigil.cases import services as case_services
from vigil.cases.models import Case
from vigil.core import services as core_services
from vigil.core.choices import OrganisationKind, Role
from vigil.core.models import Category, LegalBasis, Organisation, User

DEMO_PASSWORD = "vigil-demo-2026"  # noqa: S105 - printed on purpose; demo databases only

ORGANISATIONS = [
    (
        "so-tttt",
        "Sở Thông tin và Truyền thông tỉnh Vĩnh Long",
        "Vinh Long Department of Information and Communications",
        OrganisationKind.DEPARTMENT,
    ),
    (
        "cong-an-tinh",
        "Công an tỉnh Vĩnh Long",
        "Vinh Long Provincial Police",
        OrganisationKind.POLICE,
    ),
    (
        "so-y-te",
        "Sở Y tế tỉnh Vĩnh Long",
        "Vinh Long Department of Health",
        OrganisationKind.PROVINCIAL_DEPARTMENT,
    ),
    (
        "tp-vinh-long",
        "UBND thành phố Vĩnh Long",
        "Vinh Long City People's Committee",
        OrganisationKind.DISTRICT,
    ),
    ("vnpt-vinh-long", "VNPT Vĩnh Long", "VNPT Vinh Long", OrganisationKind.ISP),
    ("viettel-vinh-long", "Viettel Vĩnh Long", "Viettel Vinh Long", OrganisationKind.ISP),
    (
        "nen-tang-mau",
        "Nền tảng mạng xã hội (mẫu)",
        "Social platform (sample)",
        OrganisationKind.PLATFORM,
    ),
    ("ngan-hang-mau", "Ngân hàng TMCP (mẫu)", "Commercial bank (sample)", OrganisationKind.BANK),
    (
        "so-tttt-tra-vinh",
        "Sở TT&TT tỉnh Trà Vinh",
        "Tra Vinh Department of Information and Communications",
        OrganisationKind.OTHER_PROVINCE,
    ),
]

# username, full name, organisation, roles
USERS = [
    ("admin", "Quản trị Hệ thống", "so-tttt", [Role.ADMIN]),
    ("analyst", "Nguyễn Văn An", "so-tttt", [Role.ANALYST]),
    ("appraiser", "Trần Thị Bình", "so-tttt", [Role.APPRAISER]),
    ("approver", "Lê Văn Cường", "so-tttt", [Role.APPROVER]),
    ("director", "Phạm Thị Dung", "so-tttt", [Role.APPROVER]),
    ("liaison", "Võ Minh Em", "vnpt-vinh-long", [Role.LIAISON]),
    ("reporter", "Đặng Thu Giang", "so-y-te", [Role.UNIT_REPORTER]),
    ("auditor", "Huỳnh Quốc Hải", "so-tttt", [Role.AUDITOR]),
]


@dataclass(frozen=True, slots=True)
class DemoLogin:
    """What a newcomer needs to log in as one demo user."""

    username: str
    roles: str
    organisation: str
    totp_secret: str


def _totp_secret(user: User) -> str:
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="demo", confirmed=True)
    return base64.b32encode(device.bin_key).decode()


def _organisations() -> dict[str, Organisation]:
    result = {}
    for code, name, name_en, kind in ORGANISATIONS:
        result[code] = Organisation.objects.get_or_create(
            code=code, defaults={"name": name, "name_en": name_en, "kind": kind}
        )[0]
    return result


def _users(organisations: dict[str, Organisation]) -> dict[str, User]:
    users = {}
    for username, full_name, org, roles in USERS:
        user = User.objects.filter(username=username).first()
        if user is None:
            user = core_services.create_user(
                actor=None,
                username=username,
                password=DEMO_PASSWORD,
                organisation=organisations[org],
                role_names=roles,
                full_name=full_name,
                is_superuser=Role.ADMIN in roles,
                email=f"{username}@demo.vigil.invalid",
            )
        users[username] = user
    return users


def _sample_capture(title: str, url: str) -> bytes:
    page = (
        f"<!doctype html><html><head><title>{title}</title></head><body>"
        f"<h1>{title}</h1><form action='{url}'><input name='otp'></form>"
        "<script>alert('captured scripts never run inside Vigil')</script></body></html>"
    )
    return page.encode("utf-8")


def _cases(users: dict[str, User], organisations: dict[str, Organisation]) -> None:
    analyst, appraiser, approver = users["analyst"], users["appraiser"], users["approver"]
    phishing = Category.objects.get(code="phishing")
    gambling = Category.objects.get(code="gambling")
    fraud = Category.objects.get(code="fraud")
    bank_case = case_services.open_case(
        actor=analyst,
        title="Trang giả mạo Vietcombank yêu cầu nhập OTP",
        category=phishing,
        description="Tin nhắn mạo danh ngân hàng dẫn tới trang nhập mã OTP.",
        indicators=[("url", "hxxp://vcb-xacthuc.example.com/dang-nhap"), ("phone", "0912 345 678")],
        assignee=analyst,
    )
    bank_case.concerned_organisations.add(organisations["vnpt-vinh-long"])
    for target in ("triage", "collecting"):
        case_services.transition_case(actor=analyst, case=bank_case, target=target)
    item = case_services.add_evidence(
        actor=analyst,
        case=bank_case,
        chunks=[_sample_capture("Vietcombank - Xác thực", "/otp")],
        filename="capture.html",
        source="http://vcb-xacthuc.example.com/dang-nhap",
        note="Trang thu thập lúc phát hiện.",
    )
    case_services.transition_case(actor=analyst, case=bank_case, target="appraisal")
    case_services.add_appraisal(
        actor=appraiser,
        case=bank_case,
        verdict="violation_confirmed",
        reasoning="Trang giả giao diện Vietcombank, thu thập tên đăng nhập và OTP.",
    )
    link = bank_case.indicator_links.select_related("indicator").get(indicator__type="url")
    decision = case_services.draft_decision(
        actor=analyst,
        case=bank_case,
        action="dns_block",
        scope="host",
        indicator=link.indicator,
        legal_basis=LegalBasis.objects.get(code="blhs-290"),
        evidence=[item],
        reasoning="Chặn phân giải tên miền của trang giả mạo trong 180 ngày.",
    )
    case_services.approve_decision(actor=approver, decision=decision)

    gambling_case = case_services.open_case(
        actor=analyst,
        title="Trang cá cược bóng đá quảng cáo qua tin nhắn",
        category=gambling,
        indicators=[("domain", "nhacai-demo.example.net")],
        priority=3,
    )
    case_services.transition_case(actor=analyst, case=gambling_case, target="triage")
    case_services.open_case(
        actor=users["reporter"],
        title="Người dân báo số tài khoản nhận tiền lừa đảo",
        category=fraud,
        organisation=organisations["so-y-te"],
        indicators=[("bank_account", "Vietcombank 0011 0023 45678"), ("phone", "+84 987 654 321")],
    )


def build_demo() -> list[DemoLogin]:
    """Create the demo province once; return the log-ins every time."""
    with transaction.atomic():
        organisations = _organisations()
        users = _users(organisations)
        if not Case.objects.exists():
            _cases(users, organisations)
        logins = [
            DemoLogin(username, ",".join(roles), org, _totp_secret(users[username]))
            for username, _name, org, roles in USERS
        ]
    # The blocklist snapshot serves the check API and the block page from the start.
    rebuild_snapshot()
    return logins
