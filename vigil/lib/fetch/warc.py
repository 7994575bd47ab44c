"""A WARC file (ISO 28500, gzip per record) of every HTTP exchange of a capture, with warcio.

Each exchange becomes a ``request`` and a ``response`` record linked by
``WARC-Concurrent-To``; the response carries the body as it came off the wire
(still compressed; de-chunked, with ``Transfer-Encoding`` renamed so readers do not
de-chunk it again), ``WARC-IP-Address`` and, when a limit cut it,
``WARC-Truncated``. A ``warcinfo`` record opens the file and a ``metadata`` record
closes it with the capture's facts as JSON.
"""

from __future__ import annotations

import io
import json
from collections.abc import Mapping, Sequence
from typing import Any
from urllib.parse import urlsplit

from warcio.statusandheaders import StatusAndHeaders  # type: ignore[import-untyped]
from warcio.warcwriter import WARCWriter  # type: ignore[import-untyped]

from vigil.lib.fetch.http import Exchange

__all__ = ["TaggedExchange", "write_warc"]

TaggedExchange = tuple[str, Exchange]  # (variant or purpose, exchange)


def _warc_date(iso: str) -> str:
    # WARC 1.1 allows fractional seconds; keep microseconds, always UTC ("Z").
    return iso if iso.endswith("Z") else iso + "Z"


def _request_head(exchange: Exchange) -> StatusAndHeaders:
    parts = urlsplit(exchange.url)
    target = parts.path or "/"
    if parts.query:
        target += "?" + parts.query
    headers = list(exchange.request_headers)
    if not any(key.lower() == "host" for key, _ in headers):
        headers.insert(0, ("Host", parts.netloc))
    return StatusAndHeaders(
        f"{exchange.method} {target} {exchange.http_version}", headers, is_http_request=True
    )


def _response_head(exchange: Exchange) -> StatusAndHeaders:
    headers = [
        ("X-Vigil-Original-Transfer-Encoding", value) if key.lower() == "transfer-encoding" else (key, value)
        for key, value in exchange.headers
    ]
    status = f"{exchange.status} {exchange.reason}".strip()
    return StatusAndHeaders(status, headers, protocol=exchange.http_version)


def write_warc(
    exchanges: Sequence[TaggedExchange],
    *,
    software: str,
    operator: str,
    info: Mapping[str, str],
    metadata: Mapping[str, Any] | None = None,
    filename: str = "capture.warc.gz",
) -> bytes:
    """The whole WARC file as bytes."""
    out = io.BytesIO()
    writer = WARCWriter(out, gzip=True, warc_version="1.1")
    fields = {"software": software, "operator": operator, "format": "WARC File Format 1.1", **info}
    writer.write_record(writer.create_warcinfo_record(filename, fields))
    for tag, exchange in exchanges:
        common = {"WARC-Date": _warc_date(exchange.started_at)}
        if tag:
            common["WARC-Vigil-Variant"] = tag
        request = writer.create_warc_record(
            exchange.url,
            "request",
            payload=io.BytesIO(b""),
            length=0,
            http_headers=_request_head(exchange),
            warc_headers_dict=dict(common),
        )
        response_fields = dict(common)
        if exchange.remote_address:
            response_fields["WARC-IP-Address"] = exchange.remote_address
        if not exchange.body_complete:
            response_fields["WARC-Truncated"] = "length"
        response = writer.create_warc_record(
            exchange.url,
            "response",
            payload=io.BytesIO(exchange.raw_body),
            length=len(exchange.raw_body),
            http_headers=_response_head(exchange),
            warc_headers_dict=response_fields,
        )
        request.rec_headers.add_header(
            "WARC-Concurrent-To", response.rec_headers.get_header("WARC-Record-ID")
        )
        writer.write_record(request)
        writer.write_record(response)
    if metadata is not None:
        body = json.dumps(metadata, ensure_ascii=False, sort_keys=True, default=str).encode()
        record = writer.create_warc_record(
            "urn:vigil:capture-facts",
            "metadata",
            payload=io.BytesIO(body),
            length=len(body),
            warc_content_type="application/json",
        )
        writer.write_record(record)
    return out.getvalue()
