"""The notification centre, the header's unread count and the settings page, through the client."""
import re
from datetime import timedelta

import pytest
from sqlalchemy import event

from webapp.access import Role
from webapp.extensions import db
from webapp.notifications import services
from webapp.notifications.kinds import Kind
from webapp.notifications.models import Notification, NotificationSettings

from tests.notifications.queue import run_jobs


def body(response) -> str:
    return response.get_data(as_text=True)


def unread_badge(page: str) -> str | None:
    found = re.search(r'id="unread-count">(\d+)', page)
    return found.group(1) if found else None


def give(user, count: int, make_certificate, today) -> list[Notification]:
    for cycle in range(1, count + 1):
        certificate = make_certificate(user, today + timedelta(days=365), cycle=cycle)
        services.notify(user.id, Kind.CERTIFICATE_ISSUED, f"certificate:{certificate.id}", post=certificate.post_id,
                        until=certificate.valid_until.isoformat())
    db.session.commit()
    run_jobs()
    return list(db.session.scalars(services.notifications_query(user.id)))


@pytest.mark.parametrize("role", list(Role))
def test_every_role_has_the_centre_and_the_header_count(client, auth, make_user, make_certificate, today, role):
    user = make_user(role=role)
    give(user, 2, make_certificate, today)
    auth.login(user)
    home = body(client.get("/"))
    assert unread_badge(home) == "2" and 'href="/notifications/"' in home
    centre = body(client.get("/notifications/"))
    assert centre.count('class="unread"') == 2
    assert body(client.get("/notifications/settings")).count('type="checkbox"') == 8  # 7 kinds and the digest


def test_the_header_count_is_one_query(client, auth, make_user, make_certificate, today):
    user = make_user()
    give(user, 3, make_certificate, today)
    auth.login(user)
    statements = []
    listener = lambda conn, cursor, statement, *args: statements.append(statement)  # noqa: E731
    event.listen(db.engine, "before_cursor_execute", listener)
    try:
        page = body(client.get("/courses/"))
    finally:
        event.remove(db.engine, "before_cursor_execute", listener)
    assert unread_badge(page) == "3"
    assert len([s for s in statements if "FROM notifications" in s]) == 1


def test_no_badge_without_unread_and_none_for_visitors(client, auth, make_user):
    assert 'id="notifications-link"' not in body(client.get("/login"))
    auth.login(make_user())
    page = body(client.get("/"))
    assert 'id="notifications-link"' in page and unread_badge(page) is None


def test_centre_lists_newest_first_with_links_and_pages(client, auth, make_user, make_certificate, today):
    user = make_user()
    created = give(user, services.PER_PAGE + 1, make_certificate, today)
    auth.login(user)
    first = body(client.get("/notifications/"))
    ids = [int(n) for n in re.findall(r'/certification/certificates/(\d+)"', first)]
    assert len(ids) == services.PER_PAGE and ids == sorted(ids, reverse=True)
    assert "?page=2" in first
    second = body(client.get("/notifications/?page=2"))
    assert re.findall(r'/certification/certificates/(\d+)"', second) == [str(min(ids) - 1)]
    assert client.get("/notifications/?page=999999999999").status_code == 200
    assert created[0].params["post"] == "hotline-agent"


def test_mark_one_and_all_read(client, auth, make_user, make_certificate, today):
    user, other = make_user(), make_user()
    mine = give(user, 2, make_certificate, today)
    theirs = give(other, 1, make_certificate, today)
    auth.login(user)
    assert client.post(f"/notifications/{theirs[0].id}/read").status_code == 302
    assert services.unread_count(other.id) == 1  # someone else's stays unread
    client.post(f"/notifications/{mine[0].id}/read")
    assert unread_badge(body(client.get("/"))) == "1"
    page = body(client.post("/notifications/read", follow_redirects=True))
    assert unread_badge(page) is None and 'class="unread"' not in page


def test_settings_mute_optional_kinds_pick_digest_and_language(client, auth, make_user):
    user = make_user()
    auth.login(user)
    response = client.post("/notifications/settings", data={
        "mailed": [Kind.DUE_SOON, Kind.VERDICT_OVERRIDDEN], "daily_digest": "y", "language": "en"})
    assert response.status_code == 302
    settings = db.session.get(NotificationSettings, user.id)
    assert set(settings.muted) == {Kind.CERTIFICATE_ISSUED, Kind.CERTIFICATE_EXPIRING}
    assert settings.daily_digest and db.session.get(type(user), user.id).language == "en"
    page = body(client.get("/notifications/settings"))
    assert re.search(r'value="due_soon"[^>]*checked|checked[^>]*value="due_soon"', page)
    assert not re.search(r'value="certificate_issued"[^>]*checked|checked[^>]*value="certificate_issued"', page)


@pytest.mark.parametrize(("data", "field"), [
    ({"mailed": ["certificate_revoked"], "language": "en"}, "mailed"),  # mandatory: not a choice
    ({"mailed": ["nonsense"], "language": "en"}, "mailed"),
    ({"language": "fr"}, "language"),
])
def test_bad_settings_name_the_field(client, auth, make_user, data, field):
    auth.login(make_user())
    response = client.post("/notifications/settings", data=data)
    assert response.status_code == 200
    assert f'data-field="{field}"' in body(response)


def test_admin_sets_an_email_address(client, auth, make_user):
    admin, trainee = make_user(role=Role.ADMIN), make_user()
    auth.login(admin)
    form = {"name": trainee.name, "department": trainee.department, "team": "", "role": "trainee"}
    bad = client.post(f"/admin/users/{trainee.id}/edit", data={**form, "email": "张伟"})
    assert bad.status_code == 200 and 'data-field="email"' in body(bad)
    client.post(f"/admin/users/{trainee.id}/edit", data={**form, "email": "zhang.wei@corp.cn"})
    assert db.session.get(type(trainee), trainee.id).email == "zhang.wei@corp.cn"
