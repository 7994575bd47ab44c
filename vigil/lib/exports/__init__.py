"""Exports of the blocklist for enforcement points: RPZ, IP lists, URIBL, hosts, Adblock."""
