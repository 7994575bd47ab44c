"""Refanging and extracting indicators from Vietnamese scam messages.

The messages are written for these tests, in the styles such messages take
(with and without diacritics, defanged links, bank details); none is copied.
"""

from __future__ import annotations

import pytest

from vigil.lib.extract import extract_indicators, refang


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("hxxp://example.com", "http://example.com"),
        ("hXXps://example.com", "https://example.com"),
        ("HXXPS://example.com", "https://example.com"),
        ("hxxp[:]//example.com", "http://example.com"),
        ("hxxps[://]example.com", "https://example.com"),
        ("example[.]com", "example.com"),
        ("example(.)com", "example.com"),
        ("example{.}com", "example.com"),
        ("example [.] com", "example.com"),
        ("example[dot]com", "example.com"),
        ("example (DOT) com", "example.com"),
        ("vcb-xacminh(.)com", "vcb-xacminh.com"),
        ("example . com", "example.com"),
        ("example .com", "example.com"),
        ("example dot com", "example.com"),
        ("vcb dot xacminh dot com dot vn", "vcb.xacminh.com.vn"),
        ("www . vcb-xacminh . com . vn/login", "www.vcb-xacminh.com.vn/login"),
        ("cskh[at]example[.]com", "cskh@example.com"),
        ("cskh (at) example.com", "cskh@example.com"),
        ("cskh[@]example.com", "cskh@example.com"),
        # sentence ends and everyday words stay as they are
        ("ở nhà . Sau đó", "ở nhà . Sau đó"),
        ("toi o nha . co ai khong", "toi o nha . co ai khong"),
        ("Cảm ơn . Tạm biệt", "Cảm ơn . Tạm biệt"),
        ("giá 5 . 000 đồng", "giá 5 . 000 đồng"),
        ("Hello. World", "Hello. World"),
        ("Chuc mung quy khach . Link nhan qua", "Chuc mung quy khach . Link nhan qua"),
        ("chuc mung. link nhan qua", "chuc mung. link nhan qua"),
        ("EXAMPLE . COM", "EXAMPLE.COM"),
        ("he was at home", "he was at home"),
        # NFC: decomposed Vietnamese becomes composed
        ("Vie\u0302\u0323t Nam", "Việt Nam"),
    ],
)
def test_refang(text: str, expected: str) -> None:
    assert refang(text) == expected


SCAMS = [
    (
        "[Vietcombank] Tai khoan cua quy khach se bi khoa sau 24h. Vui long xac thuc tai "
        "hxxps://vcb-xacminh[.]com/login de tranh gian doan.",
        [("url", "https://vcb-xacminh.com/login")],
    ),
    (
        "BIDV thông báo: Quý khách đã trúng thưởng 5.000.000đ. Nhận thưởng tại bidv-quatang.net "
        "hoặc gọi 0912.345.678 trước ngày 10/11/2025.",
        [("domain", "bidv-quatang.net"), ("phone", "+84912345678")],
    ),
    (
        "Chào bạn, mình bên CSKH Shopee, đơn hàng của bạn bị lỗi. Vui lòng kết bạn Zalo "
        "zalo.me/0987654321 để được hoàn tiền.",
        [("url", "http://zalo.me/0987654321"), ("social_account", "zalo:+84987654321")],
    ),
    (
        "Cơ hội việc làm online, thu nhập 500k-1tr/ngày. Tham gia nhóm Telegram t.me/viecnhanh_hoahong ngay!",
        [
            ("url", "http://t.me/viecnhanh_hoahong"),
            ("social_account", "telegram:viecnhanh_hoahong"),
        ],
    ),
    (
        "Con đang cấp cứu ở bệnh viện, mẹ chuyển gấp 20 triệu vào STK 19036868123456 "
        "Techcombank, chủ TK NGUYEN VAN HUNG nhé.",
        [("bank_account", "TCB:19036868123456")],
    ),
    (
        "Cục Thuế thông báo hoàn thuế TNCN. Cài đặt ứng dụng eTax mới tại "
        "https://play.google.com/store/apps/details?id=vn.gov.etax.hoanthue&hl=vi hoặc etax-gdt.vn",
        [
            ("url", "https://play.google.com/store/apps/details?id=vn.gov.etax.hoanthue&hl=vi"),
            ("app_id", "android:vn.gov.etax.hoanthue"),
            ("domain", "etax-gdt.vn"),
        ],
    ),
    (
        "Đầu tư tiền ảo lãi 30%/tháng! Nạp USDT (TRC20) vào ví TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t, "
        "liên hệ admin@dautu-sieuloinhuan.com",
        [
            ("crypto_wallet", "trx:TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t"),
            ("email", "admin@dautu-sieuloinhuan.com"),
        ],
    ),
    (
        "EVN: Quy khach no tien dien 2.350.000d, se bi cat dien luc 14:30 hom nay. Thanh toan qua "
        "STK 0123456789 ngan hang Vietinbank hoac lien he 1900 1234.",
        [("bank_account", "CTG:0123456789"), ("phone", "+8419001234")],
    ),
    (
        "Ban da duoc chon nhan iPhone 16. Truy cap vn-quatang . com hoac quét mã tại 103.56.158.20/nhanqua",
        [("domain", "vn-quatang.com"), ("url", "http://103.56.158.20/nhanqua")],
    ),
    (
        "Công an TP thông báo: anh/chị liên quan vụ án rửa tiền, cần kết bạn Zalo 0868 123 456 "
        "hoặc gửi email về congan.dieutra@gmail.com. Hồ sơ: fb.com/congan.dieutra.vn",
        [
            ("phone", "+84868123456"),
            ("email", "congan.dieutra@gmail.com"),
            ("url", "http://fb.com/congan.dieutra.vn"),
            ("social_account", "facebook:congandieutravn"),
        ],
    ),
    (
        "Vay tiền nhanh không thế chấp, giải ngân trong 5 phút. Tải app: "
        "apps.apple.com/vn/app/vay-nhanh/id1234567890 hoặc nhắn +1 650 253 0000",
        [
            ("url", "http://apps.apple.com/vn/app/vay-nhanh/id1234567890"),
            ("app_id", "ios:1234567890"),
            ("phone", "+16502530000"),
        ],
    ),
    (
        "Gửi BTC về địa chỉ bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq hoặc "
        "1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa để được nhân đôi.",
        [
            ("crypto_wallet", "btc:bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq"),
            ("crypto_wallet", "btc:1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa"),
        ],
    ),
    (
        "Số tài khoản: 0123 456 789 tại Ngân hàng Quân đội, chủ tài khoản TRAN THI B. Sau khi "
        "chuyển khoản gửi ảnh qua zalo 0339 888 777",
        [("bank_account", "MBB:0123456789"), ("phone", "+84339888777")],
    ),
    (
        "Nhận quà tri ân tại website: tri-an-khach-hang . com . vn hoặc email: "
        "hotro[at]tri-an-khach-hang[.]com[.]vn",
        [
            ("domain", "tri-an-khach-hang.com.vn"),
            ("email", "hotro@tri-an-khach-hang.com.vn"),
        ],
    ),
    (
        "Gia han the BHYT tai https://baohiemxahoi-gov.vn.giahan.top/?sdt=0912345678 truoc 30/11. "
        "Chi tiet LH (024) 3938 7777",
        [
            ("url", "https://baohiemxahoi-gov.vn.giahan.top/?sdt=0912345678"),
            ("phone", "+842439387777"),
        ],
    ),
    (
        "[Thông báo] Tài khoản ngân hàng của bạn sẽ bị khóa. Liên hệ Messenger m.me/vcb.hotro.24h "
        "hoặc tiktok.com/@vcb_hotro. Máy chủ dự phòng: hXXp://103[.]56[.]158[.]20:8080/vcb",
        [
            ("url", "http://m.me/vcb.hotro.24h"),
            ("social_account", "facebook:vcbhotro24h"),
            ("url", "http://tiktok.com/@vcb_hotro"),
            ("social_account", "tiktok:vcb_hotro"),
            ("url", "http://103.56.158.20:8080/vcb"),
        ],
    ),
    (
        "Xác minh tài khoản tại http://vietcombank.ví-dụ.vn/xac-thuc?id=1 "
        "(hoặc vcb-xacminh(.)com). Máy chủ 2001:db8::1, IP 45.76.10.22.",
        [
            ("url", "http://vietcombank.xn--v-d-rma6749a.vn/xac-thuc?id=1"),
            ("domain", "vcb-xacminh.com"),
            ("ip", "2001:db8::1"),
            ("ip", "45.76.10.22"),
        ],
    ),
    (
        # repeated indicators are reported once; a domain seen inside a URL is not
        # reported on its own unless it also stands alone
        "Vào vcb-xacminh.com/otp rồi vcb-xacminh.com/otp lần nữa; web chính: vcb-xacminh.com. "
        "Gọi 0912345678 hoặc 0912 345 678.",
        [
            ("url", "http://vcb-xacminh.com/otp"),
            ("domain", "vcb-xacminh.com"),
            ("phone", "+84912345678"),
        ],
    ),
]


@pytest.mark.parametrize(("text", "expected"), SCAMS)
def test_scam_messages(text: str, expected: list[tuple[str, str]]) -> None:
    found = [(e.indicator.type.value, e.indicator.value) for e in extract_indicators(text)]
    assert found == expected


@pytest.mark.parametrize("text", [text for text, _ in SCAMS])
def test_offsets_index_the_refanged_text(text: str) -> None:
    refanged = refang(text)
    for extracted in extract_indicators(text):
        assert refanged[extracted.start : extracted.end] == extracted.raw


def test_a_domain_only_inside_a_url_or_email_is_not_reported() -> None:
    found = extract_indicators("Xem https://abc-khuyenmai.vn/qua hoặc viết cho cskh@abc-khuyenmai.vn")
    assert [e.indicator.type.value for e in found] == ["url", "email"]


@pytest.mark.parametrize(
    "text",
    [
        "Hôm nay ngày 10/11/2025 lúc 14:30, tôi đã chuyển 5.000.000đ cho mẹ ở nhà . Sau đó đi chợ "
        "mua 2 kg gạo giá 35.000 đồng.",
        "Cuộc họp lúc 9:00 sáng thứ Hai, phòng 3.14, tầng 2. Dự toán 1.250.000.000 đồng. Xem ảnh "
        "anh.jpg và file bao_cao.docx, setup.zip.",
        "Vietcombank thông báo: Mã OTP của quý khách là 123456, không chia sẻ cho ai.",
        "Giá vàng hôm nay tăng 1.5 triệu, lên 85.000.000đ/lượng. Hẹn gặp lúc 18h30 "
        "ngày 20-11-2025. Tôi ở nhà . Co ai khong? TP.HCM, Q.1, v.v.",
        "Chuyen 1.200.100.200 d cho anh. Lãi suất 0.5%/tháng, tỷ giá 25.400 VND/USD, mã số thuế 0312345678.",
        "Lịch trực: 07:00-11:30 và 13:30-17:00, từ 01.12.2025 đến 31.12.2025; tổng 2.500 km, "
        "1.234.567 người.",
        "Bạn ơi, mai 8h gặp ở quán cà phê nhé. Mình mang theo 2 triệu rưỡi. Số nhà 12/3 đường 3/2.",
        "Học phí học kỳ I năm 2025-2026 là 12.500.000 VNĐ, hạn nộp 15/09/2025, phòng A2.301.",
        "Ông bà ở quê khỏe. Cháu học lớp 10.5, điểm trung bình 8.25, xếp hạng 3/45.",
        "Số CCCD 079123456789 cấp ngày 01/07/2021. Ngân hàng mở cửa 7h30-16h30.",
    ],
)
def test_no_false_positives_in_ordinary_text(text: str) -> None:
    assert extract_indicators(text) == []


def test_empty_text() -> None:
    assert extract_indicators("") == []
