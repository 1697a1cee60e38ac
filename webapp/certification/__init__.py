"""Post (岗位) certification: eligibility, certificates, public verification."""
from flask import Flask
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from webapp.access import Role
from webapp.content.registry import register_kind
from webapp.registry import add_demo_loader, add_home_panel, add_nav, progress_recorded

from . import services
from .cli import certification_cli
from .demo import load_demo_certification
from .kind import PostsKind
from .views import bp


#: After the demo content (posts) is imported.
DEMO_ORDER = 60


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
    app.cli.add_command(certification_cli)
    register_kind(PostsKind())
    progress_recorded.connect(services.on_progress_recorded)
    add_nav(app, "certification.dashboard", _l("Certification"), {Role.TRAINEE}, order=40)
    add_home_panel(app, "certification/panel_trainee.html", {Role.TRAINEE}, order=30, context=_trainee_panel)
    add_demo_loader(app, load_demo_certification, order=DEMO_ORDER)


def _trainee_panel() -> dict:
    return {"assigned": services.assigned_posts(current_user.id)}
