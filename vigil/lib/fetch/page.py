"""What a captured page says: title, visible text, forms, links, and its fingerprints.

Built with selectolax (Lexbor). The result is the detectors' :class:`PageFacts` plus the
fingerprints that let re-resolution spot the same page under a new domain:

* ``content_sha256``: the body bytes exactly;
* ``text_fingerprint``: the visible text, lower-cased, with host names and digits
  blurred (a cloned kit on a new domain with a new phone number still matches);
* ``dom_fingerprint``: the sequence of element names and form field names.

Small pages (error pages, parking pages) get no text or DOM fingerprint: they would
match everywhere.

>>> page = extract_page(b"<title>Dang nhap</title><form><input type=password name=p></form>",
...                     url="http://x.example/", content_type="text/html")
>>> page.facts.title, page.facts.forms[0].input_types
('Dang nhap', ('password',))
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit

from selectolax.lexbor import LexborHTMLParser, LexborNode

from vigil.lib.detectors.base import FormFacts, PageFacts

__all__ = ["DOWNLOAD_SUFFIXES", "ExtractedPage", "decode_html", "extract_page", "text_shingles"]

DOWNLOAD_SUFFIXES = (".apk", ".xapk", ".apks", ".ipa", ".exe", ".msi", ".scr", ".bat", ".jar", ".dmg", ".pkg")
MAX_LINKS = 500
MAX_TEXT = 200_000
MAX_PARSE = 2_000_000  # characters of HTML parsed; a larger body is stored whole but parsed in part
MIN_TEXT_FOR_FINGERPRINT = 200
MIN_ELEMENTS_FOR_FINGERPRINT = 25
_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([a-zA-Z0-9_.:-]+)""", re.IGNORECASE)
_HOSTLIKE = re.compile(r"\b(?:[a-z0-9-]+\.)+[a-z]{2,}\b")
_DIGITS = re.compile(r"\d+")
_SPACE = re.compile(r"\s+")
_VI_LETTERS = re.compile(r"[ăâđêôơưạảấầẩẫậắằẳẵặẹẻẽếềểễệỉịọỏốồổỗộớờởỡợụủứừửữựỳỵỷỹ]", re.IGNORECASE)
_INVISIBLE = ["script", "style", "noscript", "template", "svg", "head"]


@dataclass(frozen=True, slots=True)
class ExtractedPage:
    """The detectors' facts, plus fingerprints and a few things only the capture needs."""

    facts: PageFacts
    charset: str
    content_sha256: str
    text_fingerprint: str
    dom_fingerprint: str
    meta_refresh: str
    resources: tuple[str, ...]  # same-host stylesheets, images and scripts the page loads


def _charset_of(body: bytes, content_type: str) -> str:
    for part in content_type.split(";")[1:]:
        key, _, value = part.strip().partition("=")
        if key.lower() == "charset" and value.strip(" \"'"):
            return value.strip(" \"'").lower()
    found = _META_CHARSET.search(body[:4096])
    if found:
        return found.group(1).decode("ascii", "replace").lower()
    return "utf-8"


def decode_html(body: bytes, content_type: str = "") -> tuple[str, str]:
    """The body as text and the charset used (header, then <meta>, then UTF-8)."""
    charset = _charset_of(body, content_type)
    try:
        return body.decode(charset, errors="replace"), charset
    except LookupError:
        return body.decode("utf-8", errors="replace"), "utf-8"


def _collapse(text: str) -> str:
    return _SPACE.sub(" ", text).strip()


def _absolute(base: str, href: str) -> str:
    href = href.strip()
    if not href or href.startswith(("javascript:", "mailto:", "tel:", "data:", "#")):
        return ""
    try:
        return urljoin(base, href).split("#")[0]
    except ValueError:
        return ""


def _labels(form: LexborNode) -> tuple[str, ...]:
    found: list[str] = []
    for node in form.css("label, input, textarea, select, button"):
        attrs = node.attributes
        for text in (
            node.text(strip=True) if node.tag in {"label", "button"} else "",
            attrs.get("placeholder") or "",
            attrs.get("aria-label") or "",
            attrs.get("title") or "",
            (attrs.get("value") or "") if (attrs.get("type") or "").lower() in {"submit", "button"} else "",
        ):
            text = _collapse(text)
            if text and text not in found:
                found.append(text[:200])
    return tuple(found[:50])


def _forms(tree: LexborHTMLParser, base: str) -> tuple[FormFacts, ...]:
    forms: list[FormFacts] = []
    for form in tree.css("form")[:50]:
        names: list[str] = []
        types: list[str] = []
        for field in form.css("input, textarea, select"):
            attrs = field.attributes
            kind = (attrs.get("type") or ("text" if field.tag == "input" else field.tag or "")).lower()
            if kind in {"submit", "button", "image", "reset"}:
                continue
            names.append((attrs.get("name") or attrs.get("id") or "")[:100])
            types.append(kind[:30])
        attrs = form.attributes
        forms.append(
            FormFacts(
                action=_absolute(base, attrs.get("action") or "") or base,
                method=(attrs.get("method") or "get").lower()[:10],
                input_names=tuple(names),
                input_types=tuple(types),
                labels=_labels(form),
            )
        )
    return tuple(forms)


def _language(tree: LexborHTMLParser, text: str) -> str:
    html = tree.css_first("html")
    lang = ((html.attributes.get("lang") if html is not None else "") or "").strip().lower()[:2]
    if lang in {"vi", "en"}:
        return lang
    sample = text[:5000]
    letters = sum(ch.isalpha() for ch in sample)
    if letters and len(_VI_LETTERS.findall(sample)) / letters > 0.03:
        return "vi"
    if letters and sample.isascii():
        return "en"
    return ""


def _meta_refresh(tree: LexborHTMLParser, base: str) -> str:
    for meta in tree.css("meta[http-equiv]"):
        if (meta.attributes.get("http-equiv") or "").lower() == "refresh":
            content = meta.attributes.get("content") or ""
            _, _, target = content.partition("=")
            return _absolute(base, target.strip(" '\"")) if target else ""
    return ""


def _resources(tree: LexborHTMLParser, base: str) -> tuple[str, ...]:
    host = urlsplit(base).netloc
    found: list[str] = []
    for selector, attr in (("link[href]", "href"), ("img[src]", "src"), ("script[src]", "src")):
        for node in tree.css(selector):
            if node.tag == "link" and "stylesheet" not in (node.attributes.get("rel") or "").lower():
                continue
            url = _absolute(base, node.attributes.get(attr) or "")
            if url and urlsplit(url).netloc == host and url not in found:
                found.append(url)
    return tuple(found[:40])


def text_shingles(text: str, size: int = 3) -> frozenset[str]:
    """Word n-grams of the text, for comparing the variants of a page."""
    words = _collapse(text.lower()).split()
    if len(words) < size:
        return frozenset([" ".join(words)]) if words else frozenset()
    return frozenset(" ".join(words[i : i + size]) for i in range(len(words) - size + 1))


def _text_fingerprint(text: str) -> str:
    blurred = _DIGITS.sub("0", _HOSTLIKE.sub("HOST", text.lower()))
    blurred = _collapse(blurred)
    if len(blurred) < MIN_TEXT_FOR_FINGERPRINT:
        return ""
    return hashlib.sha256(blurred.encode()).hexdigest()


def _dom_fingerprint(tree: LexborHTMLParser) -> str:
    parts: list[str] = []
    for node in tree.root.traverse() if tree.root is not None else ():
        tag = node.tag or ""
        if tag.startswith("-"):
            continue
        if tag in {"input", "select", "textarea"}:
            tag = f"{tag}:{(node.attributes.get('type') or '').lower()}:{node.attributes.get('name') or ''}"
        parts.append(tag)
    if len(parts) < MIN_ELEMENTS_FOR_FINGERPRINT:
        return ""
    return hashlib.sha256(" ".join(parts).encode()).hexdigest()


def extract_page(body: bytes, *, url: str, content_type: str, requested_url: str = "") -> ExtractedPage:
    """Parse a body (any type: non-HTML gives text only) into facts and fingerprints."""
    html, charset = decode_html(body, content_type)
    html = html[:MAX_PARSE]
    media_type = content_type.split(";")[0].strip().lower()
    content_sha256 = hashlib.sha256(body).hexdigest()
    if media_type and media_type not in {"text/html", "application/xhtml+xml"} and html.lstrip()[:1] != "<":
        text = _collapse(html)[:MAX_TEXT]
        facts = PageFacts(url=requested_url or url, final_url=url, text=text, language="")
        return ExtractedPage(facts, charset, content_sha256, _text_fingerprint(text), "", "", ())
    tree = LexborHTMLParser(html)
    title_node = tree.css_first("title")
    title = _collapse(title_node.text()) if title_node is not None else ""
    forms = _forms(tree, url)
    links: list[str] = []
    for node in tree.css("a[href], area[href]"):
        link = _absolute(url, node.attributes.get("href") or "")
        if link and link not in links:
            links.append(link)
        if len(links) >= MAX_LINKS:
            break
    downloads = tuple(link for link in links if urlsplit(link).path.lower().endswith(DOWNLOAD_SUFFIXES))
    meta_refresh = _meta_refresh(tree, url)
    resources = _resources(tree, url)
    dom_fingerprint = _dom_fingerprint(tree)
    tree.strip_tags(_INVISIBLE)
    body_node = tree.body
    text = _collapse(body_node.text(separator=" ") if body_node is not None else "")[:MAX_TEXT]
    facts = PageFacts(
        url=requested_url or url,
        final_url=url,
        title=title[:1000],
        text=text,
        html=html,
        forms=forms,
        links=tuple(links),
        downloads=downloads,
        language=_language(tree, f"{title} {text}"),
    )
    return ExtractedPage(
        facts,
        charset,
        content_sha256,
        _text_fingerprint(f"{title} {text}"),
        dom_fingerprint,
        meta_refresh,
        resources,
    )
