"""The HR API described once: the OpenAPI 3.1 document served at /api/v1/openapi.json and
rendered at /api/docs is built from ``ENDPOINTS`` and ``SCHEMAS`` below (pure: no Flask)."""
from __future__ import annotations

from dataclasses import dataclass

from webapp.api.signing import EVENTS
from webapp.api.tokens import DEFAULT_LIMIT, MAX_LIMIT, SCOPES

BASE_PATH = "/api/v1"
CERTIFICATE_STATUSES = ("valid", "expiring", "expired", "revoked")
ASSIGNMENT_STATUSES = ("in_progress", "certified", "expiring", "expired", "revoked", "overdue")


def _nullable(kind: str, **extra) -> dict:
    return {"type": [kind, "null"], **extra}


_TIME = {"type": "string", "format": "date-time", "description": "UTC, ISO 8601"}
_DATE = {"type": "string", "format": "date"}
_USER_REF = {"$ref": "#/components/schemas/UserRef"}


def _object(properties: dict, description: str = "") -> dict:
    schema = {"type": "object", "properties": properties, "required": sorted(properties)}
    return {**schema, "description": description} if description else schema


SCHEMAS = {
    "Error": _object({
        "error": {"type": "string", "description": "machine code: missing_token, invalid_token, "
                  "insufficient_scope, invalid_parameter, rate_limited, not_found"},
        "message": {"type": "string"},
        "field": _nullable("string", description="the query parameter at fault (invalid_parameter)"),
    }),
    "UserRef": _object({
        "id": {"type": "integer"}, "employee_no": {"type": "string"}, "name": {"type": "string"},
        "department": {"type": "string"},
    }),
    "Assignment": _object({
        "post_id": {"type": "string"}, "post_title": {"type": "string"}, "assigned_at": _TIME,
        "due_date": _nullable("string", format="date"),
        "status": {"enum": list(ASSIGNMENT_STATUSES)},
        "certificate_id": _nullable("integer", description="the latest certificate for this post"),
    }),
    "RosterUser": _object({
        "id": {"type": "integer"}, "employee_no": {"type": "string"}, "name": {"type": "string"},
        "department": {"type": "string"}, "team": {"type": "string"}, "role": {"type": "string"},
        "active": {"type": "boolean"}, "created_at": _TIME,
        "posts": {"type": "array", "items": {"$ref": "#/components/schemas/Assignment"}},
    }),
    "Certificate": _object({
        "id": {"type": "integer"}, "number": {"type": "string"}, "user": _USER_REF,
        "post_id": {"type": "string"}, "post_title": {"type": "string"}, "cycle": {"type": "integer"},
        "status": {"enum": list(CERTIFICATE_STATUSES),
                   "description": "expiring: valid, and the post's renewal window is open"},
        "issued_at": _TIME, "valid_until": {**_DATE, "description": "valid through this day"},
        "revoked_at": _nullable("string", format="date-time"), "revocation_reason": _nullable("string"),
        "verification_code": {"type": "string"}, "verify_url": {"type": "string"},
        "exam_score": _nullable("number"), "roleplay_average": _nullable("number"),
    }),
    "QuizAttempt": _object({
        "id": {"type": "integer"}, "user": _USER_REF, "quiz_id": {"type": "string"},
        "quiz_title": {"type": "string"}, "number": {"type": "integer"}, "started_at": _TIME,
        "graded_at": _TIME, "score": {"type": "number", "description": "percent"},
        "pass_mark": {"type": "number"}, "passed": {"type": "boolean"},
    }),
    "Criterion": _object({
        "turn": {"type": "integer"}, "key": {"type": "string"}, "label": {"type": "string"},
        "kind": {"enum": ["requirement", "violation"]},
        "passed": {"type": "boolean", "description": "with trainer overrides applied"},
        "machine_passed": {"type": "boolean"},
    }),
    "RoleplayResult": _object({
        "id": {"type": "integer"}, "user": _USER_REF, "scenario_id": {"type": "string"},
        "mode": {"enum": ["practice", "assessment"]}, "state": {"enum": ["finished", "failed"]},
        "started_at": _TIME, "finished_at": _TIME, "score": {"type": "number", "description": "percent"},
        "passed": {"type": "boolean"}, "critical": {"type": "boolean"},
        "criteria": {"type": "array", "items": {"$ref": "#/components/schemas/Criterion"}},
    }),
    "Delivery": _object({
        "id": {"type": "integer"}, "event": {"enum": list(EVENTS)}, "state": {"enum": ["pending", "delivered"]},
        "attempts": {"type": "integer"}, "last_status": _nullable("integer"), "last_error": {"type": "string"},
        "created_at": _TIME, "delivered_at": _nullable("string", format="date-time"),
    }),
    "Webhook": _object({
        "id": {"type": "integer"}, "url": {"type": "string"},
        "events": {"type": "array", "items": {"enum": list(EVENTS)}}, "active": {"type": "boolean"},
        "created_at": _TIME,
        "recent_deliveries": {"type": "array", "items": {"$ref": "#/components/schemas/Delivery"}},
    }),
    "CredentialStatus": _object({
        "id": {"type": "string", "description": "the credential's id"},
        "status": {"enum": ["valid", "expired", "revoked"]}, "valid_until": _DATE,
    }),
}


@dataclass(frozen=True)
class Parameter:
    name: str
    description: str
    schema: dict
    location: str = "query"

    def as_openapi(self) -> dict:
        return {"name": self.name, "in": self.location, "required": self.location == "path",
                "description": self.description, "schema": self.schema}


@dataclass(frozen=True)
class Endpoint:
    path: str  # below BASE_PATH, OpenAPI style: /certificates/{certificate_id}/credential
    operation_id: str
    summary: str
    scope: str | None  # None: public, no token
    parameters: tuple[Parameter, ...]
    item: str | None = None  # a listed schema: the answer is a page of them
    answer: dict | None = None  # otherwise: {media type: schema}

    @property
    def flask_rule(self) -> str:
        return BASE_PATH + self.path.replace("{certificate_id}", "<int:certificate_id>").replace("{code}", "<code>")


PAGING = (
    Parameter("cursor", "next_cursor of the previous page; omit for the first page", {"type": "string"}),
    Parameter("limit", f"items per page, 1–{MAX_LIMIT}", {"type": "integer", "minimum": 1, "maximum": MAX_LIMIT,
                                                       "default": DEFAULT_LIMIT}),
)
DEPARTMENT = Parameter("department", "exact department name", {"type": "string"})
POST = Parameter("post", "post id", {"type": "string"})
PASSED = Parameter("passed", "only passed (true) or failed (false) results", {"enum": ["true", "false"]})


def _since(meaning: str) -> Parameter:
    return Parameter("updated_since", f"{meaning} at or after this moment (ISO 8601)",
                     {"type": "string", "format": "date-time"})


ENDPOINTS = (
    Endpoint("/roster", "listRoster", "Users with their department, team and assigned posts with status",
             "roster:read", (DEPARTMENT, POST, _since("created, assigned a post, or certificate issued or revoked"),
                             *PAGING), item="RosterUser"),
    Endpoint("/certificates", "listCertificates", "Certificates with status, dates and verification code",
             "certificates:read",
             (DEPARTMENT, POST, Parameter("status", "computed status today", {"enum": list(CERTIFICATE_STATUSES)}),
              _since("issued or revoked"), *PAGING), item="Certificate"),
    Endpoint("/certificates/{certificate_id}/credential", "getCredential",
             "The certificate as a signed Open Badges 3.0 credential (VC-JOSE, Ed25519; keys at "
             "/.well-known/jwks.json)", "certificates:read",
             (Parameter("certificate_id", "certificate id", {"type": "integer"}, "path"),),
             answer={"application/vc+jwt": {"type": "string"}}),
    Endpoint("/quiz-attempts", "listQuizAttempts", "Graded quiz attempts: score, pass mark, passed, dates",
             "attempts:read",
             (DEPARTMENT, Parameter("quiz", "quiz id", {"type": "string"}), PASSED, _since("graded"), *PAGING),
             item="QuizAttempt"),
    Endpoint("/roleplay-results", "listRoleplayResults",
             "Ended role-play calls: scenario, score, passed and per-criterion results", "roleplay:read",
             (DEPARTMENT, Parameter("scenario", "scenario id", {"type": "string"}), PASSED, _since("ended"),
              *PAGING), item="RoleplayResult"),
    Endpoint("/webhooks", "listWebhooks", "Webhook subscriptions and their latest deliveries", "webhooks",
             PAGING, item="Webhook"),
    Endpoint("/credentials/{code}/status", "getCredentialStatus",
             "A credential's current status (its credentialStatus URL); no token needed", None,
             (Parameter("code", "verification code", {"type": "string"}, "path"),),
             answer={"application/json": {"$ref": "#/components/schemas/CredentialStatus"}}),
)

_ERROR = {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}


def _responses(endpoint: Endpoint) -> dict:
    if endpoint.item:
        page = {"type": "object", "required": ["data", "next_cursor"], "properties": {
            "data": {"type": "array", "items": {"$ref": f"#/components/schemas/{endpoint.item}"}},
            "next_cursor": _nullable("string", description="null on the last page")}}
        content = {"application/json": {"schema": page}}
    else:
        content = {media: {"schema": schema} for media, schema in endpoint.answer.items()}
    responses = {"200": {"description": "OK", "content": content}}
    if endpoint.parameters and endpoint.item:
        responses["400"] = {"description": "a parameter is malformed (field names it)", **_ERROR}
    if endpoint.scope:
        responses["401"] = {"description": "token missing, unknown, revoked or expired", **_ERROR}
        responses["403"] = {"description": f"the token lacks the scope {endpoint.scope}", **_ERROR}
        responses["429"] = {"description": "rate limit exceeded; wait Retry-After seconds", **_ERROR,
                            "headers": {"Retry-After": {"schema": {"type": "integer"}}}}
    if "{" in endpoint.path:
        responses["404"] = {"description": "no such item", **_ERROR}
    return responses


def document() -> dict:
    paths = {}
    for endpoint in ENDPOINTS:
        operation = {
            "operationId": endpoint.operation_id, "summary": endpoint.summary,
            "parameters": [parameter.as_openapi() for parameter in endpoint.parameters],
            "responses": _responses(endpoint),
        }
        if endpoint.scope:
            operation["security"] = [{"bearer": [endpoint.scope]}]
            operation["description"] = f"Scope: `{endpoint.scope}`."
        else:
            operation["security"] = []
        paths[endpoint.path] = {"get": operation}
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Hotline Academy HR API", "version": "1.0.0",
            "description": "Read-only data for HR systems. Lists are pages in a stable order (by id): pass "
                           "`next_cursor` back as `cursor` until it is null. Send the token an administrator "
                           "created as `Authorization: Bearer <token>`. Certificate webhooks (events "
                           f"{', '.join(EVENTS)}) are signed: see X-Hotline-Signature.",
        },
        "servers": [{"url": BASE_PATH}],
        "paths": paths,
        "components": {
            "schemas": SCHEMAS,
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer",
                                           "description": "scopes: " + ", ".join(SCOPES)}},
        },
    }
