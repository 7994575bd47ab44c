"""The protected-brands list and look-alike hosts."""

from __future__ import annotations

import pytest

from vigil.lib.banks import banks
from vigil.lib.detectors.brands import brands, is_official, look_alike, mentions, official_anywhere, skeleton
from vigil.lib.detectors.vocab import prepare
from vigil.lib.domains import normalise_domain, registrable_domain

KINDS = {"bank", "ewallet", "telco", "public_service", "platform"}
# Renamed banks are covered by their successor's row.
SUPERSEDED = {"OCEANBANK", "DONGABANK"}


def test_brands_file_is_well_formed() -> None:
    names = [b.name for b in brands()]
    assert len(names) == len(set(names))
    for brand in brands():
        assert brand.kind in KINDS, brand
        assert brand.keywords, brand.name
        for domain in brand.domains:
            assert normalise_domain(domain) == domain, domain
            assert registrable_domain(domain), domain
        for token in brand.host_tokens:
            assert token.isascii() and token.isalnum() and token == token.lower(), token


def test_every_bank_reference_exists_and_transfer_banks_are_covered() -> None:
    codes = {bank.code for bank in banks()}
    refs = {brand.ref for brand in brands() if brand.ref}
    assert refs <= codes, refs - codes
    transfer = {bank.code for bank in banks() if bank.vietqr_status == "transfer"}
    assert transfer - SUPERSEDED <= refs, transfer - SUPERSEDED - refs


@pytest.mark.parametrize(
    ("host", "brand", "strong"),
    [
        ("vietcombank-xacthuc.com", "Vietcombank", True),
        ("vcb-xacthuc.com", "Vietcombank", True),
        ("xn--vietcmbank-8uc.com", "Vietcombank", True),  # vietcơmbank
        ("xn--vetcombank-x2i.com", "Vietcombank", True),  # Cyrillic і
        ("vietcornbank.com", "Vietcombank", True),  # rn for m
        ("vietcombankd.cfd", "Vietcombank", True),
        ("vietcombank.vn-yys.club", "Vietcombank", True),
        ("mbbank.com.vn.login.xyz", "MB Bank", True),
        ("scb.com.vn-ar.life", "SCB", True),
        ("bidvonline.net", "BIDV", True),
        ("onlinenhbidv.com", "BIDV", True),
        ("www.ebidv.vip", "BIDV", True),
        ("sacom-bank.com", "Sacombank", True),
        ("www.vietinbank.vip", "VietinBank", True),
        ("sh0pie.vip", "Shopee", True),
        ("momo-hoantien.com", "MoMo", True),
        ("dichvucong-gov.com", "Cổng Dịch vụ công quốc gia", True),
        ("bocongan-gov.vn.com", "Bộ Công an", True),
        ("evn-thanhtoan.com", "EVN", True),
        ("jp.zaloapp.com.660316.castexfc.com", "Zalo", True),
        ("vietcombank.com", "Vietcombank", False),
        ("vietcombank24h.com", "Vietcombank", False),
        ("myviettel.go.link", "Viettel", False),
    ],
)
def test_look_alikes(host: str, brand: str, strong: bool) -> None:
    found = look_alike(host)
    assert found is not None
    assert (found.brand.name, found.strong) == (brand, strong), found.how


@pytest.mark.parametrize(
    "host",
    [
        "vietcombank.com.vn",
        "vcbdigibank.vietcombank.com.vn",
        "vietinbank.vn",
        "bidv.com.vn",
        "tpb.vn",
        "evocard.tpb.vn",
        "evnhcmc.vn",
        "viettelstore.vn",
        "dichvucong.gov.vn",
        "congan.vinhlong.gov.vn",
        "vnexpress.net",
        "dantri.com.vn",
        "tuoitre.vn",
        "thegioididong.com",
        "vibeonline.com",  # VIB is three letters: only an exact phishing word counts next to it
        "acbs.com.vn",
        "vcbmobilebanking.smartlink.com.vn",
        "km.vtmoney.vn",
        "example.com",
        "192.0.2.1",
    ],
)
def test_not_look_alikes(host: str) -> None:
    assert look_alike(host) is None


def test_every_official_domain_is_official_and_no_look_alike() -> None:
    for brand in brands():
        for domain in brand.domains:
            assert is_official(brand, domain) and is_official(brand, f"www.{domain}")
            assert look_alike(domain) is None, domain
            assert official_anywhere(f"login.{domain}") is not None


def test_official_means_the_domain_or_below_it() -> None:
    vcb = next(b for b in brands() if b.name == "Vietcombank")
    assert not is_official(vcb, "vietcombank.com.vn.evil.example")
    assert not is_official(vcb, "notvietcombank.com.vn")
    dvc = next(b for b in brands() if b.kind == "public_service")
    assert is_official(dvc, "dichvucong.vinhlong.gov.vn")  # any state host speaks for the state


def test_mentions_fold_accents_and_prefer_the_longest_name() -> None:
    found = mentions(prepare("Ngân hàng Sài Gòn Thương Tín, ngan hang sai gon thuong tin và VCB"))
    assert [(m.brand.name, m.count) for m in found] == [("Sacombank", 2), ("Vietcombank", 1)]
    assert mentions(prepare("Một bài viết về thời tiết miền Tây")) == []


def test_skeleton_merges_look_alike_characters() -> None:
    assert skeleton("vіetcombank") == skeleton("vietc0mbank") == skeleton("vietcombank")
    assert skeleton("bidv") != skeleton("bdv")
