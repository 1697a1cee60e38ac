"""Notification fixtures: a post, certificates and assignments as rows, and a real SMTP server."""
from datetime import date

import pytest

from tests.conftest import ROOT
from tests.smtpserver import SmtpServer
from webapp.content.registry import read_content_root
from webapp.certification import engine
from webapp.certification.kind import PostsKind
from webapp.certification.models import Certificate, Post, PostAssignment
from webapp.certification.services import local_today
from webapp.extensions import db


@pytest.fixture
def post(app) -> Post:
    """The hotline agent's post as imported (10000号客服代表 / 10000 hotline agent)."""
    kind = PostsKind()
    files = read_content_root(ROOT)
    parsed, problems = kind.parse(kind.discover(files), files)
    assert problems == []
    kind.import_items([definition for definition in parsed if definition.post_id == "hotline-agent"])
    db.session.commit()
    return db.session.get(Post, "hotline-agent")


@pytest.fixture
def today(app) -> date:
    return local_today()


@pytest.fixture
def make_certificate(post):
    def build(user, valid_until: date, cycle: int = 1) -> Certificate:
        certificate = Certificate(user_id=user.id, post_id=post.id, cycle=cycle, valid_until=valid_until,
                                  code=engine.new_verification_code())
        db.session.add(certificate)
        db.session.commit()
        return certificate

    return build


@pytest.fixture
def make_assignment(post):
    def build(user, due_date: date | None) -> PostAssignment:
        assignment = PostAssignment(user_id=user.id, post_id=post.id, due_date=due_date)
        db.session.add(assignment)
        db.session.commit()
        return assignment

    return build


@pytest.fixture(scope="session")
def smtp_server():
    server = SmtpServer()
    server.start()
    yield server
    server.close()


@pytest.fixture
def mailbox(smtp_server) -> SmtpServer:
    """The running SMTP server, emptied: what a test reads is what it sent."""
    if smtp_server.process is None:
        smtp_server.start()
    smtp_server.clear()
    return smtp_server
