"""Image files kept in the database (lesson images, question images): what is accepted, by content.

Pure: bytes in, a suffix or a name out. The type is sniffed from the bytes, never taken from a
file name, so a renamed file cannot pass for an image.
"""
from __future__ import annotations

import hashlib
import re

#: Far above a screenshot or a diagram for a lesson, low enough to keep rows small.
MAX_IMAGE_BYTES = 2_000_000
#: Leading bytes of each accepted format: the type is what the file is, not what it is called.
SIGNATURES = {b"\x89PNG\r\n\x1a\n": ".png", b"\xff\xd8\xff": ".jpg", b"GIF87a": ".gif", b"GIF89a": ".gif"}


class ImageRefused(ValueError):
    """An upload that is not an accepted image; the message says why."""


def image_suffix(data: bytes) -> str:
    """The suffix the bytes really are (raises ImageRefused for anything else or too large)."""
    if len(data) > MAX_IMAGE_BYTES:
        raise ImageRefused("the image is larger than 2 MB")
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return ".webp"
    found = next((suffix for signature, suffix in SIGNATURES.items() if data.startswith(signature)), None)
    if found is None:
        raise ImageRefused("the file is not a PNG, JPEG, GIF or WebP image")
    return found


def content_name(data: bytes) -> str:
    """``images/<hash><suffix>``: an image named by its content, so its URL always means these bytes."""
    return f"images/{hashlib.sha256(data).hexdigest()[:16]}{image_suffix(data)}"


#: A name ``content_name`` gives: what question banks may show as ``![…](images/…)``.
CONTENT_NAME = re.compile(r"images/[0-9a-f]{16}\.(?:png|jpg|gif|webp)")
