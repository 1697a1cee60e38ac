"""The administrators' view of learning-record delivery."""
from flask import Blueprint, render_template
from flask_babel import lazy_gettext as _l

from webapp.access import Role, roles_required
from webapp.extensions import db
from webapp.inputs import page_number

from . import services

bp = Blueprint("xapi", __name__, template_folder="templates", url_prefix="/admin/learning-records")

PER_PAGE = 50
VERB_LABELS = {"completed": _l("Completed"), "passed": _l("Passed"), "failed": _l("Failed"),
               "scored": _l("Scored"), "earned": _l("Earned")}


@bp.route("/")
@roles_required(Role.ADMIN)
def status():
    lrs = services.configured_lrs()
    return render_template(
        "xapi/status.html", lrs_url=lrs.statements_url if lrs else None, counts=services.state_counts(),
        verb_labels=VERB_LABELS,
        page=db.paginate(services.undelivered_query(), page=page_number(), per_page=PER_PAGE, error_out=False),
    )
