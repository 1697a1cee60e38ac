"""Certificate webhooks against a real HTTP receiver on 127.0.0.1 that checks every signature."""
import json
import threading
import time
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from webapp import jobs
from webapp.access import Role
from webapp.api import signing
from webapp.api.models import Webhook, WebhookDelivery
from webapp.certification import services as certification
from webapp.clock import utcnow
from webapp.extensions import db

from tests.api.conftest import bearer

SECRET = "receiver-shared-secret-42"


class Receiver:
    """A tiny webhook receiver: answers 500 to the first ``failures`` requests, then 204."""

    def __init__(self):
        self.received: list[dict] = []
        self.failures = 0
        receiver = self

        class Handle(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                receiver.received.append({
                    "event": self.headers["X-Hotline-Event"], "delivery": self.headers["X-Hotline-Delivery"],
                    "authentic": signing.is_authentic(SECRET, self.headers["X-Hotline-Timestamp"], body,
                                                      self.headers["X-Hotline-Signature"], time.time()),
                    "body": json.loads(body)})
                failing = receiver.failures > 0
                receiver.failures -= failing
                self.send_response(500 if failing else 204)
                self.end_headers()

            def log_message(self, *args):  # keep the test output quiet
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handle)
        self.url = f"http://127.0.0.1:{self.server.server_port}/hooks/hotline"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=5)


@pytest.fixture
def receiver():
    with Receiver() as running:
        yield running


@pytest.fixture
def subscribed(client, auth, admin, receiver):
    """The receiver registered through the admin page, for both events."""
    auth.login(admin)
    response = client.post("/admin/api/webhooks", data={"url": receiver.url, "secret": SECRET,
                                                         "events": list(signing.EVENTS)})
    assert response.status_code == 302
    return db.session.scalar(db.select(Webhook))


def test_an_issued_certificate_is_posted_signed_to_the_receiver(app, make_user, posts, records, subscribed, receiver):
    hr, trainee = make_user(role=Role.HR), make_user()
    certification.assign_post(trainee, posts["hotline-agent"], None, hr)
    db.session.commit()
    records.complete(trainee, posts["hotline-agent"])
    [certificate] = certification.issue_due_certificates(trainee.id)
    assert receiver.received == []  # queued with the issue, sent by the worker
    assert jobs.run_pending() >= 1
    [got] = receiver.received
    assert got["authentic"] and got["event"] == "certificate.issued"
    assert got["body"]["certificate"]["id"] == certificate.id and got["body"]["certificate"]["status"] == "valid"
    delivery = db.session.scalar(db.select(WebhookDelivery))
    assert (delivery.state, delivery.attempts, delivery.last_status) == ("delivered", 1, 204)


def test_a_failed_delivery_is_retried_later_and_logged_for_the_admin(client, make_user, make_certificate, make_token,
                                                                     subscribed, receiver):
    receiver.failures = 1
    hr = make_user(role=Role.HR)
    certificate = make_certificate(make_user())
    certification.revoke_certificate(certificate, hr, "资料造假")
    db.session.commit()

    jobs.run_pending()
    delivery = db.session.scalar(db.select(WebhookDelivery))
    assert (delivery.state, delivery.attempts, delivery.last_status) == ("pending", 1, 500)
    jobs.run_pending()
    assert len(receiver.received) == 1  # not again before its back-off
    jobs.run_pending(now=utcnow() + timedelta(minutes=1))
    db.session.refresh(delivery)
    assert (delivery.state, delivery.attempts, delivery.last_status) == ("delivered", 2, 204)
    assert [(r["event"], r["delivery"], r["authentic"]) for r in receiver.received] == \
        [("certificate.revoked", str(delivery.id), True)] * 2
    assert receiver.received[1]["body"]["certificate"]["revocation_reason"] == "资料造假"

    html = client.get(f"/admin/api/webhooks/{subscribed.id}").get_data(as_text=True)
    assert f'data-delivery="{delivery.id}" data-state="delivered"' in html and "HTTP 204" in html
    secret = make_token(["webhooks"])  # the same log for the HR system
    [listed] = client.get("/api/v1/webhooks", headers=bearer(secret)).json["data"]
    assert "secret" not in listed and listed["recent_deliveries"][0]["state"] == "delivered"
    assert listed["recent_deliveries"][0]["attempts"] == 2


def test_deactivated_or_unsubscribed_webhooks_get_nothing(client, make_user, make_certificate, subscribed, receiver):
    client.post(f"/admin/api/webhooks/{subscribed.id}/deactivate")
    certification.revoke_certificate(make_certificate(make_user()), make_user(role=Role.HR), "离职")
    db.session.commit()
    jobs.run_pending()
    assert receiver.received == [] and db.session.scalar(db.select(db.func.count(WebhookDelivery.id))) == 0


def test_the_webhook_form_refuses_a_non_web_address_and_a_short_secret(client, auth, admin):
    auth.login(admin)
    html = client.post("/admin/api/webhooks", data={"url": "file:///etc/passwd", "secret": "short",
                                                    "events": ["certificate.issued"]}).get_data(as_text=True)
    assert 'data-field="url"' in html and 'data-field="secret"' in html
    assert db.session.scalar(db.select(db.func.count(Webhook.id))) == 0
