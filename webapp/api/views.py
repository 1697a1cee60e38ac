"""The HR API (/api/v1, bearer tokens only, JSON), its reference page, the public keys and the
administrators' pages for tokens and webhooks."""
from functools import wraps

from flask import Blueprint, abort, current_app, flash, g, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.exceptions import HTTPException

from webapp.access import Role, public, roles_required
from webapp.certification import services as certification
from webapp.certification.models import Certificate
from webapp.clock import utcnow
from webapp.extensions import db, limiter

from . import credentials, openapi, resources, services, signing, tokens
from .forms import DeactivateWebhookForm, RevokeTokenForm, TokenForm, WebhookForm
from .models import ApiToken, Webhook

api = Blueprint("api", __name__, url_prefix=openapi.BASE_PATH)
pages = Blueprint("api_pages", __name__, template_folder="templates")

DEFAULT_RATE_LIMIT = "120 per minute"
ADMIN = (Role.ADMIN,)


# --- the API: token check, rate limit, JSON errors ---------------------------------------------------

def _rate_key() -> str:
    """Per token (its hash: no database look-up before the limit); per address without one."""
    authorization = request.headers.get("Authorization", "")
    try:
        return "token:" + tokens.secret_hash(tokens.bearer_secret(authorization))
    except tokens.TokenRefused:
        return "address:" + (request.remote_addr or "")


def _rate_limit() -> str:
    return current_app.config["API_RATE_LIMIT"]


def _error(status: int, error: str, message: str, field: str | None = None):
    response = jsonify(error=error, message=message, field=field)
    response.status_code = status
    return response


def token_required(scope: str):
    """Bearer token with ``scope`` (never the session cookie); limited per token."""
    def decorate(view):
        @wraps(view)
        def guarded(*args, **kwargs):
            try:
                g.api_token = services.authenticate(request.headers.get("Authorization"), scope)
            except tokens.TokenRefused as refused:
                response = _error(refused.status, refused.error, refused.message)
                if refused.status == 401:
                    response.headers["WWW-Authenticate"] = f'Bearer error="{refused.error}"'
                return response
            db.session.commit()  # last_used_at
            try:
                return view(*args, **kwargs)
            except tokens.BadParameter as bad:
                return _error(400, "invalid_parameter", f"{bad.field}: {bad.message}", bad.field)

        limited = limiter.shared_limit(_rate_limit, scope="hotline-api", key_func=_rate_key)(guarded)
        return public(limited)  # no session sign-in: the token is the credential
    return decorate


def _api_error(error: HTTPException):
    code = "rate_limited" if error.code == 429 else "not_found" if error.code == 404 else "http_error"
    response = _error(error.code or 500, code, error.description or error.name)
    if error.code == 429:
        response.headers["Retry-After"] = str(_retry_after(error))
    return response


for _code in (400, 403, 404, 405, 429):  # the codes the app answers with HTML pages
    api.register_error_handler(_code, _api_error)


def _retry_after(error: HTTPException) -> int:
    limit = getattr(error, "limit", None)
    return int(limit.limit.get_expiry()) if limit is not None else 60


def _paged(items: list[dict], last_id: int | None):
    return jsonify(data=items, next_cursor=tokens.encode_cursor(last_id) if last_id is not None else None)


def _position() -> tuple[int, int]:
    return tokens.decode_cursor(request.args.get("cursor")), tokens.page_limit(request.args.get("limit"))


def _filters() -> resources.Filters:
    args = request.args
    return resources.Filters(
        department=args.get("department", ""), post=args.get("post", ""),
        status=tokens.choice("status", args.get("status"), openapi.CERTIFICATE_STATUSES),
        quiz=args.get("quiz", ""), scenario=args.get("scenario", ""),
        passed=tokens.boolean("passed", args.get("passed")),
        updated_since=tokens.since(args.get("updated_since")))


@api.get("/roster")
@token_required("roster:read")
def roster():
    filters, (after, limit) = _filters(), _position()
    return _paged(*resources.roster(filters, after, limit, certification.local_today()))


@api.get("/certificates")
@token_required("certificates:read")
def certificates():
    filters, (after, limit) = _filters(), _position()
    return _paged(*resources.certificates(filters, after, limit, certification.local_today(),
                                          certification.verify_url_prefix()))


@api.get("/certificates/<int:certificate_id>/credential")
@token_required("certificates:read")
def credential(certificate_id: int):
    return _credential_response(db.get_or_404(Certificate, certificate_id))


@api.get("/quiz-attempts")
@token_required("attempts:read")
def quiz_attempts():
    filters, (after, limit) = _filters(), _position()
    return _paged(*resources.quiz_attempts(filters, after, limit))


@api.get("/roleplay-results")
@token_required("roleplay:read")
def roleplay_results():
    filters, (after, limit) = _filters(), _position()
    return _paged(*resources.roleplay_results(filters, after, limit))


@api.get("/webhooks")
@token_required("webhooks")
def webhooks():
    return _paged(*resources.webhooks(*_position()))


@api.get("/credentials/<code>/status")
@public
def credential_status(code: str):
    """The credentialStatus URL: the same answer as the /verify/<code> page."""
    verification = certification.verify(code)
    if verification is None:
        abort(404)
    return jsonify(id=services.issuer().verify_url(code), status=verification.validity.value,
                   valid_until=verification.valid_until.isoformat())


@api.get("/openapi.json")
@public
def openapi_document():
    return jsonify(openapi.document())


# --- public pages: reference, keys ------------------------------------------------------------------

@pages.get("/api/docs")
@public
def reference():
    return render_template("api/reference.html", document=openapi.document(), endpoints=openapi.ENDPOINTS,
                           events=signing.EVENTS)


@pages.get("/.well-known/jwks.json")
@public
def jwks():
    return jsonify(services.public_keys())


# --- the holder's (or HR's) credential download ------------------------------------------------------

def _credential_response(certificate: Certificate):
    if certificate.revoked_at is not None:
        return _error(410, "revoked", "this certificate was revoked: no credential is issued for it")
    response = current_app.response_class(services.signed_credential(certificate), mimetype=credentials.MEDIA_TYPE)
    response.headers["Content-Disposition"] = f'attachment; filename="certificate-{certificate.number}.jwt"'
    return response


@pages.get("/certification/certificates/<int:certificate_id>/credential.jwt")
@roles_required(Role.TRAINEE, Role.HR, Role.ADMIN)
def certificate_credential(certificate_id: int):
    certificate = db.get_or_404(Certificate, certificate_id)
    if current_user.role == Role.TRAINEE and certificate.user_id != current_user.id:
        abort(404)
    return _credential_response(certificate)


# --- administrators: tokens and webhooks -----------------------------------------------------------

@pages.route("/admin/api/tokens", methods=["GET", "POST"])
@roles_required(*ADMIN)
def tokens_page():
    form, secret = TokenForm(), None
    if form.validate_on_submit():
        token, secret = services.create_token(form.name.data, form.scopes.data, form.valid_days.data, current_user)
        db.session.commit()
        form = TokenForm(formdata=None)
    return render_template("api/tokens.html", form=form, secret=secret, tokens=services.all_tokens(),
                           revoke_form=RevokeTokenForm(), now=utcnow(),
                           local_time=certification.local_datetime)


@pages.post("/admin/api/tokens/<int:token_id>/revoke")
@roles_required(*ADMIN)
def revoke_token(token_id: int):
    token = db.get_or_404(ApiToken, token_id)
    if RevokeTokenForm().validate_on_submit():
        services.revoke_token(token, current_user)
        db.session.commit()
    return _redirect("api_pages.tokens_page", _("Token revoked."))


@pages.route("/admin/api/webhooks", methods=["GET", "POST"])
@roles_required(*ADMIN)
def webhooks_page():
    form = WebhookForm()
    if form.validate_on_submit():
        services.create_webhook(form.url.data, form.secret.data, form.events.data, current_user)
        db.session.commit()
        return _redirect("api_pages.webhooks_page", _("Webhook added."))
    return render_template("api/webhooks.html", form=form, webhooks=services.all_webhooks(),
                           deactivate_form=DeactivateWebhookForm())


@pages.get("/admin/api/webhooks/<int:webhook_id>")
@roles_required(*ADMIN)
def webhook_deliveries(webhook_id: int):
    hook = db.get_or_404(Webhook, webhook_id)
    return render_template("api/deliveries.html", webhook=hook,
                           deliveries=resources.recent_deliveries(hook.id, count=200),
                           local_time=certification.local_datetime)


@pages.post("/admin/api/webhooks/<int:webhook_id>/deactivate")
@roles_required(*ADMIN)
def deactivate_webhook(webhook_id: int):
    hook = db.get_or_404(Webhook, webhook_id)
    if DeactivateWebhookForm().validate_on_submit():
        services.deactivate_webhook(hook, current_user)
        db.session.commit()
    return _redirect("api_pages.webhooks_page", _("Webhook deactivated."))


def _redirect(endpoint: str, message: str):
    flash(message, "success")
    return redirect(url_for(endpoint))
