"""Capturing web pages as evidence, safely (pure Python, no Django).

* :mod:`~vigil.lib.fetch.addresses` — which addresses may be reached (the SSRF policy);
* :mod:`~vigil.lib.fetch.resolving` — resolve once, vet, pin; the connector's resolver;
* :mod:`~vigil.lib.fetch.http` — the fetch with redirects and limits (aiohttp);
* :mod:`~vigil.lib.fetch.tls`, :mod:`~vigil.lib.fetch.dnsrecords` — certificate and DNS facts;
* :mod:`~vigil.lib.fetch.page`, :mod:`~vigil.lib.fetch.cloaking` — what the page says, per user agent;
* :mod:`~vigil.lib.fetch.browser` — the isolated screenshot; :mod:`~vigil.lib.fetch.warc` — the WARC;
* :mod:`~vigil.lib.fetch.manifest` — the signed manifest; :mod:`~vigil.lib.fetch.pipeline` — one capture.
"""
