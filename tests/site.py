"""The whole app as its visitors meet it, for tests that walk every page.

``seed()`` loads the demo (an account per role, all content, trainees in every certification
state), an open quiz attempt and an open and a finished role-play call of the demo trainee, a
deactivated account, an imported one awaiting its first password and a locked one. ``crawl()`` then signs in as each role and follows every link and form from
the pages without URL arguments, recording each response and, per endpoint, the URL values, query
names and form fields it saw: the fuzzer's starting points and the security-header check's pages.
"""
from __future__ import annotations

from collections import defaultdict, deque
from dataclasses import dataclass, field
from datetime import timedelta
from unittest import mock
from html.parser import HTMLParser
from urllib.parse import parse_qsl, urljoin, urlsplit

from flask import Flask
from werkzeug.exceptions import HTTPException

from webapp import jobs
from webapp.access import PUBLIC, Role
from webapp.accounts.models import User
from webapp.accounts import services as accounts
from webapp.accounts.services import create_user
from webapp.api import services as api_services
from webapp.api.models import WebhookDelivery
from webapp.clock import utcnow
from webapp.content.models import ContentChangeSet, ContentDraft, ContentRevision
from webapp.content.services import published_text
from webapp.content.sources import content_hash
from webapp.demo import DEMO_PASSWORD, ensure_demo_accounts
from webapp.extensions import db
from webapp.quizzes import services as quizzes
from webapp.quizzes.models import Quiz
from webapp.registry import registry
from webapp.roleplay import services as roleplay

#: The demo account signed in for each role (webapp/demo.py).
ROLE_ACCOUNTS = {Role.TRAINEE: "t1001", Role.TRAINER: "trainer01", Role.HR: "hr01", Role.ADMIN: "admin"}
PAGES_PER_ENDPOINT = 2  # per role: enough to see each kind of page, few enough to stay quick


def seed(app: Flask) -> dict[Role, int]:
    """Demo data plus the trainee's quiz attempt and calls; returns the user id signed in per role."""
    with app.app_context():
        ensure_demo_accounts()
        for _order, loader in registry(app).demo_loaders:
            loader()
        while jobs.run_pending():  # what the demo's events queued, e.g. notifications to mark read
            pass
        trainee = _user(ROLE_ACCOUNTS[Role.TRAINEE])
        quiz = db.session.scalars(db.select(Quiz).order_by(Quiz.id)).first()
        quizzes.start_attempt(trainee.id, quiz, quizzes.clock())
        scenario_id = roleplay.current_scenarios()[0].id
        roleplay.start_call(trainee.id, scenario_id, "practice")
        finished = roleplay.start_call(trainee.id, scenario_id, "assessment")
        while finished.in_progress:
            state = roleplay.call_state(finished)
            roleplay.submit_reply(finished, state.next_turn_index,
                                  state.scenario.turns[state.next_turn_index - 1].model_reply)
        left = create_user("t9999", "离职学员", "10000号客服中心", Role.TRAINEE, DEMO_PASSWORD)
        left.active = False  # so that the users page offers to reactivate someone
        create_user("t9998", "新导入学员", "10000号客服中心", Role.TRAINEE, DEMO_PASSWORD).password_hash = None
        db.session.commit()  # as a roster import leaves it: waiting for its first password
        _lock_out("t1002")  # so that the locked sign-ins page offers an unlock
        _content_edits(_user(ROLE_ACCOUNTS[Role.TRAINER]))
        admin = _user(ROLE_ACCOUNTS[Role.ADMIN])  # a token and a webhook offer their revocation forms
        api_services.create_token("HR 系统", ["roster:read"], 30, admin)
        hook = api_services.create_webhook("http://127.0.0.1:9/hooks", "a-long-enough-secret", ["certificate.issued"], admin)
        db.session.add(WebhookDelivery(webhook_id=hook.id, event="certificate.issued", body="{}", attempts=1,
                                       last_status=500, last_error="Internal Server Error"))  # a delivery log row
        db.session.commit()
        return {role: _user(number).id for role, number in ROLE_ACCOUNTS.items()}


#: The lesson whose history, draft and pending change the trainer's pages show.
EDITED_LESSON = "courses/telephone-etiquette/01-voice-and-pace.md"


def _content_edits(trainer: User) -> None:
    """A second revision (so history offers a rollback), a draft and a change set waiting for
    approval (so the publish and approval forms show)."""
    text = published_text(EDITED_LESSON)
    db.session.add(ContentRevision(path=EDITED_LESSON, text=text + "\n另一个版本。\n", action="import",
                                   content_hash=content_hash(text + "\n另一个版本。\n")))
    db.session.add(ContentDraft(author_id=trainer.id, path=EDITED_LESSON, text=text + "\n草稿。\n",
                                base_hash=content_hash(text)))
    db.session.add(ContentChangeSet(author_id=trainer.id, message="待批准", items=[], state="pending"))


def _lock_out(employee_no: str) -> None:
    """Wrong passwords, each after the wait the last one imposed, until the account is locked."""
    moment = utcnow() - timedelta(minutes=10)
    with mock.patch.object(accounts, "utcnow", lambda: moment):
        for _attempt in range(100):
            refused = accounts.authenticate(employee_no, "wrong password", "192.0.2.1").refused
            if refused is not None and refused.locked_out:
                return
            moment += refused.retry_after if refused is not None else timedelta(seconds=1)
    raise AssertionError(f"{employee_no} was never locked")


def _user(employee_no: str) -> User:
    return db.session.scalar(db.select(User).where(User.employee_no == employee_no))


def signed_in(app: Flask, user_id: int | None):
    """A client whose session is that user's (None: anonymous), without a sign-in request."""
    client = app.test_client()
    if user_id is not None:
        with app.app_context():
            session_id = db.session.get(User, user_id).get_id()
        with client.session_transaction() as session:
            session["_user_id"], session["_fresh"] = session_id, True
    return client


def reset_accounts(app: Flask, user_ids) -> None:
    """Undo what an admin page may have done to the signed-in accounts (deactivation, reset)."""
    with app.app_context():
        db.session.execute(db.update(User).where(User.id.in_(list(user_ids)))
                           .values(active=True, must_change_password=False))
        db.session.commit()


@dataclass
class Form:
    fields: dict[str, set[str]] = field(default_factory=dict)  # name -> values seen (options, defaults)
    files: set[str] = field(default_factory=set)  # names of file inputs


@dataclass
class Site:
    """What the crawl saw: every response, and per endpoint what requests to it carried."""

    responses: list[tuple[Role | None, str, object]] = field(default_factory=list)  # (role, url, response)
    #: endpoint -> URL variable -> values seen in links and form actions
    url_values: dict[str, dict[str, set[str]]] = field(default_factory=lambda: defaultdict(lambda: defaultdict(set)))
    #: endpoint -> query name -> values seen in links and GET forms
    query: dict[str, dict[str, set[str]]] = field(default_factory=lambda: defaultdict(lambda: defaultdict(set)))
    #: (endpoint, method) -> the fields of the forms that send a body there
    forms: dict[tuple[str, str], Form] = field(default_factory=dict)
    #: (endpoint, field or query name) -> the type of its <input> ("date", "number", "hidden" …)
    input_types: dict[tuple[str, str], str] = field(default_factory=dict)

    def form(self, endpoint: str, method: str) -> Form:
        return self.forms.setdefault((endpoint, method), Form())


class _PageParser(HTMLParser):
    """Links (stylesheets and scripts too) and forms of one HTML page (a button's formaction makes a
    form of its own)."""

    def __init__(self):
        super().__init__()
        self.links: list[str] = []
        self.forms: list[dict] = []
        self._form: dict | None = None
        self._select: str | None = None
        self._textarea: str | None = None

    def handle_starttag(self, tag, attrs):
        attrs = {name: value or "" for name, value in attrs}
        if tag in ("a", "link") and "href" in attrs:
            self.links.append(attrs["href"])
        elif tag == "script" and "src" in attrs:
            self.links.append(attrs["src"])
        elif tag == "form":
            self._form = {"action": attrs.get("action", ""), "method": attrs.get("method", "get").upper(),
                          "fields": defaultdict(set), "types": {}, "files": set(), "formactions": []}
            self.forms.append(self._form)
        elif self._form is None:
            return
        elif tag == "input" and attrs.get("name"):
            if attrs.get("type") == "file":
                self._form["files"].add(attrs["name"])
            else:
                self._form["fields"][attrs["name"]].add(attrs.get("value", ""))
                self._form["types"][attrs["name"]] = attrs.get("type", "text")
        elif tag == "button" and attrs.get("formaction"):
            self._form["formactions"].append(attrs["formaction"])
        elif tag == "select":
            self._select = attrs.get("name")
        elif tag == "option" and self._select:
            self._form["fields"][self._select].add(attrs.get("value", ""))
        elif tag == "textarea" and attrs.get("name"):
            self._textarea = attrs["name"]
            self._form["fields"][self._textarea].add("")

    def handle_data(self, data):
        if self._textarea and self._form is not None:
            self._form["fields"][self._textarea].add(data)

    def handle_endtag(self, tag):
        if tag == "form":
            self._form = None
        elif tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None


def allowed_roles(app: Flask, endpoint: str) -> list[Role | None]:
    """Who may use an endpoint: its declared roles, or anonymous visitors for public and static views."""
    declared = getattr(app.view_functions[endpoint], "allowed_roles", PUBLIC)
    return [None] if declared == PUBLIC else sorted(declared)


def crawl(app: Flask, user_ids: dict[Role, int]) -> Site:
    site = Site()
    adapter = app.url_map.bind("localhost")
    for role in [None, *Role]:
        client = signed_in(app, user_ids.get(role))
        starts = [rule.rule for rule in app.url_map.iter_rules()
                  if "GET" in rule.methods and not rule.arguments and role in allowed_roles(app, rule.endpoint)]
        queue, seen, per_endpoint = deque(starts), set(starts), defaultdict(int)
        while queue:
            url = queue.popleft()
            endpoint, _values = _match(adapter, url, "GET")
            if endpoint is None or per_endpoint[endpoint] >= PAGES_PER_ENDPOINT:
                continue
            per_endpoint[endpoint] += 1
            response = client.get(url)
            response.get_data()  # a streamed body runs now, then the file behind a download is closed
            response.close()
            site.responses.append((role, url, response))
            if response.status_code != 200 or response.mimetype != "text/html":
                continue
            page = _PageParser()
            page.feed(response.get_data(as_text=True))
            for href in page.links:
                found = _record(site, adapter, urljoin(url, href), "GET")
                if found and found not in seen:
                    seen.add(found)
                    queue.append(found)
            for form in page.forms:
                for action in form["formactions"] or [form["action"]]:
                    _record_form(site, adapter, urljoin(url, action or url), form)
    return site


def _record_form(site: Site, adapter, action: str, form: dict) -> None:
    """A GET form's fields are query values of its endpoint; other forms' fields are its body."""
    target = _record(site, adapter, action, form["method"])
    if target is None:
        return
    endpoint = _match(adapter, target, form["method"])[0]
    site.input_types.update({(endpoint, name): kind for name, kind in form["types"].items()})
    recorded = site.query[endpoint] if form["method"] == "GET" else site.form(endpoint, form["method"]).fields
    for name, values in form["fields"].items():
        recorded.setdefault(name, set()).update(values)
    if form["method"] != "GET":
        site.form(endpoint, form["method"]).files.update(form["files"])


def _match(adapter, url: str, method: str) -> tuple[str | None, dict]:
    try:
        return adapter.match(urlsplit(url).path, method=method)
    except HTTPException:
        return None, {}


def _record(site: Site, adapter, url: str, method: str) -> str | None:
    """Note the URL values and query names of a same-site URL; returns it without its fragment."""
    parts = urlsplit(url)
    if parts.netloc not in ("", "localhost"):
        return None
    endpoint, values = _match(adapter, url, method)
    if endpoint is None:
        return None
    for name, value in values.items():
        site.url_values[endpoint][name].add(str(value))
    for name, value in parse_qsl(parts.query, keep_blank_values=True):
        site.query[endpoint][name].add(value)
    return parts.path + (f"?{parts.query}" if parts.query else "")


#: Headers every response must carry, and what their value must contain.
SECURITY_HEADERS = {
    "Content-Security-Policy": ("script-src 'self'", "object-src 'none'", "base-uri 'none'", "form-action 'self'",
                                "frame-ancestors 'none'"),
    "X-Content-Type-Options": ("nosniff",),
    "Referrer-Policy": ("same-origin",),
    "X-Frame-Options": ("DENY",),
}


def security_header_problems(response) -> list[str]:
    return [f"{name}: {response.headers.get(name)!r} lacks {part!r}"
            for name, parts in SECURITY_HEADERS.items() for part in parts
            if part not in (response.headers.get(name) or "")]
