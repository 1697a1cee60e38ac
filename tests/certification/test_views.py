"""Trainee dashboard, certificate page and PDF, public verification page."""
from datetime import timedelta

from webapp.certification import pdf, services
from webapp.certification.models import Certificate
from webapp.extensions import db


def issued_certificate(trainee, post, records) -> Certificate:
    services.assign_post(trainee, post, None, None)
    db.session.commit()
    records.complete(trainee, post)
    (certificate,) = services.issue_due_certificates(trainee.id)
    return certificate


def test_dashboard_shows_progress_and_what_is_left_with_links(client, auth, make_user, posts, records, today):
    trainee = make_user()
    services.assign_post(trainee, posts["telemarketer"], today + timedelta(days=30), None)
    db.session.commit()
    auth.login(trainee)
    page = client.get("/certification/").get_data(as_text=True)
    assert 'data-post="telemarketer"' in page and 'data-state="in_progress"' in page
    assert 'aria-valuenow="0"' in page
    assert 'href="/courses/telemarketing/"' in page
    assert 'href="/quizzes/#telemarketer.final"' in page
    assert 'href="/roleplay/#outbound-telemarketing"' in page


def test_dashboard_issues_on_demand_and_links_the_certificate(client, auth, make_user, posts, records):
    trainee = make_user()
    services.assign_post(trainee, posts["online-agent"], None, None)
    db.session.commit()
    records.complete(trainee, posts["online-agent"])
    auth.login(trainee)
    page = client.get("/certification/").get_data(as_text=True)
    certificate = db.session.scalar(db.select(Certificate))
    assert 'data-state="certified"' in page
    assert f'/certification/certificates/{certificate.id}"' in page


def test_home_panel_for_trainees(client, auth, make_user, posts):
    trainee = make_user()
    services.assign_post(trainee, posts["hotline-agent"], None, None)
    db.session.commit()
    auth.login(trainee)
    page = client.get("/").get_data(as_text=True)
    assert 'id="trainee-plan"' in page and "10000号客服代表" in page and 'id="continue"' in page


def test_certificate_page_and_pdf_for_the_holder_only(client, auth, make_user, posts, records):
    trainee, other = make_user(name="张小明"), make_user()
    certificate = issued_certificate(trainee, posts["hotline-agent"], records)
    auth.login(trainee)
    page = client.get(f"/certification/certificates/{certificate.id}").get_data(as_text=True)
    assert certificate.number in page and f"/verify/{certificate.code}" in page
    pdf = client.get(f"/certification/certificates/{certificate.id}/pdf")
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf" and pdf.data.startswith(b"%PDF")
    assert f"certificate-{certificate.number}.pdf" in pdf.headers["Content-Disposition"]
    auth.logout()
    auth.login(other)
    assert client.get(f"/certification/certificates/{certificate.id}").status_code == 404
    assert client.get(f"/certification/certificates/{certificate.id}/pdf").status_code == 404


def test_hr_sees_any_certificate(client, auth, make_user, posts, records):
    certificate = issued_certificate(make_user(), posts["hotline-agent"], records)
    auth.login(make_user(role="hr"))
    assert client.get(f"/certification/certificates/{certificate.id}").status_code == 200


def test_public_verification_valid_expired_revoked_and_unknown(client, make_user, posts, records, today):
    hr = make_user(role="hr")
    certificate = issued_certificate(make_user(name="王小丽"), posts["hall-consultant"], records)
    page = client.get(f"/verify/{certificate.code}")  # nobody signed in
    text = page.get_data(as_text=True)
    assert page.status_code == 200 and 'data-validity="valid"' in text
    assert "王*丽" in text and "王小丽" not in text and "营业厅咨询员" in text
    assert certificate.valid_until.isoformat() in text and certificate.number in text
    assert "由热线学院（Hotline Academy）颁发" in text and "客服学院" not in text.replace("热线学院", "")
    client.post("/language/en")
    assert "Issued by Hotline Academy" in client.get(f"/verify/{certificate.code}").get_data(as_text=True)
    client.post("/language/zh_CN")

    certificate.valid_until = today - timedelta(days=1)
    db.session.commit()
    assert 'data-validity="expired"' in client.get(f"/verify/{certificate.code}").get_data(as_text=True)

    services.revoke_certificate(certificate, hr, "离岗")
    db.session.commit()
    revoked = client.get(f"/verify/{certificate.code}").get_data(as_text=True)
    assert 'data-validity="revoked"' in revoked and "离岗" not in revoked  # the reason stays internal

    unknown = client.get("/verify/not-a-real-code")
    assert unknown.status_code == 404 and "王" not in unknown.get_data(as_text=True)


def test_verification_is_rate_limited(client):
    statuses = [client.get(f"/verify/guess-{number}").status_code for number in range(31)]
    assert statuses[:30] == [404] * 30 and statuses[30] == 429


def test_a_revoked_certificate_has_no_pdf_to_download(client, auth, make_user, posts, records):
    """A "revoked" stamp can be cropped off a copy; a refusal cannot (and the QR code's page says revoked)."""
    trainee, hr = make_user(), make_user(role="hr")
    certificate = issued_certificate(trainee, posts["hotline-agent"], records)
    services.revoke_certificate(certificate, hr, "离岗")
    db.session.commit()
    auth.login(trainee)
    page = client.get(f"/certification/certificates/{certificate.id}").get_data(as_text=True)
    assert 'id="download-pdf"' not in page and 'id="no-pdf"' in page
    refused = client.get(f"/certification/certificates/{certificate.id}/pdf")
    text = refused.get_data(as_text=True)
    assert refused.status_code == 410 and refused.mimetype == "text/html"
    assert "此证书已撤销" in text and certificate.number in text
    auth.logout()
    auth.login(hr)
    assert client.get(f"/certification/certificates/{certificate.id}/pdf").status_code == 410


def test_an_unknown_code_shows_that_there_is_no_such_certificate(client):
    page = client.get("/verify/not-a-real-code")
    text = page.get_data(as_text=True)
    assert page.status_code == 404 and "查无此证书" in text and "not-a-real-code" in text
    client.post("/language/en", data={"next": "/"})
    english = client.get("/verify/not-a-real-code").get_data(as_text=True)
    assert "No such certificate" in english and "not-a-real-code" in english
    overlong = client.get("/verify/" + "x" * 5000)
    section = overlong.get_data(as_text=True).split('id="verification"')[1].split("</section>")[0]
    assert overlong.status_code == 404 and "x" * 30 in section and "x" * 41 not in section
    with_nul = client.get("/verify/a%00b")
    assert with_nul.status_code == 400 and "“code”" in with_nul.get_data(as_text=True)


def test_without_a_chinese_font_the_pdf_page_says_so(client, auth, make_user, posts, records, monkeypatch):
    """A machine set up with ./scripts/serve alone may lack the font: a clear page, not a 500."""
    trainee = make_user()
    certificate = issued_certificate(trainee, posts["hotline-agent"], records)
    monkeypatch.setattr(pdf, "CJK_FONT_PATH", "/nonexistent/font.ttc")
    monkeypatch.setattr(pdf.shutil, "which", lambda name: None)
    pdf.find_cjk_font.cache_clear()
    auth.login(trainee)
    try:
        refused = client.get(f"/certification/certificates/{certificate.id}/pdf")
    finally:
        pdf.find_cjk_font.cache_clear()
    text = refused.get_data(as_text=True)
    assert refused.status_code == 503 and refused.mimetype == "text/html"
    assert 'id="pdf-unavailable"' in text and "fonts-wqy-zenhei" in text
