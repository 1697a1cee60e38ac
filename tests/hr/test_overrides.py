"""HR marks a requirement as met (recognised prior certification, offline assessment): audited,
honoured by the engine, shown on the trainee dashboard and the roster, revocable."""
from datetime import timedelta

import pytest

from webapp.audit.models import AuditEntry
from webapp.audit.services import verify_chain
from webapp.certification import engine, services
from webapp.certification.models import Certificate, PostAssignment, RequirementOverride
from webapp.extensions import db


def partly_done(records, trainee, post) -> None:
    """Everything but the role-play calls of the post."""
    done = services.definition_of(post)
    full = records.complete(trainee, post) or records.by_user[trainee.id]
    records.by_user[trainee.id] = engine.TraineeRecords(full.modules, full.quizzes, {})
    assert done.requirements.scenarios is not None


def assignment_of(trainee, post_id: str) -> PostAssignment:
    return db.session.scalar(db.select(PostAssignment).where(PostAssignment.user_id == trainee.id,
                                                             PostAssignment.post_id == post_id))


def audit(action: str) -> list[AuditEntry]:
    return list(db.session.scalars(db.select(AuditEntry).where(AuditEntry.action == action)))


def test_grant_completes_the_post_and_revoke_stops_it_counting(app, make_user, posts, records, today):
    hr = make_user(role="hr", name="人事李娜")
    trainee, other = make_user(name="王磊"), make_user()
    post = posts["hotline-agent"]
    for user in (trainee, other):
        services.assign_post(user, post, today + timedelta(days=30), hr)
    db.session.commit()
    partly_done(records, trainee, post)
    partly_done(records, other, post)
    assignment = assignment_of(trainee, post.id)
    assert services.override_choices(services.assigned_post(assignment)) == ["scenarios"]

    with pytest.raises(services.CertificationError):
        services.grant_override(assignment, "scenarios", "  ", hr)  # a reason is required
    with pytest.raises(services.CertificationError):
        services.grant_override(assignment, "module:role-awareness", "已学", hr)  # already met: nothing to override
    with pytest.raises(services.CertificationError):
        services.grant_override(assignment, "quiz:no-such.quiz", "外部考试", hr)

    granted = services.grant_override(assignment, "scenarios", "线下情景考核通过（2026-05 集团考评）", hr)
    db.session.commit()
    (entry,) = audit("requirement.override")
    assert entry.details["requirement"] == "scenarios" and entry.actor_id == hr.id
    (certificate,) = services.issue_due_certificates(trainee.id)
    assert certificate.content_versions["overrides"]["scenarios"]["reason"].startswith("线下情景考核")
    assert services.issue_due_certificates(other.id) == []  # an override is per trainee

    # the override can no longer be granted twice, and revoking it needs a reason and happens once
    with pytest.raises(services.CertificationError):
        services.revoke_override(granted, hr, "")
    services.revoke_override(granted, hr, "考核记录无法核实")
    db.session.commit()
    with pytest.raises(services.CertificationError):
        services.revoke_override(granted, hr, "again")
    (revocation,) = audit("requirement.override_revoke")
    assert revocation.details == {"post": post.id, "requirement": "scenarios", "reason": "考核记录无法核实",
                                  "override": granted.id}
    assert verify_chain() is None
    # the issued certificate stays (HR revokes it separately); the override no longer counts
    events = services.certificate_events(trainee.id, post.id)
    assert not any(isinstance(event, engine.RequirementOverridden) for event in events)
    assert db.session.get(Certificate, certificate.id).revoked_at is None


def test_an_override_is_refused_for_a_holder(app, make_user, posts, records, today):
    hr, trainee = make_user(role="hr"), make_user()
    post = posts["telemarketer"]
    services.assign_post(trainee, post, None, hr)
    db.session.commit()
    records.complete(trainee, post)
    services.issue_due_certificates(trainee.id)
    assignment = assignment_of(trainee, post.id)
    assert services.override_choices(services.assigned_post(assignment)) == []
    with pytest.raises(services.CertificationError):
        services.grant_override(assignment, "scenarios", "外部证书", hr)


def test_hr_pages_grant_show_and_revoke(client, auth, make_user, posts, records, today):
    hr = make_user(role="hr", name="人事李娜")
    trainee = make_user(employee_no="t0042", name="李静", department="在线客服中心")
    post = posts["online-agent"]
    services.assign_post(trainee, post, None, hr)
    db.session.commit()
    partly_done(records, trainee, post)
    assignment = assignment_of(trainee, post.id)

    auth.login(hr)
    roster = client.get("/hr/").get_data(as_text=True)
    assert f'/hr/assignments/{assignment.id}"' in roster and "data-overrides" not in roster
    page = client.get(f"/hr/assignments/{assignment.id}").get_data(as_text=True)
    assert 'id="override-form"' in page and 'value="scenarios"' in page

    refused = client.post(f"/hr/assignments/{assignment.id}/overrides", data={"requirement": "scenarios", "reason": ""})
    assert refused.status_code == 400 and db.session.scalar(db.select(RequirementOverride)) is None
    response = client.post(f"/hr/assignments/{assignment.id}/overrides",
                           data={"requirement": "scenarios", "reason": "已持有省公司在线客服资格证"},
                           follow_redirects=True)
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and 'data-state="certified"' in page
    assert 'data-requirement="scenarios" data-active="yes"' in page and "已持有省公司在线客服资格证" in page
    override = db.session.scalar(db.select(RequirementOverride))
    assert db.session.scalar(db.select(db.func.count(Certificate.id))) == 1

    roster = client.get("/hr/").get_data(as_text=True)
    assert 'data-overrides="1"' in roster

    auth.logout()
    auth.login(trainee)
    dashboard = client.get("/certification/").get_data(as_text=True)
    assert 'data-override="scenarios"' in dashboard and "已持有省公司在线客服资格证" in dashboard
    assert client.post(f"/hr/overrides/{override.id}/revoke",
                       data={f"override-{override.id}-reason": "x"}).status_code == 403

    auth.logout()
    auth.login(hr)
    client.post(f"/hr/overrides/{override.id}/revoke", data={f"override-{override.id}-reason": ""})
    db.session.expire_all()
    assert db.session.get(RequirementOverride, override.id).revoked_at is None  # a reason is required
    response = client.post(f"/hr/overrides/{override.id}/revoke",
                           data={f"override-{override.id}-reason": "证书已过期"}, follow_redirects=True)
    assert 'data-requirement="scenarios" data-active="no"' in response.get_data(as_text=True)
    assert "data-overrides" not in client.get("/hr/").get_data(as_text=True)
    assert [entry.action for entry in db.session.scalars(
        db.select(AuditEntry).where(AuditEntry.action.startswith("requirement.")).order_by(AuditEntry.id))] == [
        "requirement.override", "requirement.override_revoke"]
    audit_page = client.get("/hr/audit?action=requirement.").get_data(as_text=True)
    assert audit_page.count('data-action="requirement.override') == 2
