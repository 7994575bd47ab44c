"""Public warnings written by staff."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from vigil.core import audit, roles
from vigil.core.models import Category, User
from vigil.errors import InvalidInput
from vigil.indicators import services as indicator_services
from vigil.intake.models import Advisory
from vigil.lib.textnorm import fold

FIELDS = ("title", "body", "category", "indicators", "is_published", "published_at")


def parse_indicator_lines(text: str) -> list[dict[str, str]]:
    """One indicator a line, normalised; a bad line is refused with its number."""
    found: list[dict[str, str]] = []
    for number, line in enumerate((text or "").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            parsed = indicator_services.parse(None, line)
        except InvalidInput as exc:
            raise InvalidInput(
                _("Line %(n)s: %(message)s") % {"n": number, "message": exc.message},
                details={"field": "indicators"},
            ) from exc
        entry = {"type": str(parsed.type), "value": parsed.value, "display": parsed.display}
        if entry not in found:
            found.append(entry)
    return found


def _search_text(advisory: Advisory) -> str:
    values = " ".join(f"{i.get('value', '')} {i.get('display', '')}" for i in advisory.indicators)
    return fold(f"{advisory.title} {advisory.body} {values}")


def save_advisory(
    *,
    actor: User,
    advisory: Advisory | None = None,
    title: str,
    body: str,
    category: Category | None,
    indicator_lines: str = "",
    publish: bool = False,
) -> Advisory:
    """Create or edit a warning; publishing stamps the date shown to the public."""
    roles.require(actor, "intake.warnings")
    title, body = (title or "").strip(), (body or "").strip()
    if not title:
        raise InvalidInput(_("A warning needs a title."), details={"field": "title"})
    if len(body) < 20:
        raise InvalidInput(_("Write what the scam looks like and what to do."), details={"field": "body"})
    indicators = parse_indicator_lines(indicator_lines)
    with transaction.atomic():
        created = advisory is None
        if advisory is None:
            advisory = Advisory(created_by=actor)
            before: dict[str, Any] | None = None
        else:
            advisory = Advisory.objects.select_for_update().get(pk=advisory.pk)
            before = audit.snapshot(advisory, FIELDS)
        advisory.title, advisory.body, advisory.category, advisory.indicators = (
            title[:300],
            body,
            category,
            indicators,
        )
        if publish and not advisory.is_published:
            advisory.is_published, advisory.published_at = True, timezone.now()
        elif not publish:
            advisory.is_published = False
        advisory.updated_at = timezone.now()
        advisory.search_text = _search_text(advisory)
        advisory.save()
        changes = audit.diff(before, audit.snapshot(advisory, FIELDS))
        audit.record(
            actor=actor,
            action="advisory.created" if created else "advisory.updated",
            obj=advisory,
            changes=changes,
        )
    return advisory
