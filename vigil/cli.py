"""The ``vigil`` command: Vigil's own commands plus every Django management command.

vigil serve          web server and background worker together (Ctrl-C stops both)
vigil worker         background worker and periodic scheduler only
vigil migrate        create or upgrade the database
vigil demo           a demo province with one user per role
vigil createadmin    the first administrator
vigil audit verify   recompute the audit trail's hash chain
vigil check          verdicts for URLs, domains, IPs read from standard input
vigil export FORMAT  a blocklist export (rpz, nftables, cidr, uribl, rspamd, hosts, adblock)
vigil import-list    a list or feed as draft decisions; vigil approve-import approves them
vigil publish        rebuild the blocklist and publish to every DNS target now
vigil systemcheck    Django's own system checks (`check` is taken by the blocklist)
vigil verify-capture a capture manifest's signature and its artefacts' hashes
vigil capture-key    the public key that signs capture manifests
"""

from __future__ import annotations

import os
import sys
from pathlib import Path


def main(argv: list[str] | None = None) -> None:
    """Entry point of the ``vigil`` console script."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "vigil.settings")
    from django.conf import settings
    from django.core.management import execute_from_command_line

    # The embedded SQLite database and the evidence store live here by default.
    Path(settings.DATA_DIR).mkdir(parents=True, exist_ok=True)

    args = list(sys.argv if argv is None else ["vigil", *argv])
    if len(args) > 1 and "-" in args[1] and not args[1].startswith("-"):
        # Commands read naturally with hyphens (vigil import-list); Python modules cannot.
        args[1] = args[1].replace("-", "_")
    if len(args) == 1:
        print(__doc__)
    execute_from_command_line(args)


if __name__ == "__main__":
    main()
