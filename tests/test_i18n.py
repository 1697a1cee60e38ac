from webapp.i18n import domains, untranslated


def test_every_interface_string_has_a_chinese_translation():
    missing = {str(domain.source.name): untranslated(domain) for domain in domains()}
    assert {name: ids for name, ids in missing.items() if ids} == {}


def test_chinese_is_the_default_and_english_can_be_chosen(client):
    assert "登录" in client.get("/login").get_data(as_text=True)
    client.post("/language/en", data={"next": "/login"})
    page = client.get("/login").get_data(as_text=True)
    assert "Sign in" in page and "登录" not in page.replace('lang="zh-CN">中文', "")


def test_unknown_languages_are_ignored(client):
    client.post("/language/xx", data={"next": "/login"})
    assert "登录" in client.get("/login").get_data(as_text=True)
