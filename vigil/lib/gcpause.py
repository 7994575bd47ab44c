"""Pausing Python's cyclic garbage collector around bulk builds of acyclic data."""

from __future__ import annotations

import contextlib
import gc
from collections.abc import Iterator

__all__ = ["gc_paused"]


@contextlib.contextmanager
def gc_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector for the block, restoring its previous state.

    Compiling or loading a snapshot and writing a million-rule export make millions of
    objects and no cycles; every automatic collection on the way walks all the young
    containers made so far, which costs a third of a 1.2 M-rule snapshot load and a
    quarter of an RPZ write.

    >>> with gc_paused():
    ...     gc.isenabled()
    False
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()
