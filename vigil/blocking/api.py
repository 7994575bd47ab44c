"""API endpoints: check values against the blocklist; download exports with ETag."""

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import Router

from vigil.blocking import services
from vigil.blocking.checking import check_value
from vigil.blocking.schemas import CheckBatchIn, CheckBatchOut, CheckOut
from vigil.errors import InvalidInput, NotFound
from vigil.lib.exports.registry import exporters

router = Router(tags=["blocking"])


@router.get("/check", response=CheckOut)
def check(
    request: HttpRequest, url: str | None = None, domain: str | None = None, ip: str | None = None
) -> dict[str, Any]:
    given = [value for value in (url, domain, ip) if value]
    if len(given) != 1:
        raise InvalidInput(_("Give exactly one of url, domain or ip."))
    return check_value(given[0])


@router.post("/check", response=CheckBatchOut)
def check_batch(request: HttpRequest, body: CheckBatchIn) -> dict[str, Any]:
    snapshot = services.current_snapshot()
    return {"snapshot": snapshot.version, "results": [check_value(value, snapshot) for value in body.values]}


@router.get("/exports/{fmt}")
def export(request: HttpRequest, fmt: str) -> HttpResponse:
    try:
        exporter = exporters.get(fmt)
    except KeyError as exc:
        raise NotFound(_("Unknown export format %(f)s.") % {"f": fmt}) from exc
    path, etag = services.export_file(fmt)
    if etag in [tag.strip() for tag in request.headers.get("If-None-Match", "").split(",")]:
        response = HttpResponse(status=304)
    else:
        response = HttpResponse(path.read_bytes(), content_type=f"{exporter.media_type}; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="vigil-blocklist.{exporter.extension}"'
    response["ETag"] = etag
    response["Cache-Control"] = "private, must-revalidate"
    return response
