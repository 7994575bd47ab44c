"""Near-duplicate message texts: MinHash signatures and LSH band keys (no Django).

Scam campaigns send one text with a different number, link or amount each time, so the
indicators, digits and accents are masked before shingling: two SMS that differ only in
the number they ask you to call get the same shingles.
"""

from __future__ import annotations

import hashlib
import re
from functools import cache
from typing import Any

from vigil.lib.extract import extract_indicators, refang
from vigil.lib.textnorm import fold

NUM_PERM = 128
THRESHOLD = 0.5
SHINGLE = 5
_DIGITS = re.compile(r"\d+")
_SPACES = re.compile(r"\s+")


def masked(text: str) -> str:
    """The text with indicators replaced by their kind, digits by ``#``, folded and squeezed.

    >>> masked("Goi ngay 0912345678 de nhan qua!") == masked("Gọi ngay 0987 654 321 để nhận quà!")
    True
    """
    clean = refang(text)
    parts, last = [], 0
    for found in extract_indicators(clean):
        if found.start < last:
            continue
        parts.append(clean[last : found.start])
        parts.append(f" <{found.indicator.type}> ")
        last = found.end
    parts.append(clean[last:])
    folded = fold("".join(parts))
    return _SPACES.sub(" ", _DIGITS.sub("#", folded)).strip()


def shingles(text: str) -> set[bytes]:
    """Character 5-grams of the masked text."""
    body = masked(text)
    if len(body) <= SHINGLE:
        return {body.encode("utf-8")} if body else set()
    return {body[i : i + SHINGLE].encode("utf-8") for i in range(len(body) - SHINGLE + 1)}


@cache
def _bands() -> tuple[int, int]:
    from datasketch import MinHashLSH

    lsh = MinHashLSH(threshold=THRESHOLD, num_perm=NUM_PERM)
    return int(lsh.b), int(lsh.r)


def signature(text: str) -> bytes:
    """The MinHash signature (``NUM_PERM`` unsigned 64-bit values) of a text's shingles."""
    import numpy as np
    from datasketch import MinHash

    minhash = MinHash(num_perm=NUM_PERM, seed=1)
    grams = sorted(shingles(text))
    if grams:
        minhash.update_batch(grams)
    return np.asarray(minhash.hashvalues, dtype=np.uint64).tobytes()


def band_keys(sig: bytes) -> list[int]:
    """One signed 64-bit key per LSH band: texts sharing any key are candidates."""
    bands, rows = _bands()
    width = 8 * rows
    keys = []
    for band in range(bands):
        digest = hashlib.blake2b(
            sig[band * width : (band + 1) * width], digest_size=8, person=band.to_bytes(2, "big")
        ).digest()
        keys.append(int.from_bytes(digest, "big", signed=True))
    return keys


def similarity(a: bytes, b: bytes) -> float:
    """Estimated Jaccard similarity of two signatures."""
    import numpy as np

    left: Any = np.frombuffer(a, dtype=np.uint64)
    right: Any = np.frombuffer(b, dtype=np.uint64)
    if left.shape != right.shape:
        return 0.0
    return float(np.count_nonzero(left == right)) / float(left.size)
