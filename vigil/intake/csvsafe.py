"""CSV that spreadsheets cannot execute: cells starting like a formula are neutralised."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from typing import Any

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\n", "＝", "＋", "－", "＠")


def cell(value: Any) -> str:
    """The value as text; one that a spreadsheet would read as a formula gets a leading apostrophe.

    >>> cell("=HYPERLINK(\\"http://evil\\")"), cell("+84912345678"), cell(12), cell(None)
    ('\\'=HYPERLINK("http://evil")', "'+84912345678", '12', '')
    """
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(_FORMULA_START) else text


def render(header: Sequence[str], rows: Iterable[Sequence[Any]]) -> str:
    """A whole CSV document (UTF-8 with BOM for spreadsheet programs is added by the caller)."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([cell(h) for h in header])
    for row in rows:
        writer.writerow([cell(v) for v in row])
    return out.getvalue()
