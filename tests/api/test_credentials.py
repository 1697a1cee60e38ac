import base64
import json
from datetime import datetime, timedelta

import pytest

from webapp.api import credentials

FACTS = credentials.CertificateFacts(
    code="abcDEF123456ghij", number="HA-2026-000007", holder_name="张伟", post_id="hotline-agent",
    post_title_zh="热线客服代表", post_title_en="Hotline agent", issued_at=datetime(2026, 1, 5, 2, 0),
    valid_until=datetime(2027, 1, 5, 15, 59, 59))
ISSUER = credentials.Issuer("https://academy.example.com", "Hotline Academy")
KEY = credentials.new_private_jwk()
JWKS = credentials.public_jwks(KEY)
INSIDE = datetime(2026, 6, 1)


def signed() -> str:
    return credentials.sign(credentials.build_credential(FACTS, ISSUER), KEY)


def test_the_credential_is_an_open_badges_3_verifiable_credential():
    credential = credentials.build_credential(FACTS, ISSUER)
    assert credential["@context"][0] == "https://www.w3.org/ns/credentials/v2"
    assert "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json" in credential["@context"]
    assert credential["type"] == ["VerifiableCredential", "OpenBadgeCredential"]
    assert credential["issuer"]["type"] == ["Profile"]
    assert credential["credentialSubject"]["achievement"]["id"].endswith("/posts/hotline-agent")
    assert (credential["validFrom"], credential["validUntil"]) == ("2026-01-05T02:00:00Z", "2027-01-05T15:59:59Z")
    assert credential["credentialStatus"]["id"] == "https://academy.example.com/api/v1/credentials/abcDEF123456ghij/status"


def test_a_signed_credential_verifies_offline_from_the_public_keys_alone():
    assert "d" not in JWKS["keys"][0]  # the private part is never published
    verified = credentials.verify(signed(), JWKS, INSIDE)
    assert verified.status == "valid"
    assert verified.credential["credentialSubject"]["identifier"][0]["identityHash"] == "张伟"
    assert credentials.verify(signed(), JWKS, datetime(2027, 2, 1)).status == "expired"


def _flip(text: str, index: int) -> str:
    character = "A" if text[index] != "A" else "B"
    return text[:index] + character + text[index + 1:]


def test_changing_any_byte_of_the_payload_breaks_the_signature():
    header, payload, signature = signed().split(".")
    for index in range(0, len(payload), max(1, len(payload) // 40)):
        with pytest.raises(credentials.InvalidCredential):
            credentials.verify(".".join((header, _flip(payload, index), signature)), JWKS, INSIDE)


def test_a_re_encoded_payload_with_a_changed_date_or_another_key_fails():
    header, payload, signature = signed().split(".")
    claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    claims["validUntil"] = "2099-01-01T00:00:00Z"
    forged = base64.urlsafe_b64encode(json.dumps(claims).encode()).decode().rstrip("=")
    with pytest.raises(credentials.InvalidCredential):
        credentials.verify(".".join((header, forged, signature)), JWKS, INSIDE)
    with pytest.raises(credentials.InvalidCredential):
        credentials.verify(signed(), credentials.public_jwks(credentials.new_private_jwk()), INSIDE)
    with pytest.raises(credentials.InvalidCredential):
        credentials.verify("not a credential", JWKS, INSIDE)
    assert credentials.verify(signed(), JWKS, INSIDE - timedelta(days=365)).status == "not_yet_valid"
