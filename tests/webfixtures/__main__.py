"""Run the fixture server by hand: ``python -m tests.webfixtures [--port 8081] [--tls DIR]``."""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from tests.webfixtures.server import SelfSignedCert, WebFixtures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--port", type=int, default=8081)
    parser.add_argument(
        "--tls", type=Path, help="make a self-signed certificate in this directory and serve HTTPS"
    )
    args = parser.parse_args()
    tls = SelfSignedCert.make(args.tls) if args.tls else None
    with WebFixtures(port=args.port, tls=tls) as web:
        print(f"serving the capture fixtures on {web.url('/')} (Ctrl-C stops)")
        try:
            while True:
                time.sleep(3600)
        except KeyboardInterrupt:
            pass


if __name__ == "__main__":
    main()
