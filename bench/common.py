"""What the bench scripts share: progress on stderr, figures on stdout, and a scratch folder.

A script imports it after putting the project root on ``sys.path`` (``python bench/x.py``
puts only ``bench/`` there).
"""

from __future__ import annotations

import contextlib
import math
import shutil
import signal
import sys
import tempfile
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from types import FrameType


def log(message: str) -> None:
    """Progress and diagnostics, on stderr (``bench/x.py 2>/dev/null`` gives the figures alone)."""
    print(message, file=sys.stderr, flush=True)


def figure(name: str, value: float, unit: str = "") -> None:
    """One ``name: value unit`` line on stdout, a float with three decimals."""
    text = str(value) if isinstance(value, int) else f"{value:.3f}"
    print(f"{name}: {text} {unit}".rstrip(), flush=True)


def print_figures(figures: Iterable[tuple[str, float, str]]) -> None:
    """``name: value unit`` lines on stdout, values as they are."""
    for name, value, unit in figures:
        print(f"{name}: {value} {unit}".rstrip())
    sys.stdout.flush()


def percentile(values: Sequence[float], q: float) -> float:
    """Linear-interpolated percentile (``q`` in 0..100); NaN for no values."""
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    rank = (len(ordered) - 1) * q / 100
    low, high = math.floor(rank), math.ceil(rank)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


@contextlib.contextmanager
def scratch_directory(prefix: str, *, keep: bool = False) -> Iterator[Path]:
    """A new temporary folder, removed afterwards unless ``keep`` (then its path is logged)."""
    directory = Path(tempfile.mkdtemp(prefix=prefix))
    try:
        yield directory
    finally:
        if keep:
            log(f"kept {directory}")
        else:
            shutil.rmtree(directory, ignore_errors=True)


def exit_on_sigterm() -> None:
    """Make SIGTERM unwind through the clean-ups (servers, workers, scratch folder), as Ctrl-C does."""
    signal.signal(signal.SIGTERM, _raise_system_exit)


def _raise_system_exit(signum: int, frame: FrameType | None) -> None:
    raise SystemExit(128 + signum)
