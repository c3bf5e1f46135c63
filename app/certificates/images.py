"""Uploaded logo and signature images: checked with Pillow (PNG or JPEG, bounded size and
dimensions) and re-encoded as a fresh PNG, so what is stored and printed is never the uploaded file."""

from __future__ import annotations

import io

from flask_babel import lazy_gettext as _l

MAX_BYTES = 1024 * 1024  # 1 MB
MAX_PIXELS = 25_000_000  # before decoding: refuses decompression bombs
STORED_BOX = (1200, 600)  # stored no larger than this (printed at a few centimetres)
FORMATS = {"PNG", "JPEG"}


class ImageError(ValueError):
    """An upload that is not a usable image, in words the uploader can act on."""


def clean_png(data: bytes) -> bytes:
    """The image as a new PNG (scaled down to STORED_BOX), or ImageError."""
    from PIL import Image, UnidentifiedImageError

    if not data:
        raise ImageError(_l("The file is empty."))
    if len(data) > MAX_BYTES:
        raise ImageError(_l("The image is larger than 1 MB."))
    try:
        with Image.open(io.BytesIO(data)) as probe:
            if probe.format not in FORMATS:
                raise ImageError(_l("Upload a PNG or JPEG image."))
            width, height = probe.size
            if width * height > MAX_PIXELS or width < 1 or height < 1:
                raise ImageError(_l("The image has too many pixels."))
            probe.verify()
        with Image.open(io.BytesIO(data)) as image:
            image.load()
            image = image.convert("RGBA" if "A" in image.getbands() or image.mode == "P" else "RGB")
            image.thumbnail(STORED_BOX)
            out = io.BytesIO()
            image.save(out, format="PNG", optimize=True)
            return out.getvalue()
    except ImageError:
        raise
    except (UnidentifiedImageError, OSError, ValueError, Image.DecompressionBombError) as error:
        raise ImageError(_l("Upload a PNG or JPEG image.")) from error
