from flask import render_template_string
from flask_babel import force_locale

from webapp.i18n import domain_name, domains, read_catalog, untranslated


def test_every_interface_string_has_a_chinese_translation():
    missing = {str(domain.source.name): untranslated(domain) for domain in domains()}
    assert {name: ids for name, ids in missing.items() if ids} == {}


def test_chinese_is_the_default_and_english_can_be_chosen(client):
    assert "登录" in client.get("/login").get_data(as_text=True)
    client.post("/language/en", data={"next": "/login"})
    page = client.get("/login").get_data(as_text=True)
    assert "Sign in" in page and "登录" not in page.replace('lang="zh-CN">中文', "")


def test_template_strings_follow_the_locale_of_each_render(app):
    """Templates get ``_()`` of the render's catalog, its plain strings translated once per catalog
    (webapp._template_gettext): each render still shows its own locale, and variables are escaped."""
    template = "{{ _('Sign out') }}|{{ _('Attempt %(number)d', number=3) }}|{{ _('%(a)s', a='<b>') }}"
    with app.test_request_context():
        for _ in range(2):  # the second time from the catalogs' memory
            with force_locale("en"):
                assert render_template_string(template) == "Sign out|Attempt 3|&lt;b&gt;"
            with force_locale("zh_CN"):
                chinese = render_template_string(template)
                assert chinese.startswith("退出登录|") and chinese.endswith("|&lt;b&gt;") and "3" in chinese


def test_unknown_languages_are_ignored(client):
    client.post("/language/xx", data={"next": "/login"})
    assert "登录" in client.get("/login").get_data(as_text=True)


def test_a_msgid_means_the_same_in_every_catalog():
    """Flask-Babel merges the domains' catalogs into one: the same English text translated two ways
    in two domains would show whichever catalog happens to load last."""
    translations: dict[str, dict[str, list[str]]] = {}
    for domain in domains():
        if not domain.po_path.exists():
            continue
        for message in read_catalog(domain.po_path):
            if message.id and not message.pluralizable:
                translations.setdefault(message.id, {}).setdefault(message.string, []).append(domain_name(domain))
    assert {msgid: found for msgid, found in translations.items() if len(found) > 1} == {}
