"""Page-load bench for the staff case list (``/cases/``) over a realistic 10,000-case registry.

Run from the project root (never part of the test run)::

    .venv/bin/python bench/case_list.py [--cases 10000] [--requests 50] [--database-url URL]

It builds a throw-away database (a SQLite file in a fresh temporary ``VIGIL_DATA_DIR``, or a
scratch database created next to the PostgreSQL database named by ``--database-url`` and
dropped afterwards), fills it, times the page through Django's test client as a logged-in,
TOTP-verified analyst, and prints one ``name: value unit`` line per figure on stdout.
Progress and diagnostics go to stderr.
"""

from __future__ import annotations

import argparse
import gc
import math
import os
import random
import secrets
import shutil
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit, urlunsplit

if TYPE_CHECKING:
    from django.test import Client

    from vigil.core.models import Category, Organisation, User

ROOT = Path(__file__).resolve().parent.parent
SEED = 20260101
SERVICE_CASES = 50  # opened through vigil.cases.services.open_case; the rest are bulk-created
WARMUP = 5
SEARCH_WORD = "Campuchia"  # goes into ~1% of titles and nowhere else

# Titles are composed from these lists, so search has real words to work on.
SCHEMES = [
    "Trang giả mạo",
    "Website lừa đảo mạo danh",
    "Tài khoản Facebook mạo danh",
    "Ứng dụng giả mạo",
    "Tin nhắn SMS giả danh",
    "Fanpage giả mạo",
    "Nhóm Zalo lừa đảo mạo danh",
    "Cuộc gọi giả danh",
    "Email lừa đảo giả danh",
    "Kênh TikTok mạo danh",
]
TARGETS = [
    "ngân hàng Vietcombank",
    "ngân hàng Agribank",
    "ngân hàng BIDV",
    "ngân hàng VietinBank",
    "ngân hàng Sacombank",
    "Công an tỉnh Vĩnh Long",
    "Bưu điện Việt Nam",
    "Điện lực Vĩnh Long",
    "Cục Thuế tỉnh",
    "Bảo hiểm xã hội",
    "ví điện tử MoMo",
    "sàn thương mại điện tử Shopee",
    "Vietnam Airlines",
    "Bệnh viện Đa khoa tỉnh",
    "Sở Giáo dục và Đào tạo",
]
AIMS = [
    "yêu cầu nhập mã OTP",
    "chiếm đoạt tài khoản",
    "thu phí làm hồ sơ",
    "hứa hẹn lợi nhuận cao",
    "tuyển cộng tác viên làm nhiệm vụ",
    "bán hàng không giao",
    "thu thập thông tin cá nhân",
    "yêu cầu chuyển tiền",
    "phát tán mã độc",
    "mời đầu tư chứng khoán",
    "cho vay lãi suất thấp",
    "hoàn tiền bảo hiểm",
]
STANDALONE = [
    "Trang đánh bạc trực tuyến",
    "Đường dây cá độ bóng đá",
    "Trang web xổ số trái phép",
    "Sàn giao dịch tiền ảo không phép",
    "Trang bán thuốc không rõ nguồn gốc",
    "Kênh phát tán tin giả về dịch bệnh",
    "Tài khoản rao bán dữ liệu cá nhân",
]
PLACES = [
    "tại Vĩnh Long",
    "tại Long Hồ",
    "tại Trà Ôn",
    "tại Bình Minh",
    "tại Tam Bình",
    "tại Mang Thít",
    "tại Vũng Liêm",
    "tại Bình Tân",
    "",
    "",
]
REPORTERS = [
    "người dân",
    "Công an tỉnh",
    "ngân hàng",
    "nhà mạng",
    "đường dây nóng",
    "cán bộ trực ban",
]
DETAILS = [
    "Nạn nhân đã chuyển khoản trước khi phát hiện.",
    "Đường dẫn được gửi hàng loạt qua tin nhắn.",
    "Trang yêu cầu đăng nhập và nhập mã xác thực.",
    "Đã lưu ảnh chụp màn hình làm chứng cứ.",
    "Tên miền mới đăng ký trong tuần.",
    "Số điện thoại liên hệ đổi liên tục.",
    "Cần xác minh chủ tài khoản nhận tiền.",
]
ORGANISATIONS = [
    ("so-tttt", "Sở Thông tin và Truyền thông tỉnh Vĩnh Long", "department"),
    ("cong-an-tinh", "Công an tỉnh Vĩnh Long", "police"),
    ("so-y-te", "Sở Y tế tỉnh Vĩnh Long", "provincial_department"),
    ("tp-vinh-long", "UBND thành phố Vĩnh Long", "district"),
    ("vnpt-vinh-long", "VNPT Vĩnh Long", "isp"),
    ("viettel-vinh-long", "Viettel Vĩnh Long", "isp"),
    ("ngan-hang-mau", "Ngân hàng TMCP (mẫu)", "bank"),
]
# Older cases are mostly finished; the weights give every status a share.
STATUS_WEIGHTS = {
    "new": 8,
    "triage": 8,
    "collecting": 10,
    "appraisal": 8,
    "decided": 6,
    "actioned": 8,
    "monitoring": 10,
    "closed": 30,
    "rejected": 8,
    "merged": 4,
}
PRIORITY_WEIGHTS = {1: 15, 2: 55, 3: 22, 4: 8}
# Assigned Vietnamese mobile prefixes: any seven digits after them make a valid number.
MOBILE_PREFIXES = ["090", "091", "093", "094", "096", "097", "098", "086", "088", "032", "035", "070"]


@dataclass(frozen=True, slots=True)
class Timings:
    """Wall-clock times of repeated requests, in milliseconds."""

    values: tuple[float, ...]

    def percentile(self, q: float) -> float:
        """Linear-interpolated percentile (``q`` in 0..100)."""
        ordered = sorted(self.values)
        rank = (len(ordered) - 1) * q / 100
        low, high = math.floor(rank), math.ceil(rank)
        return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


@dataclass(frozen=True, slots=True)
class Registry:
    """What the bench built: the logged-in analyst and a few facts to check pages against."""

    analyst: User
    newest_code: str
    search_hits: int
    search_code: str


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cases", type=int, default=10_000, help="cases in the registry (default 10000)")
    parser.add_argument("--requests", type=int, default=50, help="timed requests per page (default 50)")
    parser.add_argument(
        "--database-url",
        help="PostgreSQL server to use (postgres://user:pass@host/db); a scratch database is "
        "created next to the named one and dropped afterwards. Default: SQLite in a temp dir.",
    )
    parser.add_argument("--verbose", action="store_true", help="print the SQL of the counted request")
    args = parser.parse_args(argv)
    if args.cases < 1000:
        parser.error("--cases must be at least 1000 (so ~1% of titles is a few cases to search for)")
    if args.requests < 2:
        parser.error("--requests must be at least 2")
    return args


def size_label(cases: int) -> str:
    """``10k`` for 10,000 cases, so a figure's name says what it measured."""
    return f"{cases // 1000}k" if cases % 1000 == 0 else str(cases)


# --- scratch PostgreSQL database -------------------------------------------------------


def _with_database(url: str, name: str) -> str:
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path="/" + name))


def _pg_admin(url: str, statement: str) -> None:
    import dj_database_url
    import psycopg

    config = dj_database_url.parse(url)
    if "postgres" not in str(config["ENGINE"]):
        raise SystemExit(f"--database-url must be a PostgreSQL URL, got {config['ENGINE']}")
    connect = {
        "dbname": config["NAME"],
        "user": config.get("USER") or None,
        "password": config.get("PASSWORD") or None,
        "host": config.get("HOST") or None,
        "port": config.get("PORT") or None,
    }
    with psycopg.connect(**{k: v for k, v in connect.items() if v}, autocommit=True) as conn:
        conn.execute(statement)  # type: ignore[arg-type]


def create_scratch_database(url: str) -> tuple[str, str]:
    """Create an empty database next to the one in ``url``; return its name and URL."""
    name = f"vigil_bench_{os.getpid()}_{secrets.token_hex(4)}"
    try:
        _pg_admin(url, f'CREATE DATABASE "{name}"')
    except Exception as exc:
        raise SystemExit(f"cannot create scratch database {name} (needs CREATEDB): {exc}") from exc
    return name, _with_database(url, name)


def drop_scratch_database(url: str, name: str) -> None:
    try:
        _pg_admin(url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    except Exception as exc:
        log(f"warning: could not drop scratch database {name}: {exc}")


# --- data -------------------------------------------------------------------------------


def compose_title(rng: random.Random) -> str:
    if rng.random() < 0.15:
        title = f"{rng.choice(STANDALONE)} {rng.choice(PLACES)}"
    else:
        title = f"{rng.choice(SCHEMES)} {rng.choice(TARGETS)} {rng.choice(AIMS)} {rng.choice(PLACES)}"
    if rng.random() < 0.01:
        title = f"{title} đưa người sang {SEARCH_WORD}"
    return " ".join(title.split())


def compose_description(rng: random.Random) -> str:
    source = f"Tiếp nhận phản ánh từ {rng.choice(REPORTERS)}."
    return " ".join([source, *rng.sample(DETAILS, k=rng.randint(1, 3))])


def make_people() -> tuple[User, list[User], dict[int, list[User]], list[Organisation]]:
    """Organisations and users, the users made through the audited service."""
    from vigil.core import services as core_services
    from vigil.core.models import Organisation

    organisations = [Organisation.objects.create(code=c, name=n, kind=k) for c, n, k in ORGANISATIONS]
    department = organisations[0]
    analyst = core_services.create_user(
        actor=None,
        username="bench-analyst",
        password=None,
        organisation=department,
        role_names=["analyst"],
        full_name="Nguyễn Văn An",
    )
    staff = [analyst]
    for i in range(1, 12):
        staff.append(
            core_services.create_user(
                actor=None,
                username=f"analyst-{i:02d}",
                password=None,
                organisation=department,
                role_names=["analyst"],
                full_name=f"Cán bộ {i:02d}",
            )
        )
    reporters: dict[int, list[User]] = {department.pk: staff}
    for org in organisations[1:]:
        reporters[org.pk] = [
            core_services.create_user(
                actor=None,
                username=f"reporter-{org.code}",
                password=None,
                organisation=org,
                role_names=["unit_reporter"],
            )
        ]
    return analyst, staff, reporters, organisations


def bulk_history(
    count: int,
    rng: random.Random,
    *,
    staff: list[User],
    reporters: dict[int, list[User]],
    organisations: list[Organisation],
    categories: list[Category],
) -> None:
    """``count`` cases spread over the past year, with the fields ``open_case`` sets."""
    from django.conf import settings
    from django.utils import timezone

    from vigil.cases.models import Case, CaseCodeCounter
    from vigil.lib.textnorm import fold

    now = timezone.now()
    start = now - timedelta(days=365)
    span = (now - timedelta(hours=1) - start).total_seconds()
    moments = sorted(start + timedelta(seconds=rng.uniform(0, span)) for _ in range(count))
    org_weights = [70] + [30 / (len(organisations) - 1)] * (len(organisations) - 1)
    last_by_year: dict[int, int] = {}
    batch: list[Case] = []
    for created_at in moments:
        year = timezone.localtime(created_at).year
        last_by_year[year] = last_by_year.get(year, 0) + 1
        code = f"{settings.VIGIL_CASE_PREFIX}-{year}-{last_by_year[year]:06d}"
        title, description = compose_title(rng), compose_description(rng)
        organisation = rng.choices(organisations, weights=org_weights)[0]
        batch.append(
            Case(
                code=code,
                title=title,
                description=description,
                category=rng.choice(categories),
                priority=rng.choices(list(PRIORITY_WEIGHTS), weights=list(PRIORITY_WEIGHTS.values()))[0],
                status=rng.choices(list(STATUS_WEIGHTS), weights=list(STATUS_WEIGHTS.values()))[0],
                organisation=organisation,
                assignee=rng.choice(staff) if rng.random() < 0.6 else None,
                created_by=rng.choice(reporters[organisation.pk]),
                created_at=created_at,
                updated_at=min(now, created_at + timedelta(days=rng.uniform(0, 30))),
                search_text=fold(f"{code} {title} {description}"),
            )
        )
    Case.objects.bulk_create(batch, batch_size=1000)
    # Keep the code counters consistent, so cases opened next get the following numbers.
    CaseCodeCounter.objects.bulk_create(
        [CaseCodeCounter(year=year, last=last) for year, last in last_by_year.items()]
    )


def open_recent(count: int, rng: random.Random, staff: list[User], categories: list[Category]) -> None:
    """The newest cases, opened through the service (codes, audit, indicators, search text)."""
    from vigil.cases import services as case_services

    for i in range(count):
        indicator = (
            ("url", f"http://xac-minh-{i}.tai-khoan-{rng.randint(100, 999)}.com/dang-nhap")
            if i % 2
            else ("phone", f"{rng.choice(MOBILE_PREFIXES)}{rng.randint(1_000_000, 9_999_999)}")
        )
        case_services.open_case(
            actor=rng.choice(staff),
            title=compose_title(rng),
            description=compose_description(rng),
            category=rng.choice(categories),
            priority=rng.choice([1, 2, 2, 3, 4]),
            assignee=rng.choice(staff) if rng.random() < 0.6 else None,
            indicators=[indicator],
        )


def build_registry(cases: int) -> Registry:
    from vigil.cases.models import Case
    from vigil.core.models import Category

    rng = random.Random(SEED)
    analyst, staff, reporters, organisations = make_people()
    categories = list(Category.objects.filter(is_active=True))
    if not categories:
        raise SystemExit("no categories after migrate: reference data was not seeded")
    bulk_history(
        cases - SERVICE_CASES,
        rng,
        staff=staff,
        reporters=reporters,
        organisations=organisations,
        categories=categories,
    )
    open_recent(SERVICE_CASES, rng, staff, categories)
    total = Case.objects.count()
    if total != cases:
        raise SystemExit(f"built {total} cases, expected {cases}")
    hits = Case.objects.search(SEARCH_WORD)
    newest = Case.objects.order_by("-created_at", "-id").values_list("code", flat=True).first()
    first_hit = hits.order_by("-created_at", "-id").values_list("code", flat=True).first()
    if newest is None or first_hit is None:
        raise SystemExit(f"no case to check pages against (search for {SEARCH_WORD!r} found none)")
    return Registry(analyst=analyst, newest_code=newest, search_hits=hits.count(), search_code=first_hit)


# --- measuring --------------------------------------------------------------------------


def verified_client(user: User) -> Client:
    """A test client logged in as ``user`` with a session that passed the TOTP step."""
    import django_otp
    from django.test import Client
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device = TOTPDevice.objects.create(user=user, name="bench", confirmed=True)
    client = Client()
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    session = client.session
    session[django_otp.DEVICE_ID_SESSION_KEY] = device.persistent_id  # what django_otp.login stores
    session.save()
    return client


def expect_page(client: Client, url: str, needle: str) -> None:
    """Fail loudly unless ``url`` renders (200, no redirect) and shows ``needle``."""
    response = client.get(url)
    body = response.content.decode("utf-8", "replace")
    if response.status_code != 200 or needle not in body:
        where = response.get("Location", "")
        raise SystemExit(
            f"{url}: expected 200 showing {needle!r}, got {response.status_code} {where}\n{body[:500]}"
        )


def time_requests(client: Client, url: str, requests: int) -> Timings:
    """Warm up, then time ``requests`` sequential GETs of ``url``."""
    for _ in range(WARMUP):
        client.get(url)
    gc.collect()
    values = []
    for _ in range(requests):
        started = time.perf_counter()
        response = client.get(url)
        values.append((time.perf_counter() - started) * 1000)
        if response.status_code != 200:
            raise SystemExit(f"{url}: status {response.status_code} during timing")
    return Timings(tuple(values))


def count_queries(client: Client, url: str, *, verbose: bool) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        client.get(url)
    if verbose:
        for query in captured.captured_queries:
            log(f"  [{query['time']}s] {query['sql']}")
    return len(captured.captured_queries)


def measure(args: argparse.Namespace) -> list[tuple[str, float, str]]:
    import django
    from django.core.management import call_command

    # No setup_test_environment(): its instrumented template rendering makes the test
    # client copy every template context, which would inflate the page timings.
    django.setup()
    phase = time.perf_counter()
    call_command("migrate", interactive=False, verbosity=0)
    log(f"migrated in {time.perf_counter() - phase:.1f} s")

    phase = time.perf_counter()
    registry = build_registry(args.cases)
    log(
        f"built {args.cases} cases in {time.perf_counter() - phase:.1f} s; "
        f"{registry.search_hits} ({registry.search_hits / args.cases:.1%}) match q={SEARCH_WORD}"
    )

    client = verified_client(registry.analyst)
    list_url, search_url, bare_url = "/cases/", f"/cases/?q={SEARCH_WORD.lower()}", "/healthz"
    expect_page(client, list_url, registry.newest_code)
    expect_page(client, search_url, registry.search_code)
    expect_page(client, bare_url, "ok")

    queries = count_queries(client, list_url, verbose=args.verbose)
    listing = time_requests(client, list_url, args.requests)
    search = time_requests(client, search_url, args.requests)
    bare = time_requests(client, bare_url, args.requests)

    label = size_label(args.cases)
    return [
        (f"case_list_{label}_p50_ms", round(listing.percentile(50), 1), "ms"),
        (f"case_list_{label}_p95_ms", round(listing.percentile(95), 1), "ms"),
        (f"case_list_{label}_queries", queries, ""),
        (f"case_list_{label}_search_p50_ms", round(search.percentile(50), 1), "ms"),
        ("bare_django_p50_ms", round(bare.percentile(50), 1), "ms"),
    ]


def prepare_environment(data_dir: Path, database_url: str | None) -> None:
    """Point Vigil at the scratch data before Django is imported."""
    os.environ["DJANGO_SETTINGS_MODULE"] = "vigil.settings"
    os.environ["VIGIL_ENV"] = "development"  # no production secrets needed for a scratch run
    os.environ["VIGIL_DEBUG"] = "false"  # time what production runs, not the debug query log
    os.environ["VIGIL_LOG_LEVEL"] = "WARNING"
    os.environ["VIGIL_DATA_DIR"] = str(data_dir)
    os.environ["VIGIL_EVIDENCE_ROOT"] = str(data_dir / "evidence")
    (data_dir / "static").mkdir()  # STATIC_ROOT; WhiteNoise warns when it is missing
    if database_url:
        os.environ["VIGIL_DATABASE_URL"] = database_url
    else:
        os.environ.pop("VIGIL_DATABASE_URL", None)  # the default: SQLite under VIGIL_DATA_DIR
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    started = time.perf_counter()
    data_dir = Path(tempfile.mkdtemp(prefix="vigil-bench-"))
    cleanups: list[Callable[[], Any]] = [lambda: shutil.rmtree(data_dir, ignore_errors=True)]
    try:
        database_url = None
        if args.database_url:
            name, database_url = create_scratch_database(args.database_url)
            cleanups.append(lambda: drop_scratch_database(args.database_url, name))
        prepare_environment(data_dir, database_url)
        figures = measure(args)
    finally:
        if "django.db" in sys.modules:
            from django.db import connections

            connections.close_all()
        for cleanup in reversed(cleanups):
            cleanup()
    for name, value, unit in figures:
        print(f"{name}: {value} {unit}".rstrip())
    sys.stdout.flush()
    log(f"bench took {time.perf_counter() - started:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
