"""The desk's pages: public (no log-in) in ``public``, staff (triage, imports, warnings) in ``staff``."""
