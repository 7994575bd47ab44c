"""Screenshots from the public: images only, re-encoded so no metadata (EXIF, GPS) survives.

They wait in the desk's own content-addressed store (not the evidence store) and become
evidence only when their report is taken into a case.
"""

from __future__ import annotations

import io
import warnings
from functools import cache
from pathlib import Path

from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

from vigil.errors import InvalidInput, TooLarge
from vigil.intake import conf
from vigil.intake.services.drafts import StoredImage
from vigil.lib.evidence_store import EvidenceStore

ACCEPTED_FORMATS = frozenset({"JPEG", "PNG", "WEBP", "GIF", "BMP"})
MAX_PIXELS = 40_000_000  # a 8000×5000 image; more is a decompression bomb, not a screenshot


@cache
def _store_for(root: str) -> EvidenceStore:
    return EvidenceStore(Path(root))


def store() -> EvidenceStore:
    """The desk's store under ``VIGIL_INTAKE_ROOT`` (screenshots and import files)."""
    return _store_for(str(conf.store_root()))


def _open(data: bytes) -> Image.Image:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data))
            if image.format not in ACCEPTED_FORMATS:
                raise InvalidInput(
                    _("Only images (JPEG, PNG, WebP, GIF) can be attached."), details={"field": "screenshots"}
                )
            if image.width * image.height > MAX_PIXELS:
                raise InvalidInput(_("This image is too large in pixels."), details={"field": "screenshots"})
            image.load()
    except (
        UnidentifiedImageError,
        OSError,
        SyntaxError,
        ValueError,
        Image.DecompressionBombError,
        Image.DecompressionBombWarning,
    ) as exc:
        raise InvalidInput(
            _("This file is not an image we can read."), details={"field": "screenshots"}
        ) from exc
    return image


def reencode(data: bytes) -> tuple[bytes, str, int, int]:
    """The image drawn again from its pixels: (bytes, media type, width, height), no metadata at all."""
    image = _open(data)
    source_format = image.format
    image = ImageOps.exif_transpose(image) or image  # keep what the camera meant, then drop EXIF
    side = conf.get("SCREENSHOT_MAX_SIDE")
    if max(image.size) > side:
        image.thumbnail((side, side))
    out = io.BytesIO()
    if source_format in {"PNG", "GIF", "BMP"}:
        # Screenshots of text stay sharp as PNG; only the pixels are written, no text chunks.
        image = image.convert("RGBA" if "A" in image.getbands() or "transparency" in image.info else "RGB")
        image.save(out, format="PNG")
        media_type = "image/png"
    else:
        image = image.convert("RGB")
        image.save(out, format="JPEG", quality=85)
        media_type = "image/jpeg"
    return out.getvalue(), media_type, image.width, image.height


def store_screenshot(data: bytes, name: str) -> StoredImage:
    """Check, re-encode and store one uploaded image."""
    limit = conf.get("SCREENSHOT_MAX_BYTES")
    if len(data) > limit:
        raise TooLarge(
            _("Each image may be at most %(mb).0f MB.") % {"mb": limit / 1024 / 1024},
            details={"field": "screenshots"},
        )
    if not data:
        raise InvalidInput(_("The file is empty."), details={"field": "screenshots"})
    encoded, media_type, width, height = reencode(data)
    blob = store().put([encoded], max_bytes=max(limit, len(encoded)))
    return StoredImage(blob.sha256, blob.size, media_type, width, height, Path(name or "").name[:255])
