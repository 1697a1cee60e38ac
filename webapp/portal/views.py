from flask import Blueprint, current_app, redirect, render_template, request, session, url_for
from flask_login import current_user

from webapp.access import public, signed_in
from webapp.accounts.forms import ActionForm
from webapp.accounts.views import safe_next
from webapp.registry import registry

bp = Blueprint("portal", __name__, template_folder="templates")


@bp.route("/")
@signed_in
def home():
    panels = []
    for panel in registry(current_app).home_panels:
        if current_user.role in panel.roles:
            panels.append((panel.template, panel.context() if panel.context else {}))
    return render_template("portal/home.html", panels=panels)


@bp.route("/language/<locale>", methods=["POST"])
@public
def set_language(locale: str):
    if ActionForm().validate_on_submit() and locale in current_app.config["LANGUAGES"]:
        session["locale"] = locale
    return redirect(safe_next(request.form.get("next")))


@bp.route("/healthz")
@public
def health():
    return {"status": "ok"}


@bp.route("/favicon.ico")
@public
def favicon():
    # Browsers and PDF viewers ask for /favicon.ico whatever the page links.
    return redirect(url_for("static", filename="favicon.svg"), code=301)
