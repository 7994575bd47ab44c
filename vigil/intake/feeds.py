"""Warnings as an Atom feed and a JSON Feed (https://jsonfeed.org/version/1.1)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed
from django.utils.translation import gettext as _

from vigil.intake import guards
from vigil.intake.models import Advisory

FEED_SIZE = 50


def _published() -> Any:
    return Advisory.objects.published().select_related("category").defer("search_text")[:FEED_SIZE]


def _tags(advisory: Advisory) -> list[str]:
    tags = [advisory.category.code] if advisory.category else []
    return tags + [f"{i['type']}:{i['value']}" for i in advisory.indicators]


class WarningsAtomFeed(Feed):  # type: ignore[type-arg]
    """Atom: for feed readers and other provinces' systems."""

    feed_type = Atom1Feed

    def title(self) -> str:
        return _("%(site)s — scam warnings") % {"site": settings.VIGIL_SITE_NAME}

    def subtitle(self) -> str:
        return _("Warnings about scams and harmful websites, numbers and accounts.")

    def link(self) -> str:
        return reverse("intake:warnings")

    def items(self) -> Any:
        return _published()

    def item_title(self, item: Advisory) -> str:
        return item.title

    def item_description(self, item: Advisory) -> str:
        return item.body  # the feed generator escapes it

    def item_link(self, item: Advisory) -> str:
        return reverse("intake:warning", kwargs={"pk": item.pk})

    def item_pubdate(self, item: Advisory) -> Any:
        return item.published_at

    def item_updateddate(self, item: Advisory) -> Any:
        return item.updated_at

    def item_categories(self, item: Advisory) -> list[str]:
        return _tags(item)


_atom = WarningsAtomFeed()


@guards.limit_pages("intake-feeds", "PAGES_PER_IP_MINUTE")
def atom_feed(request: HttpRequest) -> HttpResponse:
    return _atom(request)


@guards.limit_pages("intake-feeds", "PAGES_PER_IP_MINUTE")
def json_feed(request: HttpRequest) -> HttpResponse:
    base = settings.VIGIL_PUBLIC_URL
    items = [
        {
            "id": f"{base}{reverse('intake:warning', kwargs={'pk': a.pk})}",
            "url": f"{base}{reverse('intake:warning', kwargs={'pk': a.pk})}",
            "title": a.title,
            "content_text": a.body,
            "date_published": a.published_at.isoformat() if a.published_at else None,
            "date_modified": a.updated_at.isoformat(),
            "tags": _tags(a),
            "_vigil": {"category": a.category.code if a.category else None, "indicators": a.indicators},
        }
        for a in _published()
    ]
    body = {
        "version": "https://jsonfeed.org/version/1.1",
        "title": _("%(site)s — scam warnings") % {"site": settings.VIGIL_SITE_NAME},
        "home_page_url": f"{base}{reverse('intake:warnings')}",
        "feed_url": f"{base}{reverse('intake:warnings_json')}",
        "items": items,
    }
    return JsonResponse(body, content_type="application/feed+json", json_dumps_params={"ensure_ascii": False})
