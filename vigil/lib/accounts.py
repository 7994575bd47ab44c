"""Social-network accounts, SMS sender names and mobile app identifiers."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import parse_qs, urlsplit

from vigil.lib.errors import IndicatorError
from vigil.lib.phones import normalise_phone
from vigil.lib.textnorm import fold

__all__ = [
    "SocialAccount",
    "normalise_app_id",
    "normalise_sms_sender",
    "normalise_social_account",
    "platform_of_host",
]

_SOCIAL = "a social account"


@dataclass(frozen=True, slots=True)
class SocialAccount:
    """An account on a platform; ``value`` is ``<platform>:<handle>``."""

    value: str
    platform: str
    handle: str
    url: str  # the profile page


# Registrable domains of each platform; subdomains (www., m., vn.) follow.
_HOSTS = {
    "facebook": ("facebook.com", "fb.com", "fb.me", "m.me"),
    "zalo": ("zalo.me",),
    "telegram": ("t.me", "telegram.me", "telegram.dog"),
    "tiktok": ("tiktok.com",),
    "youtube": ("youtube.com",),
    "x": ("x.com", "twitter.com"),
    "instagram": ("instagram.com", "instagr.am"),
    "threads": ("threads.net", "threads.com"),
    "shopee": ("shopee.vn",),
}
_ALIASES = {"fb": "facebook", "tg": "telegram", "twitter": "x", "ig": "instagram", "yt": "youtube"}
_PROFILE_URL = {
    "facebook": "https://www.facebook.com/{}",
    "zalo": "https://zalo.me/{}",
    "telegram": "https://t.me/{}",
    "tiktok": "https://www.tiktok.com/@{}",
    "youtube": "https://www.youtube.com/{}",
    "x": "https://x.com/{}",
    "instagram": "https://www.instagram.com/{}",
    "threads": "https://www.threads.net/@{}",
    "shopee": "https://shopee.vn/{}",
}
# First path segments that are site features, not accounts.
# fmt: off
_NOT_ACCOUNTS = frozenset({
    "home", "i", "intent", "share", "sharer", "sharer.php", "search", "explore", "hashtag",
    "messages", "notifications", "settings", "login", "signup", "watch", "photo.php",
    "story.php", "permalink.php", "events", "marketplace", "reel", "reels", "stories", "tv",
    "accounts", "direct", "p", "video", "videos", "photos", "posts", "gaming", "help",
    "policies", "about", "privacy", "tos", "cart", "buyer", "user", "mall", "joinchat",
    "addstickers", "proxy", "socks", "c", "s", "iv"
})
# fmt: on


def platform_of_host(host: str) -> str | None:
    """The platform a host belongs to, if any.

    >>> platform_of_host("m.facebook.com"), platform_of_host("t.me"), platform_of_host("vcb.vn")
    ('facebook', 'telegram', None)
    """
    host = host.lower().rstrip(".")
    for platform, domains in _HOSTS.items():
        if any(host == d or host.endswith("." + d) for d in domains):
            return platform
    return None


def _match(pattern: str, text: str, what: str) -> str:
    if not re.fullmatch(pattern, text):
        raise IndicatorError(_SOCIAL, f"{text!r} is not a valid {what}")
    return text


def _facebook(parts: list[str], query: dict[str, list[str]]) -> str:
    head = parts[0].lower()
    if head == "profile.php" and query.get("id"):
        return _match(r"\d{5,20}", query["id"][0], "Facebook id")
    if head in ("people", "pages", "p") and len(parts) >= 2:
        found = re.search(r"(\d{5,20})$", parts[-1])
        if found:
            return found.group(1)
    if head == "groups" and len(parts) >= 2:
        return "groups/" + _match(r"[\w.-]{1,100}", parts[1].lower(), "Facebook group")
    if head in _NOT_ACCOUNTS or head in ("people", "pages", "groups", "profile.php"):
        raise IndicatorError(_SOCIAL, f"facebook.com/{parts[0]} is not an account page")
    handle = _match(r"[a-z0-9.]{1,50}", head, "Facebook username")
    # Facebook ignores dots and case in usernames: john.smith55 is johnsmith55.
    return handle.replace(".", "")


def _zalo(parts: list[str], query: dict[str, list[str]]) -> str:
    if parts[0].lower() == "g" and len(parts) >= 2:
        # Group invitation codes are case-sensitive.
        return "g/" + _match(r"[A-Za-z0-9_-]{4,40}", parts[1], "Zalo group code")
    try:
        return normalise_phone(parts[0]).value
    except IndicatorError:
        return _match(r"\d{5,25}", parts[0], "Zalo phone number or official-account id")


def _telegram(parts: list[str], query: dict[str, list[str]]) -> str:
    head = parts[1] if parts[0] == "s" and len(parts) >= 2 else parts[0]
    if head.lower() == "joinchat" and len(parts) >= 2:
        head = "+" + parts[1]
    if head.startswith("+"):
        # Private invite hashes are case-sensitive; usernames are not.
        return _match(r"\+[A-Za-z0-9_-]{8,40}", head, "Telegram invite link")
    if head.lower() in _NOT_ACCOUNTS:
        raise IndicatorError(_SOCIAL, f"t.me/{head} is not an account")
    return _match(r"[a-z][a-z0-9_]{3,31}", head.lower(), "Telegram username")


def _at_handle(pattern: str, site: str) -> Callable[[list[str], dict[str, list[str]]], str]:
    def parse(parts: list[str], query: dict[str, list[str]]) -> str:
        if not parts[0].startswith("@"):
            raise IndicatorError(_SOCIAL, f"{site} profile links look like {site}/@name")
        return _match(pattern, parts[0][1:].lower(), f"{site} handle")

    return parse


def _youtube(parts: list[str], query: dict[str, list[str]]) -> str:
    head = parts[0]
    if head.startswith("@"):
        return "@" + _match(r"[a-z0-9._-]{3,30}", head[1:].lower(), "YouTube handle")
    if head == "channel" and len(parts) >= 2:
        return "channel/" + _match(r"UC[A-Za-z0-9_-]{22}", parts[1], "YouTube channel id")
    if head in ("c", "user") and len(parts) >= 2:
        return f"{head}/" + _match(r"[a-z0-9._-]{1,100}", parts[1].lower(), "YouTube name")
    raise IndicatorError(_SOCIAL, f"youtube.com/{head} is not a channel page")


def _plain(pattern: str, site: str) -> Callable[[list[str], dict[str, list[str]]], str]:
    def parse(parts: list[str], query: dict[str, list[str]]) -> str:
        head = parts[0].lower().removeprefix("@")
        if head in _NOT_ACCOUNTS:
            raise IndicatorError(_SOCIAL, f"{site}/{head} is not an account page")
        return _match(pattern, head, f"{site} username")

    return parse


def _shopee(parts: list[str], query: dict[str, list[str]]) -> str:
    if parts[0] == "shop" and len(parts) >= 2:
        return "shop/" + _match(r"\d{1,15}", parts[1], "Shopee shop id")
    product = re.search(r"-i\.(\d{1,15})\.\d{1,20}$", parts[0])
    if product:
        # A product link names its shop: "<title>-i.<shop id>.<item id>".
        return f"shop/{product.group(1)}"
    return _plain(r"[a-z0-9._]{3,30}", "shopee.vn")(parts, query)


_PARSERS: dict[str, Callable[[list[str], dict[str, list[str]]], str]] = {
    "facebook": _facebook,
    "zalo": _zalo,
    "telegram": _telegram,
    "tiktok": _at_handle(r"[a-z0-9._]{2,24}", "tiktok.com"),
    "youtube": _youtube,
    "x": _plain(r"[a-z0-9_]{1,15}", "x.com"),
    "instagram": _plain(r"[a-z0-9._]{1,30}", "instagram.com"),
    "threads": _at_handle(r"[a-z0-9._]{1,30}", "threads.net"),
    "shopee": _shopee,
}
_AT_PATH = frozenset({"tiktok", "threads"})


def _from_url(text: str) -> tuple[str, list[str], dict[str, list[str]]]:
    split = urlsplit(text if "://" in text else f"https://{text}")
    platform = platform_of_host(split.hostname or "")
    if platform is None:
        raise IndicatorError(_SOCIAL, f"{split.hostname or text!r} is not a supported platform")
    return platform, [p for p in split.path.split("/") if p], parse_qs(split.query)


def _from_prefixed(text: str) -> tuple[str, list[str], dict[str, list[str]]]:
    name, _, handle = text.partition(":")
    platform = _ALIASES.get(name.strip().lower(), name.strip().lower())
    if platform not in _PARSERS:
        raise IndicatorError(_SOCIAL, f"unknown platform {name.strip()!r}")
    handle = handle.strip()
    if platform in _AT_PATH or (platform == "youtube" and "/" not in handle):
        handle = "@" + handle.removeprefix("@")
    elif platform != "youtube":
        handle = handle.removeprefix("@")
    if platform == "zalo" and not handle.lower().startswith("g/"):
        handle = re.sub(r"[\s().-]", "", handle)
    return platform, [p for p in handle.split("/") if p], {}


def normalise_social_account(raw: str) -> SocialAccount:
    """Canonical account from a profile link or a ``platform:handle`` pair.

    >>> normalise_social_account("https://m.facebook.com/profile.php?id=100012345678901").value
    'facebook:100012345678901'
    >>> normalise_social_account("zalo.me/0912345678").value
    'zalo:+84912345678'
    >>> normalise_social_account("tiktok.com/@Abc.Shop").value
    'tiktok:abc.shop'
    """
    text = raw.strip()
    if re.match(r"[A-Za-z]+:(?!//)", text):
        platform, parts, query = _from_prefixed(text)
    else:
        platform, parts, query = _from_url(text)
    if not parts:
        raise IndicatorError(_SOCIAL, f"no account named on {platform}")
    handle = _PARSERS[platform](parts, query)
    # Zalo links take Vietnamese numbers in national form.
    shown = "0" + handle[3:] if platform == "zalo" and handle.startswith("+84") else handle
    url = _PROFILE_URL[platform].format(shown.removeprefix("+"))
    return SocialAccount(value=f"{platform}:{handle}", platform=platform, handle=handle, url=url)


def normalise_sms_sender(raw: str) -> str:
    """An SMS sender: an alphanumeric brandname (upper case) or a 3-6 digit short code.

    >>> normalise_sms_sender(" Vietcombank "), normalise_sms_sender("9029")
    ('VIETCOMBANK', '9029')
    >>> try:
    ...     normalise_sms_sender("0912345678")
    ... except IndicatorError as exc:
    ...     print(exc)
    not an SMS sender: '0912345678' is a phone number; use type phone
    """
    what = "an SMS sender"
    text = " ".join(raw.split())
    if re.fullmatch(r"\+?[\d\s().-]+", text):
        digits = re.sub(r"\D", "", text)
        if 3 <= len(digits) <= 6 and not text.startswith("+"):
            return digits
        try:
            normalise_phone(text)
        except IndicatorError:
            raise IndicatorError(what, "a short code has 3 to 6 digits") from None
        raise IndicatorError(what, f"{text!r} is a phone number; use type phone")
    # Sender names travel in the GSM alphabet, so diacritics are not part of them.
    name = fold(text).upper()
    if not re.fullmatch(r"[A-Z0-9][A-Z0-9 ._&-]*", name):
        raise IndicatorError(what, "a brandname uses letters, digits, space and . _ & -")
    if len(name) > 11:
        raise IndicatorError(what, "a brandname has at most 11 characters")
    return name


_PACKAGE = re.compile(r"[A-Za-z][A-Za-z0-9_]*(?:\.[A-Za-z][A-Za-z0-9_]*)+")


def _app_from_url(text: str) -> str:
    split = urlsplit(text if "://" in text else f"https://{text}")
    host = (split.hostname or "").lower()
    if split.scheme == "market" or host == "play.google.com":
        ids = parse_qs(split.query).get("id", [])
        if ids and _PACKAGE.fullmatch(ids[0]):
            return f"android:{ids[0]}"
        raise IndicatorError("an app id", "the store link has no valid ?id=")
    if host in ("apps.apple.com", "itunes.apple.com"):
        found = re.search(r"/id(\d{6,12})(?:$|[/?])", split.path + "/")
        if found:
            return f"ios:{found.group(1)}"
        raise IndicatorError("an app id", "the App Store link has no /id<number>")
    raise IndicatorError("an app id", f"{host!r} is not an app store")


def normalise_app_id(raw: str) -> str:
    """``android:<package>`` or ``ios:<number>`` from an id or an app-store link.

    Package names are case-sensitive on Android, so their case is kept.

    >>> normalise_app_id("https://play.google.com/store/apps/details?id=vn.teraapp.n8410&hl=vi")
    'android:vn.teraapp.n8410'
    >>> normalise_app_id("https://apps.apple.com/vn/app/some-app/id1346969467")
    'ios:1346969467'
    """
    text = raw.strip()
    kind, colon, rest = text.partition(":")
    if colon and kind.lower() == "android" and _PACKAGE.fullmatch(rest.strip()):
        return f"android:{rest.strip()}"
    if colon and kind.lower() == "ios":
        text = rest.strip() if rest.strip().lower().startswith("id") else f"id{rest.strip()}"
    if re.fullmatch(r"id\d{6,12}", text, re.IGNORECASE):
        return f"ios:{text[2:]}"
    if "/" in text or "://" in text:
        return _app_from_url(text)
    if _PACKAGE.fullmatch(text):
        return f"android:{text}"
    raise IndicatorError("an app id", "expected a package name, id<number> or a store link")
