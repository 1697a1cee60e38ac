from webapp.api import signing

BODY = b'{"event":"certificate.issued"}'


def test_the_signature_covers_the_timestamp_and_the_body():
    headers = signing.headers("s" * 20, "certificate.issued", 7, 1_700_000_000, BODY)
    assert headers["X-Hotline-Signature"].startswith("sha256=")
    assert signing.is_authentic("s" * 20, headers["X-Hotline-Timestamp"], BODY, headers["X-Hotline-Signature"],
                                now=1_700_000_010)
    assert not signing.is_authentic("s" * 20, "1700000001", BODY, headers["X-Hotline-Signature"], now=1_700_000_010)
    assert not signing.is_authentic("s" * 20, "1700000000", BODY + b" ", headers["X-Hotline-Signature"],
                                    now=1_700_000_010)
    assert not signing.is_authentic("t" * 20, "1700000000", BODY, headers["X-Hotline-Signature"], now=1_700_000_010)


def test_an_old_delivery_is_refused_as_a_replay():
    signature = signing.signature("s" * 20, 1_700_000_000, BODY)
    assert not signing.is_authentic("s" * 20, "1700000000", BODY, signature, now=1_700_000_000 + 3600)
