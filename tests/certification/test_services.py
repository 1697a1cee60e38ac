"""Issuing exactly once, revoking, re-assigning, verifying — on SQLite and PostgreSQL."""
import threading
from datetime import timedelta

import pytest

from webapp.audit.models import AuditEntry
from webapp.audit.services import verify_chain
from webapp.certification import engine, services
from webapp.certification.models import Certificate, CertificateEvent
from webapp.extensions import db
from webapp.registry import progress_recorded


def certificates() -> list[Certificate]:
    return list(db.session.scalars(db.select(Certificate).order_by(Certificate.id)))


def audit_actions() -> list[str]:
    return list(db.session.scalars(db.select(AuditEntry.action).order_by(AuditEntry.id)))


def test_nothing_is_issued_before_the_requirements_are_met(app, make_user, posts, records, today):
    trainee = make_user()
    services.assign_post(trainee, posts["hotline-agent"], today + timedelta(days=30), None)
    db.session.commit()
    assert services.issue_due_certificates(trainee.id) == []
    (assigned,) = services.assigned_posts(trainee.id)
    assert assigned.evaluation.state is engine.State.IN_PROGRESS
    assert assigned.evaluation.progress == 0 and assigned.evaluation.remaining


def test_the_last_requirement_issues_one_certificate(app, make_user, posts, records, today):
    trainee = make_user()
    post = posts["hotline-agent"]
    services.assign_post(trainee, post, None, None)
    db.session.commit()
    records.complete(trainee, post)
    progress_recorded.send(app, user_id=trainee.id)  # what courses/quizzes/roleplay send after committing
    (certificate,) = certificates()
    assert (certificate.user_id, certificate.post_id, certificate.cycle) == (trainee.id, "hotline-agent", 1)
    assert certificate.valid_until == engine.add_months(today, 24)
    assert certificate.exam_score == 85 and certificate.roleplay_average == 92
    assert certificate.content_versions["post"] == services.definition_of(post).content_hash
    assert set(certificate.content_versions["scenarios"]) == set(services.definition_of(post).requirements.scenario_ids())
    assert len(certificate.code) == 16
    assert certificate.number == f"HA-{certificate.issued_at:%Y}-{certificate.id:06d}"
    # evaluating again issues nothing more
    assert services.issue_due_certificates(trainee.id) == []
    assert audit_actions()[-2:] == ["post.assign", "certificate.issue"] and verify_chain() is None
    (assigned,) = services.assigned_posts(trainee.id)
    assert assigned.evaluation.state is engine.State.CERTIFIED and assigned.certificate.id == certificate.id


def test_two_completions_at_once_issue_exactly_once(app, make_user, posts, records, monkeypatch):
    """Several threads evaluate together, all see the post earned, all insert: one certificate."""
    trainee = make_user()
    post = posts["complaint-specialist"]
    services.assign_post(trainee, post, None, None)
    db.session.commit()
    records.complete(trainee, post)
    threads_count = 4
    everyone_evaluated = threading.Barrier(threads_count, timeout=30)
    original_issue = services._issue

    def issue_after_everyone_evaluated(*args):
        everyone_evaluated.wait()
        return original_issue(*args)

    monkeypatch.setattr(services, "_issue", issue_after_everyone_evaluated)
    issued_counts, errors = [], []

    def complete_concurrently():
        try:
            with app.app_context():
                issued_counts.append(len(services.issue_due_certificates(trainee.id)))
                db.session.remove()
        except Exception as error:  # pragma: no cover - reported below
            errors.append(error)

    threads = [threading.Thread(target=complete_concurrently) for _ in range(threads_count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    assert sorted(issued_counts) == [0] * (threads_count - 1) + [1]
    db.session.expire_all()
    assert len(certificates()) == 1
    assert audit_actions().count("certificate.issue") == 1 and verify_chain() is None


def test_revocation_is_final_until_hr_assigns_again(app, make_user, posts, records, today):
    hr = make_user(role="hr")
    trainee = make_user()
    post = posts["telemarketer"]
    services.assign_post(trainee, post, None, hr)
    db.session.commit()
    records.complete(trainee, post)
    (certificate,) = services.issue_due_certificates(trainee.id)

    services.revoke_certificate(certificate, hr, "  抽检发现服务禁语  ")
    db.session.commit()
    assert certificate.revocation_reason == "抽检发现服务禁语" and certificate.revoked_by_id == hr.id
    with pytest.raises(services.CertificationError):
        services.revoke_certificate(certificate, hr, "again")
    with pytest.raises(services.CertificationError):
        services.revoke_certificate(certificate, hr, " ")
    db.session.rollback()
    # old evidence does not bring the certificate back
    assert services.issue_due_certificates(trainee.id) == []
    (assigned,) = services.assigned_posts(trainee.id)
    assert assigned.evaluation.state is engine.State.REVOKED

    services.assign_post(trainee, post, today + timedelta(days=20), hr)
    db.session.commit()
    (assigned,) = services.assigned_posts(trainee.id)
    assert assigned.evaluation.state is engine.State.IN_PROGRESS and not assigned.evaluation.can_issue
    records.complete(trainee, post, at=certificate.revoked_at + timedelta(seconds=5))
    (second,) = services.issue_due_certificates(trainee.id)
    assert second.cycle == 2
    assert [a for a in audit_actions() if a.startswith("certificate")] == [
        "certificate.issue", "certificate.revoke", "certificate.issue"]


def test_recertification_assigned_opens_the_renewal_window(app, make_user, posts, records, today):
    hr = make_user(role="hr")
    trainee = make_user()
    post = posts["hotline-agent"]
    assignment = services.assign_post(trainee, post, None, hr)
    db.session.commit()
    records.complete(trainee, post)
    (first,) = services.issue_due_certificates(trainee.id)
    services.assign_recertification(assignment, hr, "课程内容重大调整")
    db.session.commit()
    assert db.session.scalar(db.select(CertificateEvent.kind)) == CertificateEvent.RECERTIFICATION_ASSIGNED
    (assigned,) = services.assigned_posts(trainee.id)
    assert assigned.evaluation.state is engine.State.EXPIRING
    assert [item.target_id for item in assigned.evaluation.remaining] == ["hotline-agent.final", "cannot-hear-you",
                                                                          "call-forwarding-confused", "nuisance-caller"]
    records.complete(trainee, post, recertification=True, at=db.session.scalar(db.select(CertificateEvent.at)))
    (renewed,) = services.issue_due_certificates(trainee.id)
    assert renewed.cycle == 2
    assert renewed.valid_until == engine.add_months(first.valid_until, 24)  # renewing early loses nothing


def test_only_holders_can_be_asked_to_recertify(app, make_user, posts):
    hr, trainee = make_user(role="hr"), make_user()
    assignment = services.assign_post(trainee, posts["hotline-agent"], None, hr)
    with pytest.raises(services.CertificationError):
        services.assign_recertification(assignment, hr)


@pytest.mark.parametrize("name, masked", [("张小明", "张*明"), ("张伟", "张*"), ("欧阳小明", "欧**明"), ("李", "李")])
def test_names_are_masked_on_the_public_page(name, masked):
    assert services.masked_name(name) == masked


def test_verify_states(app, make_user, posts, records, today):
    hr, trainee = make_user(role="hr"), make_user(name="张小明")
    post = posts["online-agent"]
    services.assign_post(trainee, post, None, hr)
    db.session.commit()
    records.complete(trainee, post)
    (certificate,) = services.issue_due_certificates(trainee.id)
    valid = services.verify(certificate.code)
    assert (valid.holder, valid.post.id, valid.validity) == ("张*明", "online-agent", engine.Validity.VALID)
    assert valid.valid_until == certificate.valid_until and valid.issued_on == today
    assert services.verify(certificate.code, today=certificate.valid_until + timedelta(days=1)).validity \
        is engine.Validity.EXPIRED
    services.revoke_certificate(certificate, hr, "离岗")
    db.session.commit()
    revoked = services.verify(certificate.code)
    assert revoked.validity is engine.Validity.REVOKED and revoked.revoked_on == today
    assert services.verify("no-such-code") is None


def test_certificate_pdf_names_the_holder_and_the_verification_url(app, make_user, posts, records):
    import io

    from pypdf import PdfReader

    trainee = make_user(name="陈静")
    post = posts["hall-consultant"]
    services.assign_post(trainee, post, None, None)
    db.session.commit()
    records.complete(trainee, post)
    (certificate,) = services.issue_due_certificates(trainee.id)
    app.config["PUBLIC_BASE_URL"] = "https://academy.example.cn"
    text = PdfReader(io.BytesIO(services.certificate_pdf(certificate))).pages[0].extract_text()
    assert "陈静" in text and "营业厅咨询员" in text and certificate.number in text
    assert f"https://academy.example.cn/verify/{certificate.code}" in text
