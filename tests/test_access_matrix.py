"""Walk the whole URL map: every view declares its roles, anonymous users are sent to the login
page, and every role not declared gets 403 — for every route, including those added later."""
from flask import url_for
from werkzeug.routing import IntegerConverter

from webapp.access import PUBLIC, Role

from tests.conftest import TEST_PASSWORD


def _placeholder_url(app, rule) -> str:
    # ids that do not exist: the matrix must not deactivate or edit the users it signs in with
    values = {name: 987654 if isinstance(converter, IntegerConverter) else "x"
              for name, converter in rule._converters.items()}
    with app.test_request_context():
        return url_for(rule.endpoint, **values)


def _guarded_rules(app):
    for rule in app.url_map.iter_rules():
        if rule.endpoint == "static" or rule.endpoint.endswith(".static"):
            continue
        yield rule, app.view_functions[rule.endpoint]


def test_every_view_declares_who_may_use_it(app):
    undeclared = [rule.endpoint for rule, view in _guarded_rules(app) if not hasattr(view, "allowed_roles")]
    assert undeclared == []


def test_anonymous_users_are_sent_to_login_and_wrong_roles_get_403(app, make_user):
    users = {role: make_user(role=role) for role in Role}

    def signed_in_client(role):
        """A fresh session per request: a route such as logout must not spoil the next check."""
        client = app.test_client()
        response = client.post("/login", data={"employee_no": users[role].employee_no, "password": TEST_PASSWORD})
        assert response.status_code == 302
        return client

    anonymous = app.test_client()
    checked = 0
    for rule, view in _guarded_rules(app):
        if view.allowed_roles == PUBLIC:
            continue
        url = _placeholder_url(app, rule)
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            response = anonymous.open(url, method=method)
            assert response.status_code == 302 and "/login" in response.location, (method, url)
            for role in Role:
                status = signed_in_client(role).open(url, method=method).status_code
                if role in view.allowed_roles:
                    assert status != 403, (role, method, url)
                else:
                    assert status == 403, (role, method, url, status)
            checked += 1
    assert checked >= 10
