"""Demo certification data: trainees in every state across several departments, so the roster,
the charts and the exports show real shapes. Idempotent (existing demo trainees are skipped)."""
from datetime import date, datetime, time, timedelta

from webapp.accounts import services as accounts
from webapp.demo import DEMO_PASSWORD
from webapp.extensions import db

from . import engine
from .models import Certificate, Post, PostAssignment
from .services import assign_post, definition_of, grant_override, local_today, revoke_certificate

DEPARTMENTS = (
    ("10000号客服中心", "hotline-agent"), ("营业厅", "hall-consultant"), ("在线客服中心", "online-agent"),
    ("投诉处理中心", "complaint-specialist"), ("电话营销中心", "telemarketer"),
)
NAMES = "王磊 李静 张敏 刘强 陈晨 杨帆 赵雪 黄磊 周婷 吴昊 徐倩 孙悦 马超 朱琳 胡军 郭佳 何苗 高翔".split()
#: The demo accounts of webapp.demo get a post too (their progress starts from nothing).
DEMO_ACCOUNT_POSTS = {"t1001": "hotline-agent", "t1002": "hotline-agent", "t2001": "hall-consultant"}


def _days_ago(today: date, days: int) -> datetime:
    return datetime.combine(today - timedelta(days=days), time(9, 30))


def _certify(user, post: Post, issued_days_ago: int, today: date) -> Certificate:
    definition = definition_of(post)
    issued_at = _days_ago(today, issued_days_ago)
    certificate = Certificate(
        user_id=user.id, post_id=post.id, cycle=1, code=engine.new_verification_code(), issued_at=issued_at,
        valid_until=engine.add_months(issued_at.date(), definition.validity_months),
        content_versions={"post": definition.content_hash, "demo": True},
        exam_score=88.0, roleplay_average=82.5,
    )
    db.session.add(certificate)
    db.session.flush()
    return certificate


def _shape(user, post: Post, state: engine.State, today: date, hr, spread: int = 0) -> None:
    """Give one demo trainee the dates and events that make ``state``; ``spread`` (0–4) moves the
    dates per department so that the monthly chart shows several months, not one spike."""
    definition = definition_of(post)
    validity_days = (engine.add_months(today, definition.validity_months) - today).days
    due = {engine.State.OVERDUE: today - timedelta(days=10)}.get(state, today + timedelta(days=45))
    assignment = assign_post(user, post, due, hr)
    assignment.assigned_at = _days_ago(today, 200 if state is engine.State.OVERDUE else 30)
    if state is engine.State.CERTIFIED:
        _certify(user, post, 60 + 45 * spread, today)
    elif state is engine.State.EXPIRING:
        window = definition.recertification_window_days
        _certify(user, post, validity_days - window // 2 + (window // 10) * (spread - 2), today)
    elif state is engine.State.EXPIRED:
        _certify(user, post, validity_days + 20 + 35 * spread, today)
    elif state is engine.State.REVOKED:
        revoke_certificate(_certify(user, post, 120 + 30 * spread, today), hr, "服务质量抽检发现使用服务禁语，经复核撤销")
    elif state is engine.State.IN_PROGRESS and spread == 0 and hr is not None:
        # one requirement met by HR's override, so the roster and the dashboard show one
        grant_override(assignment, engine.SCENARIOS_KEY, "已持有集团10000号服务资格证（2025年线下考核通过）", hr, today)


def load_demo_certification() -> None:
    posts = {post.id: post for post in db.session.scalars(db.select(Post))}
    if not posts:
        return  # the content loader imports the posts first; nothing to attach to without them
    today = local_today()
    hr = accounts.find_user("hr01")
    names = iter(NAMES * 2)
    for department_number, (department, post_id) in enumerate(DEPARTMENTS):
        for state_number, state in enumerate(engine.State):  # one trainee per state and department
            employee_no = f"d{department_number + 1}{state_number + 1:02d}"
            if accounts.find_user(employee_no) is not None:
                continue
            user = accounts.create_user(employee_no, next(names), department, "trainee", DEMO_PASSWORD, "一班")
            _shape(user, posts[post_id], state, today, hr, spread=department_number)
    for employee_no, post_id in DEMO_ACCOUNT_POSTS.items():
        user = accounts.find_user(employee_no)
        if user is not None and db.session.scalar(db.select(PostAssignment).where(
                PostAssignment.user_id == user.id, PostAssignment.post_id == post_id)) is None:
            assign_post(user, posts[post_id], today + timedelta(days=60), hr)
    db.session.commit()
