"""Phishing and impersonation: credential forms, protected brands, look-alike hosts.

A page is phishing when it asks for what opens an account (password, OTP code, card
number, PIN) while naming a bank, e-wallet, telco, public service or platform whose
domains it is not on, or when it is hosted on a name built to look like that brand's.
A message (no URL: an SMS pasted into a report) is phishing when it links to such a name.
Naming a brand on a harmless page, or a log-in form on a brand's own domain, is not.

>>> facts = PageFacts(url="https://vcb-xacthuc.com/", title="Vietcombank - Đăng nhập",
...                   forms=(FormFacts(input_names=("user", "otp"), input_types=("text", "text")),))
>>> result = detect_phishing(facts)
>>> result.label, result.score
('phishing', 0.95)
>>> import textwrap; print(textwrap.fill(result.explanation, 90))
The page asks for an OTP code and names Vietcombank, but is hosted on vcb-xacthuc.com, not
on vietcombank.com.vn (brand name with "xacthuc").
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import urlsplit

from vigil.lib.detectors.base import DetectorResult, FormFacts, PageFacts, registry
from vigil.lib.detectors.brands import (
    Brand,
    LookAlike,
    Mention,
    is_official,
    is_state_host,
    look_alike,
    mentions,
    official_anywhere,
)
from vigil.lib.detectors.vocab import Prepared, links_in_text, prepare
from vigil.lib.domains import registrable_domain
from vigil.lib.textnorm import fold

__all__ = ["NAME", "credential_requests", "detect_phishing"]

NAME = "phishing"
# What a form field asks for, by its name, label or placeholder (accent-folded).
_FIELD_ASKS = (
    ("an OTP code", re.compile(r"\botp\b|ma xac (?:thuc|nhan|minh)|one.?time|ma bao mat|verification code")),
    ("a card number", re.compile(r"so the\b|card.?(?:number|no)|cc.?number|\bpan\b|cardnumber")),
    ("a card security code", re.compile(r"\bcvv2?\b|\bcvc\b|\bccv\b|ngay het han|expiry|exp.?date")),
    ("a PIN", re.compile(r"\bpin\b|ma pin")),
    ("a password", re.compile(r"mat khau|password|passwd|\bpwd\b|\bmk\b")),
)
# Pages whose forms are drawn by scripts still say what they want.
_TEXT_ASKS = (
    ("an OTP code", re.compile(r"nhap (?:ma )?otp|enter (?:the |your )?(?:otp|one.?time)")),
    ("a password", re.compile(r"nhap mat khau|enter (?:your )?password")),
    ("a card number", re.compile(r"nhap so the|enter (?:your )?card number")),
)
_LOGIN_WORDS = re.compile(
    r"dang nhap|\blog ?in\b|sign ?in|xac thuc|xac minh|internet banking|ibanking|e-?banking|kich hoat"
)
# Pages that warn about phishing quote what phishing pages say.
_WARNING_WORDS = re.compile(r"canh bao|thu doan|ke gian|lua dao|nan nhan|gia mao|khuyen cao|scam|warning")
# Advisories name the fake sites they warn about; scam messages do not call themselves fakes.
_ADVISORY_WORDS = re.compile(
    r"ke gian|thu doan|gia mao|gia danh|tuyet doi khong|khong (?:truy cap|nhan vao|bam vao|cung cap)|"
    r"canh giac|khuyen cao|\bbeware\b|do not (?:click|open)"
)
# What a message says to make someone log in at once ("đăng nhập" alone is every app's promotion).
_ACCOUNT_THREAT = re.compile(
    r"xac thuc|xac minh|bi khoa|tam khoa|tam ngung|khoa tai khoan|vo hieu|\botp\b|verify|suspended|locked"
)
_EXFILTRATION_HOSTS = ("api.telegram.org", "discord.com", "discordapp.com")
_MAX_TITLE_FOR_LOGIN_PAGE = 70
_MAX_TEXT_FOR_LOGIN_PAGE = 1500


@dataclass(frozen=True, slots=True)
class _Ask:
    what: str
    where: str  # the field or words that ask for it
    in_form: bool = True


def credential_requests(facts: PageFacts) -> list[_Ask]:
    """What the page's forms (or, failing forms, its text) ask for that opens an account.

    >>> form = FormFacts(input_names=("so_the", "cvv"), labels=("Số thẻ", "CVV"))
    >>> [ask.what for ask in credential_requests(PageFacts(forms=(form,)))]
    ['a card number', 'a card security code']
    """
    asks: dict[str, _Ask] = {}
    for form in facts.forms:
        for field in _fields(form):
            for what, pattern in _FIELD_ASKS:
                if what not in asks and pattern.search(_field_words(field)):
                    asks[what] = _Ask(what, f"form field {field!r}")
        if "password" in form.input_types and "a password" not in asks:
            asks["a password"] = _Ask("a password", "a password field")
    if not asks:
        text = fold(f"{facts.title}\n{facts.text[:20_000]}")
        if not _WARNING_WORDS.search(text):
            for what, pattern in _TEXT_ASKS:
                found = pattern.search(text)
                if found:
                    asks[what] = _Ask(what, f"the text says {found.group()!r}", in_form=False)
    return list(asks.values())


def _field_words(field: str) -> str:
    return re.sub(r"[_\-\[\].]+", " ", fold(field))


def _fields(form: FormFacts) -> list[str]:
    return [value for value in (*form.input_names, *form.labels) if value]


def _list(things: list[str]) -> str:
    return things[0] if len(things) == 1 else ", ".join(things[:-1]) + " and " + things[-1]


def _where(brand: Brand) -> str:
    if brand.kind == "public_service" and not brand.domains:
        return "a gov.vn address"
    return " or ".join(brand.domains[:2]) if brand.domains else ""


def _claimed(title: Prepared, forms: Prepared, body: Prepared) -> list[Mention]:
    """Brands the page presents itself as: named in its title or forms, or all over its text."""
    claimed = mentions(title) + [m for m in mentions(forms) if m.brand.kind != "platform"]
    in_body = [m for m in mentions(body) if m.brand.kind != "platform"]
    if in_body and len(in_body) < 5 and in_body[0].count >= 2:
        claimed.append(in_body[0])  # a list of many banks is a payment page, not a disguise
    unique: dict[str, Mention] = {}
    for mention in claimed:
        unique.setdefault(mention.brand.name, mention)
    return list(unique.values())


def _result(score: float, explanation: str, evidence: list[str], label: str = "phishing") -> DetectorResult:
    return DetectorResult(
        NAME, label, round(score, 2), explanation, tuple(dict.fromkeys(e for e in evidence if e))
    )


def _page(facts: PageFacts) -> DetectorResult | None:
    host = facts.host
    title, body = prepare(facts.title), prepare(facts.text)
    forms = prepare(*(field for form in facts.forms for field in _fields(form)))
    asks = credential_requests(facts)
    asked = _list([ask.what for ask in asks]) if asks else ""
    claimed = [m for m in _claimed(title, forms, body) if not is_official(m.brand, host)]
    if any(is_official(m.brand, host) for m in mentions(title)) or official_anywhere(host):
        return None
    evidence = [ask.where for ask in asks] + [m.snippet for m in claimed[:3]]
    sink = _exfiltration(facts)
    if sink:
        evidence.append(f"form sends to {sink}")
    similar = look_alike(host)
    if similar is not None:
        return _page_on_look_alike(similar, asked, claimed, evidence)
    if not claimed or is_state_host(host):
        return None
    brand = claimed[0].brand
    where = _where(brand)
    not_on = f", not on {where}" if where else f", and no domain of {brand.name} is on record"
    # Words in a text are weaker than a form: they count only where the title makes the claim.
    if asks and (asks[0].in_form or _title_claims(claimed, title)):
        score = (0.8 if where else 0.6) + (0.1 if sink else 0.0)
        return _result(
            score,
            f"The page asks for {asked} and names {brand.name}, but is hosted on {host}{not_on}.",
            evidence,
        )
    login_title = _LOGIN_WORDS.search(title.folded) and len(facts.title) <= _MAX_TITLE_FOR_LOGIN_PAGE
    if login_title and _title_claims(claimed, title) and len(facts.text) <= _MAX_TEXT_FOR_LOGIN_PAGE:
        return _result(
            0.6,
            f"The page is titled as a {brand.name} log-in page ({facts.title!r}) "
            f"but is hosted on {host}{not_on}.",
            [*evidence, facts.title],
        )
    return None


def _title_claims(claimed: list[Mention], title: Prepared) -> bool:
    named = {m.brand.name for m in mentions(title)}
    return any(m.brand.name in named for m in claimed)


def _page_on_look_alike(
    similar: LookAlike, asked: str, claimed: list[Mention], evidence: list[str]
) -> DetectorResult | None:
    brand, host = similar.brand, similar.host
    where = _where(brand)
    not_on = f", not on {where}" if where else ""
    named = any(m.brand.name == brand.name for m in claimed)
    why = f" ({similar.how})"
    if asked and (named or similar.strong):
        names = f" and names {brand.name}" if named else ""
        return _result(
            0.95 if similar.strong else 0.85,
            f"The page asks for {asked}{names}, but is hosted on {host}{not_on}{why}.",
            [*evidence, host],
        )
    if named and similar.strong:
        return _result(
            0.85,
            f"The page names {brand.name} and is hosted on {host}, a look-alike{not_on}{why}.",
            [*evidence, host],
        )
    if similar.strong:
        return _result(
            0.7, f"The host {host} imitates {brand.name}{why}{not_on}.", [host], label="lookalike_domain"
        )
    return None


def _exfiltration(facts: PageFacts) -> str:
    for form in facts.forms:
        action_host = (urlsplit(form.action).hostname or "").lower()
        if action_host in _EXFILTRATION_HOSTS:
            return action_host
    return ""


def _message_link(raw: str, host: str, text: Prepared, named: list[Mention]) -> DetectorResult | None:
    similar = look_alike(host)
    threat = bool(_ACCOUNT_THREAT.search(text.folded)) and not _WARNING_WORDS.search(text.folded)
    if similar is not None:
        said = next((m for m in named if m.brand.name == similar.brand.name), None)
        # A brand's name in someone else's host is also how deep-link services work
        # ("myviettel.go.link"), so only a warning-free account threat makes it count.
        if not similar.strong and not (said and threat):
            return None
        brand = similar.brand
        score = 0.9 if (similar.strong and said) else 0.8 if similar.strong else 0.7
        names = f"names {brand.name} and " if said else ""
        where = _where(brand)
        not_on = f", not a domain of {brand.name} ({where})" if where else ""
        return _result(
            score,
            f"The message {names}links to {host}{not_on}; {similar.how}.",
            [raw, said.snippet if said else ""],
        )
    if named and threat:
        brand = named[0].brand
        where = _where(brand)
        not_on = f", not a domain of {brand.name} ({where})" if where else ", not a domain on record for it"
        return _result(
            0.6,
            f"The message names {brand.name} and asks to log in or verify at {host}{not_on}.",
            [raw, named[0].snippet],
        )
    return None


def _message(facts: PageFacts) -> DetectorResult | None:
    text = prepare(facts.title, facts.text)
    if _ADVISORY_WORDS.search(text.folded):
        return None
    named = mentions(text)
    best: DetectorResult | None = None
    for raw, host in links_in_text(text.text):
        label = (registrable_domain(host) or host).split(".")[0]
        if official_anywhere(host) or is_state_host(host) or not re.search(r"[a-z]", label):
            continue  # "462708.Cam on" is a code and a word, not a link
        found = _message_link(raw, host, text, named)
        if found is not None and (best is None or found.score > best.score):
            best = found
    return best


@registry.register(NAME)
def detect_phishing(facts: PageFacts) -> DetectorResult | None:
    """Phishing or impersonation of a protected brand; None when the page shows neither."""
    if facts.url or facts.final_url:
        return _page(facts)
    return _message(facts)
