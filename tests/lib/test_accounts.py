"""Social accounts, SMS senders and app ids."""

from __future__ import annotations

import pytest

from vigil.lib.accounts import (
    SocialAccount,
    normalise_app_id,
    normalise_sms_sender,
    normalise_social_account,
)
from vigil.lib.errors import IndicatorError


@pytest.mark.parametrize(
    ("raw", "value"),
    [
        # Facebook: pages, profiles, numeric ids; dots and case do not count
        ("https://www.facebook.com/some.page", "facebook:somepage"),
        ("https://facebook.com/Some.Page/", "facebook:somepage"),
        ("fb.com/somepage/posts/123456", "facebook:somepage"),
        ("https://m.facebook.com/profile.php?id=100012345678901", "facebook:100012345678901"),
        ("facebook.com/profile.php?id=100012345678901&ref=x", "facebook:100012345678901"),
        ("https://www.facebook.com/100012345678901", "facebook:100012345678901"),
        ("facebook.com/people/Nguyen-Van-A/100012345678901/", "facebook:100012345678901"),
        ("facebook.com/p/Shop-Gia-Re-100012345678901/", "facebook:100012345678901"),
        ("https://www.facebook.com/groups/123456789012345/", "facebook:groups/123456789012345"),
        ("m.me/somepage", "facebook:somepage"),
        ("facebook:some.page", "facebook:somepage"),
        ("fb:somepage", "facebook:somepage"),
        # Zalo: phone numbers, official accounts, groups
        ("zalo.me/0912345678", "zalo:+84912345678"),
        ("https://zalo.me/84912345678", "zalo:+84912345678"),
        ("zalo:0912 345 678", "zalo:+84912345678"),
        ("zalo:+84912345678", "zalo:+84912345678"),
        ("https://zalo.me/4318394672940829071", "zalo:4318394672940829071"),
        ("https://zalo.me/g/AbCdE123", "zalo:g/AbCdE123"),
        # Telegram: usernames are case-insensitive, invite hashes are not
        ("t.me/abc_shop", "telegram:abc_shop"),
        ("https://t.me/ABC_Shop", "telegram:abc_shop"),
        ("https://t.me/s/abc_shop", "telegram:abc_shop"),
        ("telegram.me/abc_shop", "telegram:abc_shop"),
        ("https://t.me/+AbCdEfGh123", "telegram:+AbCdEfGh123"),
        ("https://t.me/joinchat/AbCdEfGh1234", "telegram:+AbCdEfGh1234"),
        ("telegram:@abc_shop", "telegram:abc_shop"),
        ("tg:abc_shop", "telegram:abc_shop"),
        # TikTok, YouTube, X, Instagram, Threads, Shopee
        ("tiktok.com/@abc", "tiktok:abc"),
        ("https://www.tiktok.com/@Abc.Shop/video/123", "tiktok:abc.shop"),
        ("tiktok:@abc", "tiktok:abc"),
        ("youtube.com/@abc", "youtube:@abc"),
        ("https://m.youtube.com/@Abc/videos", "youtube:@abc"),
        (
            "youtube.com/channel/UCabcdefghijklmnopqrstuv",
            "youtube:channel/UCabcdefghijklmnopqrstuv",
        ),
        ("youtube.com/c/SomeName", "youtube:c/somename"),
        ("youtube:abc", "youtube:@abc"),
        ("x.com/abc", "x:abc"),
        ("twitter.com/ABC/status/123", "x:abc"),
        ("https://mobile.twitter.com/abc", "x:abc"),
        ("twitter:@abc", "x:abc"),
        ("instagram.com/abc.shop/", "instagram:abc.shop"),
        ("ig:abc.shop", "instagram:abc.shop"),
        ("threads.net/@abc", "threads:abc"),
        ("https://www.threads.com/@abc", "threads:abc"),
        ("shopee.vn/abc.shop", "shopee:abc.shop"),
        ("https://shopee.vn/Ao-thun-nam-i.123456.789012", "shopee:shop/123456"),
        ("shopee.vn/shop/123456", "shopee:shop/123456"),
    ],
)
def test_normalise_social_account(raw: str, value: str) -> None:
    account = normalise_social_account(raw)
    assert account.value == value
    assert normalise_social_account(value).value == value


def test_social_account_parts() -> None:
    assert normalise_social_account("zalo.me/0912345678") == SocialAccount(
        value="zalo:+84912345678",
        platform="zalo",
        handle="+84912345678",
        url="https://zalo.me/0912345678",
    )
    assert normalise_social_account("tiktok:abc").url == "https://www.tiktok.com/@abc"


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ("myspace:abc", "not a social account: unknown platform 'myspace'"),
        ("https://example.com/abc", "not a social account: 'example.com' is not a supported"),
        ("https://www.facebook.com/", "not a social account: no account named on facebook"),
        ("facebook.com/share/abc123", "not a social account: facebook.com/share is not an"),
        ("facebook.com/watch?v=1", "not a social account: facebook.com/watch is not an"),
        ("t.me/share/url?url=x", "not a social account: t.me/share is not an account"),
        ("t.me/ab", "not a social account: 'ab' is not a valid Telegram username"),
        ("tiktok.com/abc", "not a social account: tiktok.com profile links look like"),
        ("youtube.com/watch?v=abc", "not a social account: youtube.com/watch is not a channel"),
        ("x.com/home", "not a social account: x.com/home is not an account page"),
        ("x.com/abcdefghijklmnop", "not a social account: 'abcdefghijklmnop' is not a valid"),
        ("instagram.com/p/Cabc123/", "not a social account: instagram.com/p is not an account"),
        ("zalo.me/abc", "not a social account: 'abc' is not a valid Zalo"),
    ],
)
def test_normalise_social_account_refuses(raw: str, message: str) -> None:
    with pytest.raises(IndicatorError) as caught:
        normalise_social_account(raw)
    assert str(caught.value).startswith(message)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("VIETCOMBANK", "VIETCOMBANK"),
        (" Vietcombank ", "VIETCOMBANK"),
        ("MB  Bank", "MB BANK"),
        ("VIỆTTEL", "VIETTEL"),
        ("VCB-OTP", "VCB-OTP"),
        ("9029", "9029"),
        ("191", "191"),
        ("8x86", "8X86"),
        ("123456", "123456"),
    ],
)
def test_normalise_sms_sender(raw: str, expected: str) -> None:
    assert normalise_sms_sender(raw) == expected


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ("0912345678", "not an SMS sender: '0912345678' is a phone number; use type phone"),
        ("+84 912 345 678", "not an SMS sender: '+84 912 345 678' is a phone number; use type"),
        ("12", "not an SMS sender: a short code has 3 to 6 digits"),
        ("1234567", "not an SMS sender: a short code has 3 to 6 digits"),
        ("VIETCOMBANK1", "not an SMS sender: a brandname has at most 11 characters"),
        ("VCB@OTP", "not an SMS sender: a brandname uses letters, digits"),
        ("", "not an SMS sender: a brandname uses letters, digits"),
    ],
)
def test_normalise_sms_sender_refuses(raw: str, message: str) -> None:
    with pytest.raises(IndicatorError) as caught:
        normalise_sms_sender(raw)
    assert str(caught.value).startswith(message)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("com.example.app", "android:com.example.app"),
        ("android:vn.teraapp.n8410", "android:vn.teraapp.n8410"),
        ("com.VNPay.Wallet", "android:com.VNPay.Wallet"),
        (
            "https://play.google.com/store/apps/details?id=vn.teraapp.n8410&hl=vi&showAllReviews=true",
            "android:vn.teraapp.n8410",
        ),
        ("play.google.com/store/apps/details?id=com.example.app", "android:com.example.app"),
        ("market://details?id=com.example.app", "android:com.example.app"),
        ("id1346969467", "ios:1346969467"),
        ("ios:1346969467", "ios:1346969467"),
        ("ios:id1346969467", "ios:1346969467"),
        ("https://apps.apple.com/vn/app/some-app/id1346969467", "ios:1346969467"),
        ("apps.apple.com/us/app/robomine/id1517267484?l=vi", "ios:1517267484"),
        ("https://itunes.apple.com/vn/app/id1346969467?mt=8", "ios:1346969467"),
    ],
)
def test_normalise_app_id(raw: str, expected: str) -> None:
    assert normalise_app_id(raw) == expected
    assert normalise_app_id(expected) == expected


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ("", "not an app id: expected a package name"),
        ("hello", "not an app id: expected a package name"),
        ("com..example", "not an app id: expected a package name"),
        ("1com.example", "not an app id: expected a package name"),
        ("https://play.google.com/store/apps/details", "not an app id: the store link has no"),
        ("https://apps.apple.com/vn/app/some-app", "not an app id: the App Store link has no"),
        ("https://example.com/app?id=com.example", "not an app id: 'example.com' is not an app"),
    ],
)
def test_normalise_app_id_refuses(raw: str, message: str) -> None:
    with pytest.raises(IndicatorError) as caught:
        normalise_app_id(raw)
    assert str(caught.value).startswith(message)
