"""Webhook signatures (pure). A delivery carries

    X-Hotline-Event: certificate.issued | certificate.revoked
    X-Hotline-Delivery: <delivery id>   (the same on every retry: receivers de-duplicate on it)
    X-Hotline-Timestamp: <Unix seconds when this attempt was signed>
    X-Hotline-Signature: sha256=<hex HMAC-SHA256 with the webhook secret over "<timestamp>.<body>">

Signing the timestamp with the body lets a receiver refuse a replayed old delivery.
"""
import hashlib
import hmac

EVENTS = ("certificate.issued", "certificate.revoked")
TOLERANCE_SECONDS = 300


def signature(secret: str, timestamp: int, body: bytes) -> str:
    digest = hmac.new(secret.encode(), str(timestamp).encode() + b"." + body, hashlib.sha256).hexdigest()
    return "sha256=" + digest


def headers(secret: str, event: str, delivery_id: int, timestamp: int, body: bytes) -> dict[str, str]:
    return {
        "Content-Type": "application/json",
        "X-Hotline-Event": event,
        "X-Hotline-Delivery": str(delivery_id),
        "X-Hotline-Timestamp": str(timestamp),
        "X-Hotline-Signature": signature(secret, timestamp, body),
    }


def is_authentic(secret: str, timestamp: str, body: bytes, received: str, now: float,
                 tolerance: int = TOLERANCE_SECONDS) -> bool:
    """What a receiver checks: the signature matches and the timestamp is recent."""
    if not timestamp.isdigit() or abs(now - int(timestamp)) > tolerance:
        return False
    return hmac.compare_digest(signature(secret, int(timestamp), body), received)
