"""Lesson images in the database: checking an upload, storing it by content, serving it."""

from __future__ import annotations

import hashlib

from flask import Request, Response, make_response

from webapp.extensions import db

from .markdown import IMAGE_TYPES
from .models import LessonImage

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


ASSET_MAX_AGE_SECONDS = 3600
IMMUTABLE_MAX_AGE_SECONDS = 365 * 24 * 3600


def image_response(data: bytes, mimetype: str, content_hash: str, immutable: bool, request: Request) -> Response:
    """An image from the database, cached by the browser (for good when its name holds its hash)."""
    response = make_response(data)
    response.mimetype = mimetype
    response.set_etag(content_hash)
    response.cache_control.max_age = IMMUTABLE_MAX_AGE_SECONDS if immutable else ASSET_MAX_AGE_SECONDS
    response.cache_control.immutable = immutable
    response.cache_control.private = True
    return response.make_conditional(request)
