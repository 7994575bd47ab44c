"""The indicator core stays pure: no Django, no network, no I/O at import time."""

from __future__ import annotations

import subprocess
import sys
import textwrap

SCRIPT = textwrap.dedent(
    """
    import builtins, socket, sys

    sys.modules["django"] = None  # any "import django" now fails

    def no_network(*args, **kwargs):
        raise AssertionError("vigil.lib tried to use the network")

    class NoNetworkSocket(socket.socket):
        connect = connect_ex = sendto = no_network

    socket.socket = NoNetworkSocket
    socket.create_connection = no_network
    socket.getaddrinfo = no_network

    real_open = builtins.open
    opened = []

    def watching_open(file, *args, **kwargs):
        opened.append(str(file))
        return real_open(file, *args, **kwargs)

    builtins.open = watching_open
    import vigil.lib.extract, vigil.lib.indicators
    assert opened == [], opened

    from vigil.lib.indicators import normalise_any
    from vigil.lib.extract import extract_indicators
    assert normalise_any("foo.blogspot.com").attrs["registrable_domain"] == "foo.blogspot.com"
    assert normalise_any("Vietcombank 0123456789").value == "VCB:0123456789"
    assert extract_indicators("vao vcb-xacminh[.]com/otp")
    print("ok")
    """
)


def test_core_imports_without_django_and_never_goes_online() -> None:
    result = subprocess.run(
        [sys.executable, "-c", SCRIPT], capture_output=True, text=True, timeout=60, check=False
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "ok"
