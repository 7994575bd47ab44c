"""The pure capture core: limits, redirect chain, TLS facts, WARC, manifest, cloaking, purity."""

from __future__ import annotations

import gzip
import io
import json
import subprocess
import sys
import textwrap

import pytest
from warcio.archiveiterator import ArchiveIterator

from tests.collection.helpers import run_async
from vigil.lib.fetch import manifest
from vigil.lib.fetch.http import FetchPolicy, _Decoder
from vigil.lib.fetch.pipeline import CaptureConfig, CaptureFailed, capture

MB = 1024 * 1024


def _config(**policy: object) -> CaptureConfig:
    fetch_policy = FetchPolicy(
        **{"user_agent": "Mozilla/5.0 Chrome/126", "timeout": 10, "max_bytes": 2 * MB, **policy}
    )  # type: ignore[arg-type]
    return CaptureConfig(
        policy=fetch_policy,
        crawler_user_agent="Mozilla/5.0 (compatible; Googlebot/2.1)",
        mobile_user_agent="Mozilla/5.0 (Linux; Android 14) Mobile",
        allow_loopback=True,
    )


def run(url: str, **policy: object):
    events = []
    outcome = run_async(capture(url, _config(**policy), events.append))
    return outcome, events


def test_gzip_bomb_stops_at_the_decompressed_limit(web):
    outcome, _ = run(web.url("/gzip-bomb"))
    assert len(outcome.content) == 2 * MB
    (limit,) = outcome.limits
    assert limit.kind == "size" and "compression bomb" in limit.message
    final = outcome.exchanges[0][1]
    assert final.header("content-encoding") == "gzip"
    assert len(final.raw_body) < 200_000, "the raw body read stays small: reading stopped at the limit"


def test_a_50_mb_body_is_cut_at_the_limit_with_a_reason(web):
    outcome, _ = run(web.url("/big"))
    assert len(outcome.content) == 2 * MB
    assert [limit.kind for limit in outcome.limits] == ["size"]
    assert "larger than 2,097,152 bytes" in outcome.limits[0].message
    assert outcome.facts["redirect_chain"][0]["body_complete"] is False


def test_a_content_type_not_captured_keeps_only_the_headers(web):
    outcome, _ = run(web.url("/app/nhacai.apk"))
    assert outcome.content == b""
    assert outcome.limits[0].kind == "content_type"
    assert "application/vnd.android.package-archive is not captured" in outcome.limits[0].message


def test_redirect_chain_is_recorded_with_every_status_and_header(web):
    outcome, _ = run(web.url("/redirect/start"))
    chain = outcome.facts["redirect_chain"]
    assert [hop["status"] for hop in chain] == [302, 301, 307, 200]
    assert [hop["url"].split(str(web.port))[1] for hop in chain] == [
        "/redirect/start",
        "/redirect/2",
        "/redirect/3",
        "/harmless",
    ]
    assert ["Location", "/redirect/2"] in chain[0]["headers"]
    assert ["User-Agent", "Mozilla/5.0 Chrome/126"] in chain[0]["request_headers"]
    assert all(hop["remote_address"] == "127.0.0.1" for hop in chain)
    assert outcome.final_url == web.url("/harmless")


def test_too_many_redirects_is_a_recorded_limit(web):
    outcome, _ = run(web.url("/redirect/loop"), max_redirects=3)
    assert len(outcome.facts["redirect_chain"]) == 4
    assert outcome.limits[-1].kind == "redirects"
    assert "more than 3 redirects" in outcome.limits[-1].message


def test_a_server_that_does_not_answer_in_time_fails_with_timeout(web):
    with pytest.raises(CaptureFailed) as caught:
        run(web.url("/slow?s=3"), timeout=1)
    assert (caught.value.step, caught.value.code) == ("fetch", "timeout")


def test_a_closed_port_fails_at_fetch_with_connect_error():
    with pytest.raises(CaptureFailed) as caught:
        run("http://127.0.0.1:9/")
    assert (caught.value.step, caught.value.code) == ("fetch", "connect_error")


def test_tls_with_a_self_signed_certificate_is_captured_and_its_facts_recorded(tls_web, tls_cert):
    outcome, events = run(tls_web.url("/bank/login"))
    assert outcome.status == 200 and b"Vietcombank" in outcome.content
    tls = outcome.tls
    assert tls is not None and not tls.trusted
    assert "self-signed" in tls.problem
    (leaf,) = tls.chain
    assert leaf.sha256_fingerprint == tls_cert.sha256
    assert "CN=bank.example.test" in leaf.subject and leaf.subject == leaf.issuer
    assert leaf.sans == ("DNS:bank.example.test", "IP:127.0.0.1")
    assert leaf.not_before < leaf.not_after
    assert tls.protocol.startswith("TLSv1")
    steps = {e.step: e.state for e in events if e.kind == "step" and e.state != "running"}
    assert steps["tls"] == "warning"


def test_plain_http_records_no_tls(web):
    outcome, events = run(web.url("/harmless"))
    assert outcome.tls is None
    assert any(e.step == "tls" and e.state == "skipped" for e in events)


def test_cloaking_page_is_flagged_and_the_crawler_variant_differs(web):
    outcome, _ = run(web.url("/cloak"))
    assert outcome.cloaking_suspected
    by_name = {v.name: v for v in outcome.variants}
    assert by_name["crawler"].differs and "visible text differs" in "; ".join(by_name["crawler"].reasons)
    assert not by_name["mobile"].differs
    assert "Giải bóng đá" in by_name["crawler"].title


def test_the_warc_holds_a_request_and_response_per_exchange(web):
    outcome, _ = run(web.url("/redirect/start"))
    records = []
    for record in ArchiveIterator(io.BytesIO(outcome.warc)):
        records.append(
            (
                record.rec_type,
                record.rec_headers.get_header("WARC-Target-URI"),
                record.rec_headers.get_header("WARC-IP-Address"),
                record.content_stream().read() if record.rec_type == "response" else b"",
            )
        )
    kinds = [kind for kind, *_ in records]
    assert kinds[0] == "warcinfo" and kinds[-1] == "metadata"
    # 4 hops by the default user agent, and 4 by each of the two variants.
    assert kinds.count("request") == kinds.count("response") == 12
    responses = [r for r in records if r[0] == "response"]
    assert responses[0][1] == web.url("/redirect/start") and responses[0][2] == "127.0.0.1"
    assert "bánh xèo" in responses[3][3].decode().lower()


def test_the_warc_keeps_the_compressed_body_as_it_came(web):
    outcome, _ = run(web.url("/gzip-bomb"), max_bytes=64 * 1024)
    response = next(
        r
        for r in ArchiveIterator(io.BytesIO(outcome.warc), no_record_parse=False)
        if r.rec_type == "response"
    )
    assert response.rec_headers.get_header("WARC-Truncated") == "length"
    assert response.http_headers.get_header("Content-Encoding") == "gzip"


def test_decoder_handles_concatenated_members_and_raw_deflate():
    decoder = _Decoder("gzip", 10_000)
    assert decoder.feed(gzip.compress(b"a" * 10) + gzip.compress(b"b" * 10))
    assert bytes(decoder.out) == b"a" * 10 + b"b" * 10
    import zlib

    raw = zlib.compressobj(wbits=-zlib.MAX_WBITS)
    data = raw.compress(b"xin chao") + raw.flush()
    deflate = _Decoder("deflate", 100)
    assert deflate.feed(data) and bytes(deflate.out) == b"xin chao"
    broken = _Decoder("gzip", 100)
    assert not broken.feed(b"\x1f\x8b not gzip at all")
    assert "corrupt gzip" in broken.error


def test_manifest_signature_verifies_and_detects_any_change(tmp_path):
    key_path = tmp_path / "key.pem"
    key = manifest.load_or_create_key(key_path)
    assert oct(key_path.stat().st_mode & 0o777) == "0o600"
    assert manifest.key_id(manifest.load_or_create_key(key_path)) == manifest.key_id(key), "created once"
    body = {
        "format": manifest.FORMAT,
        "artefacts": [{"name": "page.html", "sha256": "ab" * 32}],
        "url": "http://vcb-xacthuc.example/",
    }
    signed = manifest.sign(body, key)
    ok = manifest.verify(signed, trusted_public_key=manifest.public_key_b64(key))
    assert ok.ok and ok.manifest == body
    tampered = json.loads(signed)
    tampered["manifest"]["artefacts"][0]["sha256"] = "cd" * 32
    bad = manifest.verify(json.dumps(tampered).encode())
    assert not bad.ok and bad.problems == ("the signature does not match the manifest",)
    other = manifest.generate_key()
    wrong_key = manifest.verify(signed, trusted_public_key=manifest.public_key_b64(other))
    assert not wrong_key.ok and "different key" in wrong_key.problems[0]
    assert not manifest.verify(b"not json").ok


def test_capture_core_imports_without_django_and_without_network():
    script = textwrap.dedent(
        """
        import socket, sys
        sys.modules["django"] = None
        def no_network(*args, **kwargs):
            raise AssertionError("network at import time")
        socket.create_connection = no_network
        socket.getaddrinfo = no_network
        import vigil.lib.fetch.pipeline, vigil.lib.fetch.liveness
        import vigil.lib.fetch.runner, vigil.lib.fetch.manifest
        print("ok")
        """
    )
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=60, check=False
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "ok"
