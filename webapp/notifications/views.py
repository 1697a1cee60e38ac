from flask import Blueprint, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from webapp.access import signed_in
from webapp.extensions import db
from webapp.inputs import page_number

from . import services
from .forms import MarkReadForm, SettingsForm
from .kinds import MANDATORY, OPTIONAL

bp = Blueprint("notifications", __name__, url_prefix="/notifications", template_folder="templates")


@bp.get("/")
@signed_in
def index():
    page = db.paginate(services.notifications_query(current_user.id), page=page_number(),
                       per_page=services.PER_PAGE, error_out=False)
    titles = services.post_titles(services.current_language())
    return render_template("notifications/index.html", page=page, form=MarkReadForm(),
                           headline=lambda notification: services.headline(notification, titles),
                           link_for=services.link_for, local_time=services.local_datetime)


@bp.post("/<int:notification_id>/read")
@signed_in
def mark_read(notification_id: int):
    if MarkReadForm().validate_on_submit():
        services.mark_read(current_user.id, notification_id)
        db.session.commit()
    return redirect(url_for("notifications.index"))


@bp.post("/read")
@signed_in
def mark_all_read():
    if MarkReadForm().validate_on_submit():
        services.mark_read(current_user.id)
        db.session.commit()
        flash(_("All notifications are marked as read."), "success")
    return redirect(url_for("notifications.index"))


@bp.route("/settings", methods=["GET", "POST"])
@signed_in
def settings():
    current = services.settings_of(current_user.id)
    form = SettingsForm(data={"mailed": [kind for kind in OPTIONAL if kind not in current.muted],
                              "daily_digest": current.daily_digest, "language": services.language_of(current_user)})
    form.mailed.choices = [(str(kind), services.kind_label(kind)) for kind in OPTIONAL]
    if form.validate_on_submit():
        services.save_settings(current_user, form.mailed.data, form.daily_digest.data, form.language.data)
        db.session.commit()
        flash(_("Your notification settings are saved."), "success")
        return redirect(url_for("notifications.settings"))
    return render_template("notifications/settings.html", form=form,
                           mandatory=[services.kind_label(kind) for kind in sorted(MANDATORY)],
                           mail_on=services.smtp_settings() is not None)
