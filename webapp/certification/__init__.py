"""Post (岗位) certification: eligibility, certificates, public verification."""
from flask import Flask
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from webapp.access import Role
from webapp.content.registry import register_kind
from webapp.courses.services import modules_in_order
from webapp.registry import TraineePlan, add_demo_loader, add_home_panel, add_nav, progress_recorded, set_trainee_plan

from . import services, tasks  # noqa: F401 — tasks registers the periodic jobs
from .cli import certification_cli
from .demo import load_demo_certification
from .kind import PostsKind
from .views import bp, current_language, step_url


#: After the demo content (posts) is imported.
DEMO_ORDER = 60


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
    app.cli.add_command(certification_cli)
    register_kind(PostsKind())
    progress_recorded.connect(services.on_progress_recorded)
    set_trainee_plan(app, TraineePlan(post_rules=services.post_rules, next_step_url=_next_step_url))
    add_nav(app, "certification.dashboard", _l("Certification"), {Role.TRAINEE}, order=40)
    add_home_panel(app, "certification/panel_trainee.html", {Role.TRAINEE}, order=5, context=_trainee_panel)
    add_demo_loader(app, load_demo_certification, order=DEMO_ORDER)


def _next_step_url(user_id: int) -> str | None:
    step = services.next_step(services.trainee_plans(user_id))
    return step_url(step) if step else None


def _trainee_panel() -> dict:
    """The trainee's home: the plan of every assigned post, one "Continue", and what is optional."""
    assigned = services.evaluated_posts(current_user.id)  # the last step may have just been done
    modules = modules_in_order()
    plans = services.trainee_plans(current_user.id, assigned=assigned, modules=modules)
    return {"plans": plans, "next_step": services.next_step(plans), "step_url": step_url,
            "titles": services.titles(current_language(), modules),
            "optional": services.optional_activities(services.rules_of(assigned), modules)}
