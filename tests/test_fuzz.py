"""Property-based fuzzing of the whole URL map: no request, however malformed, makes the app fail.

Every rule, with every method, gets generated URL values, query strings, form bodies (the fields
the crawl found in the rendered forms, tests/site.py) and JSON bodies (the shape a JSON view
declares), signed in as each role allowed to use it, with CSRF off. Every answer must be below
500 and carry the security headers. The issue's reported cases and every typed field at the limits
of its type run first, as explicit examples.

Deterministic and bounded: Hypothesis is derandomized, keeps no example database, has no
deadline, and runs EXAMPLES_PER_ROUTE examples per rule and method.
"""
from __future__ import annotations

import io
import json
import re
import time
from dataclasses import dataclass, field
from datetime import date
from urllib.parse import quote

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from werkzeug.routing import IntegerConverter, PathConverter

from tests.site import allowed_roles, crawl, reset_accounts, security_header_problems, seed, signed_in

EXAMPLES_PER_ROUTE = 15
#: Fewer for the slowest pages: the content status parses every content file and dry-runs an
#: import (~1 s) and reads nothing but its query string; publishing imports the content again;
#: a certificate PDF embeds a font subset (~0.3 s).
EXAMPLES_FOR = {"authoring.status": 3, "authoring.publish": 8, "authoring.check": 4, "authoring.edit": 4, "certification.certificate_pdf": 8}

#: Integers around every storage limit: PostgreSQL INTEGER and BIGINT, SQLite's 64 bits, and beyond.
EDGE_INTEGERS = (0, 1, -1, 2**31 - 1, 2**31, -(2**31) - 1, 2**63 - 1, 2**63, 10**20 - 1)
NASTY_TEXT = (
    "", " ", "\x00", "a\x00b", "\x1b[31m", "\x7f", "\x85", "\t", "/a\r\nX-Injected: 1", "\ufeff", "\u202e",
    "'\"<>&;--", "%00", "%", "../../etc/passwd", "//evil.example", "/\\evil.example", "٣", "１２", "1e309", "NaN",
    "null", "[]", "{}", "x" * 3000, "9" * 5000, "2026-02-30", "2026年3月31日",
)
UNPAIRED_SURROGATE = "\ud800"  # only JSON can carry one (\\ud800); forms and URLs are UTF-8 bytes
ABSENT = object()
#: JSON bodies from the issue (the autosave's body as a string, its position beyond INTEGER).
REPORTED_JSON = {"quizzes.save_answer": ("abc", {"position": 2**31, "values": []},
                                         {"position": 1, "values": ["a\x00b", UNPAIRED_SURROGATE]})}


def fuzz_settings(target) -> settings:
    return settings(max_examples=EXAMPLES_FOR.get(target.rule.endpoint, EXAMPLES_PER_ROUTE), derandomize=True,
                    database=None, deadline=None, suppress_health_check=list(HealthCheck), print_blob=False)


def integers_as_text():
    return st.one_of(st.sampled_from(EDGE_INTEGERS), st.integers(-(2**70), 2**70)).map(str)


def text():
    return st.one_of(st.sampled_from(NASTY_TEXT), integers_as_text(), st.text(max_size=30))


def dates_as_text():
    return st.one_of(st.sampled_from((date.min, date.max)), st.dates()).map(date.isoformat)


#: What an <input type=…> field gets besides any text: the values its type stands for, and its limits.
TYPED_VALUES = {"date": dates_as_text, "number": integers_as_text}
TYPE_LIMITS = {"date": (date.min.isoformat(), date.max.isoformat())}


def seen_or_text(seen, input_type: str | None = None) -> st.SearchStrategy[str]:
    """A value seen on the pages, one of its input type's, or any text."""
    choices = [st.sampled_from(sorted(seen))] if seen else []
    if input_type in TYPED_VALUES:
        choices.append(TYPED_VALUES[input_type]())
    return st.one_of(*choices, text())


def json_values():
    leaves = st.one_of(st.none(), st.booleans(), st.sampled_from(EDGE_INTEGERS), st.integers(),
                       st.floats(allow_nan=False), text(), st.just(UNPAIRED_SURROGATE))
    return st.recursive(leaves, lambda inner: st.lists(inner, max_size=4) | st.dictionaries(text(), inner, max_size=4),
                        max_leaves=8)


@dataclass(frozen=True)
class Target:
    """One rule and method, with what the crawl found for it."""

    rule: object
    method: str
    roles: tuple
    url_values: dict[str, set[str]]
    query: dict[str, set[str]]
    fields: dict[str, set[str]]
    files: frozenset[str]
    json_shape: tuple[str, ...] | None
    input_types: dict[str, str]  # form and query name -> its <input type>

    @property
    def name(self) -> str:
        return f"{self.method} {self.rule.rule}"


@dataclass(frozen=True)
class Probe:
    role: object
    path: dict = field(default_factory=dict)
    query: dict = field(default_factory=dict)
    form: dict = field(default_factory=dict)
    files: dict = field(default_factory=dict)
    json: object = ABSENT


def probes(target: Target) -> st.SearchStrategy[Probe]:
    typed = target.input_types.get
    body = st.fixed_dictionaries({}, optional={name: seen_or_text(seen, typed(name))
                                               for name, seen in target.fields.items()})
    files = st.fixed_dictionaries({}, optional={name: st.binary(max_size=200) for name in target.files})
    json_body = st.just(ABSENT)
    if target.json_shape is not None:
        shaped = st.fixed_dictionaries({}, optional={key: json_values() for key in target.json_shape})
        json_body = st.one_of(shaped, json_values())
    return st.builds(
        Probe,
        role=st.sampled_from(target.roles),
        path=st.fixed_dictionaries({name: seen_or_text(target.url_values.get(name)) for name in target.rule.arguments}),
        query=st.dictionaries(st.sampled_from(sorted({*target.query, "page", "next"})), text(), max_size=3)
        | st.fixed_dictionaries({}, optional={name: seen_or_text(seen, typed(name))
                                              for name, seen in target.query.items()}),
        form=body if target.method != "GET" else st.just({}),
        files=files if target.method != "GET" else st.just({}),
        json=json_body,
    )


def explicit_cases(target: Target) -> list[Probe]:
    """The issue's requests that answered 500 (integers beyond INTEGER and 64 bits in URLs, form
    fields and pages; NUL in URL variables, query strings and form fields; the autosave's JSON),
    and every typed field at the limits of its type."""
    role = target.roles[0]
    seen = {name: sorted(values)[0] for name, values in target.url_values.items() if values}
    path = {name: seen.get(name, "1") for name in target.rule.arguments}
    cases = []
    for name, converter in target.rule._converters.items():
        if isinstance(converter, IntegerConverter):
            cases += [Probe(role, {**path, name: "2147483648"}), Probe(role, {**path, name: "99999999999999999999"})]
        elif not isinstance(converter, PathConverter):
            cases.append(Probe(role, {**path, name: "a\x00b"}))
    if target.method == "GET":
        cases += [Probe(role, path, query={"page": "99999999999999999999"}),
                  Probe(role, path, query={name: "a\x00b" for name in target.query} or {"q": "a\x00b"})]
        cases += [Probe(role, path, query={name: limit}) for name in target.query
                  for limit in TYPE_LIMITS.get(target.input_types.get(name), ())]
    else:
        form = {name: sorted(values)[-1] for name, values in target.fields.items()}  # as the page filled it
        for name in target.fields:
            limits = ("2147483648", "a\x00b", *TYPE_LIMITS.get(target.input_types.get(name), ()))
            cases += [Probe(role, path, form={**form, name: limit}) for limit in limits]
    cases += [Probe(role, path, json=body) for body in REPORTED_JSON.get(target.rule.endpoint, ())]
    return cases


def targets(app, site) -> list[Target]:
    found = []
    for rule in sorted(app.url_map.iter_rules(), key=lambda rule: rule.rule):
        view = app.view_functions[rule.endpoint]
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            form = site.forms.get((rule.endpoint, method))
            found.append(Target(
                rule, method, tuple(allowed_roles(app, rule.endpoint)), dict(site.url_values.get(rule.endpoint, {})),
                dict(site.query.get(rule.endpoint, {})), dict(form.fields) if form else {},
                frozenset(form.files) if form else frozenset(), getattr(view, "json_shape", None),
                {name: kind for (endpoint, name), kind in site.input_types.items() if endpoint == rule.endpoint},
            ))
    return found


def url_of(target: Target, values: dict[str, str]) -> str:
    def value(match):
        name = match.group("name")
        safe = "/" if isinstance(target.rule._converters[name], PathConverter) else ""
        return quote(values[name], safe=safe)

    return re.sub(r"<(?:[^:<>]+:)?(?P<name>[^<>]+)>", value, target.rule.rule)


@pytest.fixture
def fuzz_site(make_app):
    app = make_app(RATELIMIT_ENABLED=False)  # the verification page's limit would hide it after 30 probes
    user_ids = seed(app)
    return app, user_ids, crawl(app, user_ids)


def test_no_request_makes_any_route_fail(fuzz_site, capsys):
    app, user_ids, site = fuzz_site
    all_targets = targets(app, site)
    unseen = [target.name for target in all_targets
              if target.method == "POST" and (target.rule.endpoint, "POST") not in site.forms and not target.json_shape]
    assert unseen == [], "POST routes whose form no crawled page rendered: the fuzzer would not know their fields"

    failures, requests, started = [], 0, time.perf_counter()
    for target in all_targets:
        sent, failure = fuzz(app, user_ids, target)
        requests += sent
        if failure:
            failures.append(failure)
    with capsys.disabled():
        seconds = time.perf_counter() - started
        print(f"\nfuzzer: {len(all_targets)} routes × methods, {requests} requests, {seconds:.1f} s")
    assert failures == []


def fuzz(app, user_ids, target: Target) -> tuple[int, str | None]:
    """The reported cases, then the generated examples; returns the requests sent and any failure."""
    sent = 0

    def check(probe: Probe) -> None:
        nonlocal sent
        sent += 1
        if target.method != "GET":
            reset_accounts(app, user_ids.values())
        response = send(app, target, probe, user_ids)
        response.get_data()  # a streamed body runs now
        response.close()
        assert response.status_code < 500, (response.status_code, target.name, probe)
        assert security_header_problems(response) == [], (target.name, probe)

    for case in explicit_cases(target):
        check = example(probe=case)(check)
    try:
        fuzz_settings(target)(given(probe=probes(target))(check))()
    except Exception as failure:  # noqa: BLE001 - every route's failure is reported, not the first only
        return sent, f"{target.name}: {failure!r}"
    return sent, None


def send(app, target: Target, probe: Probe, user_ids):
    client = signed_in(app, user_ids.get(probe.role))
    options = {"method": target.method, "query_string": probe.query}
    if probe.json is not ABSENT:
        options.update(data=json.dumps(probe.json), content_type="application/json")
    elif target.method != "GET":
        files = {name: (io.BytesIO(data), "roster.csv") for name, data in probe.files.items()}
        options["data"] = {**probe.form, **files}
    return client.open(url_of(target, probe.path), **options)
