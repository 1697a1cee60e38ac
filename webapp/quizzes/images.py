"""Question images in the database: stored by content when a file is imported or a bank published,
served to every role from any app node."""
from __future__ import annotations

from collections.abc import Iterable, Mapping

from sqlalchemy.exc import IntegrityError

from webapp.courses.markdown import IMAGE_TYPES
from webapp.extensions import db

from .bank import Bank
from .imports import images_of
from .models import QuestionImage


def store_question_images(images: Mapping[str, bytes]) -> None:
    """Add the images not stored yet (no commit). A name holds its bytes' hash, so a stored image
    is never replaced."""
    if not images:
        return
    stored = set(db.session.scalars(db.select(QuestionImage.name).where(QuestionImage.name.in_(list(images)))))
    for name, data in images.items():
        if name in stored:
            continue
        try:
            with db.session.begin_nested():
                db.session.add(QuestionImage(name=name, data=data, mimetype=IMAGE_TYPES[name[name.rfind("."):]]))
        except IntegrityError:
            pass  # another request (another node) stored the same name meanwhile: the same bytes


def find_question_image(name: str) -> QuestionImage | None:
    return db.session.scalar(db.select(QuestionImage).where(QuestionImage.name == name))


def question_images(names: Iterable[str]) -> dict[str, bytes]:
    """name -> bytes of the stored images among ``names``."""
    names = list(names)
    if not names:
        return {}
    found = db.session.execute(db.select(QuestionImage.name, QuestionImage.data).where(QuestionImage.name.in_(names)))
    return dict(found.all())


def bank_images(bank: Bank) -> dict[str, bytes]:
    """The stored images the bank's questions show (what its Moodle XML export embeds)."""
    return question_images(name for question in bank.questions for name in images_of(question))
