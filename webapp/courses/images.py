"""Lesson images in the database: checking an upload, storing it by content, serving it."""

from __future__ import annotations

import hashlib

from webapp.extensions import db

from .markdown import IMAGE_TYPES
from .models import LessonImage

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
    """The path an uploaded image gets inside its module folder: named by its content."""
    return f"images/{hashlib.sha256(data).hexdigest()[:16]}{image_suffix(data)}"


def is_content_named(image: LessonImage) -> bool:
    return image.name.startswith(f"images/{image.content_hash[:16]}.")


def store_image(module_id: str, name: str, data: bytes) -> LessonImage:
    """Add or update the module's image ``name`` (no commit)."""
    digest = hashlib.sha256(data).hexdigest()
    image = find_image(module_id, name)
    if image is None:
        image = LessonImage(module_id=module_id, name=name)
        db.session.add(image)
    if image.content_hash != digest:
        image.data, image.content_hash = data, digest
        image.mimetype = IMAGE_TYPES[name[name.rfind("."):].lower()]
    return image


def find_image(module_id: str, name: str) -> LessonImage | None:
    return db.session.scalar(db.select(LessonImage).where(LessonImage.module_id == module_id, LessonImage.name == name))
