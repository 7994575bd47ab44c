"""Accent folding for Vietnamese text, for accent-insensitive search and matching.

People type Vietnamese with, without, or with half of its diacritics
("Lừa đảo", "Lua dao", "lừa dao"), so every comparison of names goes through
:func:`fold`.
"""

from __future__ import annotations

import functools
import unicodedata

__all__ = ["fold", "fold_aligned"]


@functools.lru_cache(maxsize=4096)
def _fold_char(char: str) -> str:
    lowered = char.lower()
    if len(lowered) != 1:
        # Characters like 'İ' lower to two code points; keep alignment instead.
        lowered = char
    if lowered == "đ":
        # đ is a letter of its own, not d plus a mark, so NFD leaves it alone.
        return "d"
    bare = "".join(c for c in unicodedata.normalize("NFD", lowered) if not unicodedata.combining(c))
    return bare if len(bare) == 1 else lowered


def fold(text: str) -> str:
    """Lower-case ``text`` and strip Vietnamese diacritics (đ becomes d).

    >>> fold("Lừa ĐẢO")
    'lua dao'
    >>> fold("Ngân hàng TMCP Ngoại Thương Việt Nam")
    'ngan hang tmcp ngoai thuong viet nam'
    """
    composed = unicodedata.normalize("NFC", text)
    return "".join(c for c in map(_fold_char, composed) if not unicodedata.combining(c))


def fold_aligned(text: str) -> str:
    """Fold ``text`` one character for one, so offsets stay valid.

    Give it NFC text: a combining mark that NFC could not attach is kept as is.

    >>> fold_aligned("Số TK: 0123")
    'so tk: 0123'
    >>> len(fold_aligned("Nguyễn")) == len("Nguyễn")
    True
    """
    return "".join(map(_fold_char, text))
