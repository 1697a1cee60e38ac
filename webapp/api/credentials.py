"""Open Badges 3.0 credentials for certificates, and their offline verifier (pure: no Flask, no db).

A credential is a W3C Verifiable Credential 2.0 (type OpenBadgeCredential) secured with JOSE as
VC-JOSE-COSE describes it: the credential JSON is the JWS payload, compact serialization, header
``typ: vc+jwt``, signed with Ed25519 (the fully specified JOSE name for EdDSA over Ed25519, RFC
9864). We chose JOSE over a Data Integrity proof because it needs no JSON-LD canonicalization
(which fetches remote contexts and is easy to get subtly wrong), any JOSE library can check it,
and joserfc, a maintained library, does the signing and checking. A verifier needs only the
published JWKS: any changed byte of header, payload or signature makes the check fail.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime

from joserfc import jws
from joserfc.errors import JoseError
from joserfc.jwk import KeySet, OKPKey

ALGORITHM = "Ed25519"
MEDIA_TYPE = "application/vc+jwt"
CONTEXTS = ("https://www.w3.org/ns/credentials/v2", "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json")
TYPES = ("VerifiableCredential", "OpenBadgeCredential")
STATUS_TYPE = "HotlineCertificateStatus"  # an issuer-dependent term (VC 2.0's @vocab covers it)


class InvalidCredential(Exception):
    """The credential is not one this key signed, or not a credential at all."""


@dataclass(frozen=True)
class CertificateFacts:
    code: str
    number: str
    holder_name: str
    post_id: str
    post_title_zh: str
    post_title_en: str
    issued_at: datetime  # naive UTC
    valid_until: datetime  # naive UTC, the last moment of the last valid day


@dataclass(frozen=True)
class Issuer:
    base_url: str  # https://academy.example.com (no trailing slash)
    name: str

    def verify_url(self, code: str) -> str:
        return f"{self.base_url}/verify/{code}"

    def status_url(self, code: str) -> str:
        return f"{self.base_url}/api/v1/credentials/{code}/status"


def _timestamp(moment: datetime) -> str:
    return moment.replace(microsecond=0).isoformat() + "Z"


def _parse_timestamp(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00")).astimezone(UTC).replace(tzinfo=None)


def build_credential(facts: CertificateFacts, issuer: Issuer) -> dict:
    achievement_name = f"{facts.post_title_zh} / {facts.post_title_en}"
    return {
        "@context": list(CONTEXTS),
        "id": issuer.verify_url(facts.code),
        "type": list(TYPES),
        "name": achievement_name,
        "issuer": {"id": issuer.base_url + "/", "type": ["Profile"], "name": issuer.name, "url": issuer.base_url + "/"},
        "validFrom": _timestamp(facts.issued_at),
        "validUntil": _timestamp(facts.valid_until),
        "credentialSubject": {
            "type": ["AchievementSubject"],
            "identifier": [{"type": "IdentityObject", "identityType": "name", "hashed": False,
                            "identityHash": facts.holder_name}],
            "achievement": {
                "id": f"{issuer.base_url}/posts/{facts.post_id}",
                "type": ["Achievement"],
                "achievementType": "Certificate",
                "name": achievement_name,
                "description": f"Post certification {facts.post_id} (certificate {facts.number})",
                "criteria": {"narrative": "All requirements of the post met: course modules, quizzes and "
                                          "scored role-play calls."},
            },
        },
        "credentialStatus": {"id": issuer.status_url(facts.code), "type": STATUS_TYPE},
    }


# --- keys ---------------------------------------------------------------------------------------

def new_private_jwk() -> dict:
    return OKPKey.generate_key("Ed25519").as_dict(private=True)


def key_id(jwk: dict) -> str:
    return OKPKey.import_key(jwk).thumbprint()


def public_jwks(private_jwk: dict) -> dict:
    public = OKPKey.import_key(private_jwk).as_dict(private=False)
    return {"keys": [{**public, "kid": key_id(private_jwk), "alg": ALGORITHM, "use": "sig"}]}


# --- signing and verifying ------------------------------------------------------------------------

def sign(credential: dict, private_jwk: dict) -> str:
    header = {"alg": ALGORITHM, "typ": "vc+jwt", "cty": "vc", "kid": key_id(private_jwk)}
    payload = json.dumps(credential, ensure_ascii=False, separators=(",", ":")).encode()
    return jws.serialize_compact(header, payload, OKPKey.import_key(private_jwk), algorithms=[ALGORITHM])


@dataclass(frozen=True)
class Verified:
    credential: dict
    status: str  # "valid", "expired" or "not_yet_valid" (revocation needs the status URL)


def verify(token: str, jwks: dict, now: datetime) -> Verified:
    """Check a credential offline against the issuer's published keys; ``now`` is naive UTC."""
    try:
        keys = KeySet.import_key_set(jwks)
        signed = jws.deserialize_compact(token.strip(), keys, algorithms=[ALGORITHM])
        credential = json.loads(signed.payload)
    except (JoseError, ValueError, TypeError, KeyError) as error:
        raise InvalidCredential(f"signature or format not valid: {error}") from None
    if signed.protected.get("typ") != "vc+jwt" or not isinstance(credential, dict):
        raise InvalidCredential("not a vc+jwt credential")
    contexts, types = credential.get("@context"), credential.get("type")
    if (not isinstance(contexts, list) or contexts[:1] != [CONTEXTS[0]] or not isinstance(types, list)
            or "OpenBadgeCredential" not in types):
        raise InvalidCredential("not an Open Badges 3.0 credential")
    try:
        valid_from, valid_until = _parse_timestamp(credential["validFrom"]), _parse_timestamp(credential["validUntil"])
    except (KeyError, TypeError, ValueError):
        raise InvalidCredential("validFrom/validUntil missing or malformed") from None
    status = "not_yet_valid" if now < valid_from else "expired" if now > valid_until else "valid"
    return Verified(credential, status)
