"""Certificate events to webhooks: a delivery row per subscribed URL, queued in the event's own
transaction and POSTed by a background job that signs every attempt and is retried with back-off
by the job queue (webapp.jobs) until the receiver answers 2xx."""
from __future__ import annotations

import json
import time
import urllib.error
import urllib.request

from webapp import jobs
from webapp.api import signing
from webapp.api.models import Webhook, WebhookDelivery
from webapp.api.resources import certificate_json, certificate_status, renewal_windows
from webapp.certification.models import Certificate
from webapp.certification.services import local_today, verify_url_prefix
from webapp.clock import utcnow
from webapp.extensions import db

JOB = "api.webhook_delivery"
TRIES = 12  # with the queue's back-off (5 s doubling, capped at an hour): about eight hours
TIMEOUT_SECONDS = 10


class DeliveryFailed(Exception):
    """The receiver did not answer 2xx: the job queue tries again later."""


def _queue(event: str, certificate: Certificate) -> None:
    hooks = [hook for hook in db.session.scalars(db.select(Webhook).where(Webhook.active)) if event in hook.events]
    if not hooks:
        return
    today = local_today()
    status = certificate_status(certificate, today, renewal_windows().get(certificate.post_id, 0))
    body = json.dumps({"event": event, "occurred_at": utcnow().replace(microsecond=0).isoformat() + "Z",
                       "certificate": certificate_json(certificate, status, verify_url_prefix())},
                      ensure_ascii=False, separators=(",", ":"))
    for hook in hooks:
        delivery = WebhookDelivery(webhook_id=hook.id, event=event, body=body)
        db.session.add(delivery)
        db.session.flush()
        jobs.enqueue(JOB, {"delivery_id": delivery.id}, key=f"webhook-delivery:{delivery.id}")


def on_certificate_issued(sender, certificate: Certificate, **_extra) -> None:
    _queue("certificate.issued", certificate)


def on_certificate_revoked(sender, certificate: Certificate, **_extra) -> None:
    _queue("certificate.revoked", certificate)


def _post(url: str, body: bytes, headers: dict[str, str]) -> tuple[int | None, str]:
    """The receiver's HTTP status (None when unreachable) and what went wrong, if anything."""
    request = urllib.request.Request(url, data=body, headers=headers, method="POST")
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT_SECONDS) as response:
            return response.status, ""
    except urllib.error.HTTPError as error:
        return error.code, error.reason if isinstance(error.reason, str) else ""
    except (urllib.error.URLError, OSError) as error:
        return None, str(getattr(error, "reason", error))


@jobs.handler(JOB, tries=TRIES)
def deliver(payload: dict) -> None:
    delivery = db.session.get(WebhookDelivery, payload["delivery_id"])
    if delivery is None or delivery.state == WebhookDelivery.DELIVERED or not delivery.webhook.active:
        return
    hook, body = delivery.webhook, delivery.body.encode()
    status, error = _post(hook.url, body, signing.headers(hook.secret, delivery.event, delivery.id,
                                                          int(time.time()), body))
    now = utcnow()
    delivery.attempts += 1
    delivery.last_attempt_at, delivery.last_status, delivery.last_error = now, status, error[:500]
    delivered = status is not None and 200 <= status < 300
    if delivered:
        delivery.state, delivery.delivered_at = WebhookDelivery.DELIVERED, now
    db.session.commit()  # the attempt is logged even when the job fails and is retried
    if not delivered:
        raise DeliveryFailed(f"{hook.url}: {status or error}")
