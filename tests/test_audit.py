from webapp.audit import services
from webapp.audit.models import AuditEntry
from webapp.extensions import db


def test_entries_form_a_chain_and_tampering_is_detected(app, make_user):
    admin = make_user(role="admin")
    for number in range(3):
        services.record("user.create", f"user:{number}", {"n": number}, actor=admin)
    db.session.commit()
    assert services.verify_chain() is None
    entries = db.session.execute(db.select(AuditEntry).order_by(AuditEntry.id)).scalars().all()
    assert entries[-1].actor_label.startswith(admin.employee_no)
    entries[1].details = {"n": 99}
    db.session.commit()
    assert services.verify_chain() == entries[1].id


def test_deleting_an_entry_breaks_the_chain(app):
    for number in range(3):
        services.record("export", f"t{number}")
    db.session.commit()
    middle = db.session.execute(db.select(AuditEntry).order_by(AuditEntry.id).offset(1).limit(1)).scalar_one()
    db.session.delete(middle)
    db.session.commit()
    assert services.verify_chain() is not None
