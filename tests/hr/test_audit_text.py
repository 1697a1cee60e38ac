"""The audit log read by people: sentences for actions, labelled fields for details."""
import pathlib
import re

from webapp.audit.services import record
from webapp.extensions import db
from webapp.hr import audit_text

from tests.hr.test_views import roster_fixture


def test_every_action_the_code_records_has_a_sentence():
    recorded = set()
    for path in pathlib.Path("webapp").rglob("*.py"):
        recorded |= set(re.findall(r'record(?:_many)?\(\(*"([a-z_]+\.[a-z_]+)"', path.read_text()))
        recorded |= set(re.findall(r'"(user\.[a-z_]+)" if', path.read_text()))
        recorded |= set(re.findall(r'if [a-z.]+ else "(user\.[a-z_]+)"', path.read_text()))
    recorded |= {"content.publish", "post.assign"}  # through a constant / record_many of tuples
    assert recorded - set(audit_text.ACTIONS) == set()
    assert len(recorded) >= 18


def test_the_audit_page_speaks_in_sentences_and_labelled_fields(client, auth, make_user, posts, records, today):
    hr = roster_fixture(make_user, posts, records, today)
    trainee = make_user(employee_no="t0009", name="旧名")
    record("roleplay.override", "call:7", {"turn": 2, "criterion": "greeting", "machine_passed": False,
                                           "passed": True, "reason": "确有问候", "score_before": 70.0,
                                           "score_after": 80.0}, actor=hr)
    record("user.update", f"user:{trainee.employee_no}", {"name": {"from": "旧名", "to": "新名"},
                                                         "team": {"from": "一班", "to": ""}}, actor=hr)
    record("user.role", "user:t0009", {"from": "trainee", "to": "trainer"}, actor=hr)
    db.session.commit()
    auth.login(hr)
    client.get("/hr/roster/export.csv?status=expiring&department=客服一部")
    page = client.get("/hr/audit").get_data(as_text=True)
    for words in ("导出了花名册", "调整了情景演练评分", "修改了账号信息", "更改了角色", "撤销了证书", "分配了岗位",
                  "账号 t0009", "通话 #7",
                  "机器判定：</span> 未通过", "最终判定：</span> 通过", "调整前得分：</span> 70.0%",
                  "姓名：</span> 旧名 → 新名", "班组：</span> 一班 → —", "修改前：</span> 学员", "修改后：</span> 培训师",
                  "格式：</span> CSV", "筛选条件：</span> 部门：客服一部；状态：即将到期", "列标题：</span> 中文"):
        assert words in page, words
    visible = re.sub(r"<[^>]+>", " ", page.split('id="audit-table"')[1])
    for raw in ("machine_passed", "False", "{'", "roster.export", ": {"):
        assert raw not in visible, raw
    # the action filter keeps the key as its value and shows the sentence
    assert '<option value="roster.export">导出了花名册</option>' in page


def test_the_audit_page_in_english(client, auth, make_user):
    hr = make_user(role="hr")
    record("roleplay.override", "call:3", {"machine_passed": True, "passed": False}, actor=hr)
    db.session.commit()
    auth.login(hr)
    client.post("/language/en")
    page = client.get("/hr/audit").get_data(as_text=True)
    assert "overrode a role-play verdict" in page and "Machine verdict:</span> passed" in page
    assert "Verdict:</span> not passed" in page and "Call #3" in page


def test_unknown_actions_and_keys_fall_back_to_themselves(app):
    assert audit_text.action_sentence("future.thing") == "future.thing"
    assert audit_text.target_text("roster") == "认证花名册" and audit_text.target_text("call:9") == "通话 #9"
    [field] = audit_text.fields({"mystery": [1, None]})
    assert (field.label, field.value) == ("mystery", "1 / —")
