"""``flask demo load``: demo accounts for every role, then every domain's demo content."""
import click
from flask import current_app
from flask.cli import AppGroup

from webapp.accounts import services
from webapp.extensions import db
from webapp.registry import registry

demo_cli = AppGroup("demo", help="Demo accounts and sample content.")

DEMO_PASSWORD = "hotline2026"

#: (employee number, name, department, team, role). Listed in README.
DEMO_ACCOUNTS = (
    ("admin", "系统管理员", "信息中心", "", "admin"),
    ("trainer01", "王芳", "培训部", "讲师组", "trainer"),
    ("hr01", "李娜", "人力资源部", "", "hr"),
    ("t1001", "张伟", "10000号客服中心", "一班", "trainee"),
    ("t1002", "刘洋", "10000号客服中心", "二班", "trainee"),
    ("t2001", "陈静", "营业厅", "城东营业厅", "trainee"),
)


def ensure_demo_accounts() -> list[str]:
    """Create the demo accounts that do not exist yet; returns the employee numbers created."""
    created = []
    for employee_no, name, department, team, role in DEMO_ACCOUNTS:
        if services.find_user(employee_no) is None:
            services.create_user(employee_no, name, department, role, DEMO_PASSWORD, team)
            created.append(employee_no)
    db.session.commit()
    return created


@demo_cli.command("load")
def load_command():
    """Create demo accounts (idempotent) and load sample content from courses/ and quizzes/."""
    created = ensure_demo_accounts()
    for _order, loader in registry(current_app).demo_loaders:
        loader()
    click.echo(f"demo accounts ({len(created)} new), password for all: {DEMO_PASSWORD}")
    for employee_no, name, _department, _team, role in DEMO_ACCOUNTS:
        click.echo(f"  {role:8} {employee_no:10} {name}")


def init_app(app) -> None:
    app.cli.add_command(demo_cli)
