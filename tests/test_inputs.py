"""Request input is bounded before it reaches the database (webapp/inputs.py); the fuzzer
(test_fuzz.py) checks every route, these pin the rules down."""
import importlib
import re

import pytest
from flask_wtf import FlaskForm
from werkzeug.routing import IntegerConverter
from wtforms import IntegerField
from wtforms.fields.core import UnboundField

from webapp import DOMAINS
from webapp.accounts.views import safe_next
from webapp.inputs import DB_INT_MAX, DatabaseIntConverter, DatabaseIntegerField
from webapp.roleplay.forms import ReplyForm

from tests.conftest import ROOT

CONTROL_IN_FIELD = "含有无法保存的控制字符"


def test_every_int_url_variable_is_bounded_to_the_database_integer(app):
    converters = [converter for rule in app.url_map.iter_rules() for converter in rule._converters.values()
                  if isinstance(converter, IntegerConverter)]
    assert len(converters) >= 10 and all(isinstance(c, DatabaseIntConverter) for c in converters)


@pytest.mark.parametrize("number", [DB_INT_MAX + 1, 10**20 - 1, 10**400])
def test_ids_beyond_the_database_integer_are_not_found(client, auth, make_user, number):
    auth.login(make_user())
    assert client.get(f"/quizzes/attempts/{number}").status_code == 404
    assert client.get(f"/quizzes/attempts/{DB_INT_MAX}").status_code == 404  # in range: looked up, not there


@pytest.mark.parametrize("role, url", [("admin", "/admin/users"), ("hr", "/hr/"), ("hr", "/hr/audit"),
                                       ("trainer", "/roleplay/review")])
def test_absurd_page_numbers_show_the_first_page(client, auth, make_user, role, url):
    auth.login(make_user(role=role))
    for page in ("99999999999999999999", str(DB_INT_MAX + 1), "-3", "0", "x", ""):
        assert client.get(url, query_string={"page": page}).status_code == 200, page


def test_form_integers_beyond_the_database_integer_are_field_errors(app):
    with app.test_request_context(method="POST", data={"turn": str(DB_INT_MAX + 1), "text": "您好"}):
        form = ReplyForm()
        assert not form.validate() and form.turn.errors == ["数值超出允许范围。"]
    with app.test_request_context(method="POST", data={"turn": "2", "text": "您好"}):
        assert ReplyForm().validate()


def test_every_form_integer_field_is_the_bounded_one():
    forms = {cls for name in DOMAINS if (ROOT / "webapp" / name / "forms.py").exists()
             for cls in vars(importlib.import_module(f"webapp.{name}.forms")).values()
             if isinstance(cls, type) and issubclass(cls, FlaskForm)}
    fields = [(cls.__name__, attribute, value.field_class) for cls in forms for base in cls.__mro__
              for attribute, value in vars(base).items() if isinstance(value, UnboundField)]
    assert len(forms) >= 10
    assert [(form, name) for form, name, field in fields
            if issubclass(field, IntegerField) and not issubclass(field, DatabaseIntegerField)] == []


@pytest.mark.parametrize("role, method, url, data, field", [
    (None, "POST", "/login", {"employee_no": "t1\x00", "password": "x"}, "employee_no"),
    (None, "GET", "/verify/a%00b", None, "code"),
    ("hr", "GET", "/hr/?department=%E5%AE%A2%00", None, "department"),
    ("hr", "GET", "/hr/audit?actor=a%0Ab", None, "actor"),  # query strings are single-line
    ("hr", "POST", "/hr/certificates/1/revoke", {"reason": "离岗\x1b"}, "reason"),
    ("trainer", "POST", "/roleplay/calls/1/override", {"turn": "1", "criterion": "x", "passed": "1",
                                                       "reason": "a\x00"}, "reason"),
])
def test_control_characters_are_refused_with_the_field_named(client, auth, make_user, role, method, url, data, field):
    if role:
        auth.login(make_user(role=role))
    response = client.open(url, method=method, data=data)
    page = response.get_data(as_text=True)
    assert response.status_code == 400 and CONTROL_IN_FIELD in page and f"“{field}”" in page


def test_multi_line_form_text_keeps_its_tabs_and_line_breaks(client, auth, make_user):
    auth.login(make_user(role="trainer"))
    response = client.post("/roleplay/bench", data={"replies": "您好，请讲。\r\n\t好的。", "seconds": "3"})
    assert response.status_code == 200


def test_redirect_targets_stay_on_one_line_and_on_this_site(app):
    with app.test_request_context():
        assert safe_next("/courses/?q=1") == "/courses/?q=1"
        for target in ("/\r\nSet-Cookie: x=1", "/\\evil.example", "//evil.example", "https://evil.example/"):
            assert safe_next(target) == "/", target


def test_json_bodies_are_checked_by_their_declared_shape(client, auth, make_user):
    auth.login(make_user())
    url = "/quizzes/attempts/1/answers"
    for body, field in (("abc", None), ([1], None), ({"values": []}, "position"), ({"position": True, "values": []},
                        "position"), ({"position": DB_INT_MAX + 1, "values": []}, "position"),
                        ({"position": 1, "values": "0"}, "values"), ({"position": 1, "values": ["a\x00"]}, "values"),
                        ({"position": 1, "values": ["\ud800"]}, "values")):
        response = client.post(url, json=body)
        assert response.status_code == 400 and response.json["field"] == field, body
        assert response.json["error"] == "invalid" and response.json["message"]
    assert client.post(url, json={"position": 1, "values": ["一\n二"]}).status_code == 404  # well-formed: looked up


def test_only_the_inputs_module_reads_json_bodies():
    """Every JSON endpoint declares its shape with @json_body: the fuzzer finds them by it."""
    readers = [path.relative_to(ROOT).as_posix() for path in (ROOT / "webapp").rglob("*.py")
               if re.search(r"get_json\(|request\.json\b|request\.get_data\(|request\.data\b", path.read_text())]
    assert readers == ["webapp/inputs.py"]


def test_the_json_error_is_translated(client, auth, make_user):
    auth.login(make_user())
    client.post("/language/en", data={"next": "/"})
    assert "missing" in client.post("/quizzes/attempts/1/answers", json={"values": []}).json["message"]
