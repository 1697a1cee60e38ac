from datetime import datetime, timedelta

import pytest

from webapp.api import tokens

NOW = datetime(2026, 5, 1, 12, 0)


def current(scopes=("roster:read",), expires_in=timedelta(days=1), revoked_at=None) -> tokens.TokenState:
    return tokens.TokenState(scopes, NOW + expires_in, revoked_at)


def test_a_secret_is_long_random_and_stored_only_as_its_hash():
    first, second = tokens.new_secret(), tokens.new_secret()
    assert first != second and first.startswith("hla_") and len(first) > 40
    assert tokens.secret_hash(first) != first and len(tokens.secret_hash(first)) == 64


@pytest.mark.parametrize("header", [None, "", "Basic abc", "Bearer ", "Bearer"])
def test_a_request_without_a_bearer_token_is_refused_with_401(header):
    with pytest.raises(tokens.TokenRefused) as refused:
        tokens.bearer_secret(header)
    assert refused.value.status == 401


def test_bearer_secret_is_read_from_the_header():
    assert tokens.bearer_secret("Bearer hla_abc") == "hla_abc"


@pytest.mark.parametrize("token, scope, status", [
    (None, "roster:read", 401),
    (current(revoked_at=NOW - timedelta(hours=1)), "roster:read", 401),
    (current(expires_in=timedelta(0)), "roster:read", 401),
    (current(), "certificates:read", 403),
])
def test_unknown_revoked_expired_and_wrong_scope_tokens_are_refused(token, scope, status):
    with pytest.raises(tokens.TokenRefused) as refused:
        tokens.check_token(token, scope, NOW)
    assert refused.value.status == status


def test_a_current_token_with_the_scope_passes():
    tokens.check_token(current(), "roster:read", NOW)


def test_cursors_round_trip_and_garbage_names_the_field():
    assert tokens.decode_cursor(tokens.encode_cursor(41)) == 41
    assert tokens.decode_cursor(None) == 0
    for garbage in ("%%%", "abc", tokens.encode_cursor(41)[:-2] + "zz", "djE6LTE"):  # last: "v1:-1"
        with pytest.raises(tokens.BadParameter) as bad:
            tokens.decode_cursor(garbage)
        assert bad.value.field == "cursor"


@pytest.mark.parametrize("text", ["0", "201", "-1", "ten", "1.5"])
def test_a_limit_out_of_bounds_names_the_field(text):
    with pytest.raises(tokens.BadParameter) as bad:
        tokens.page_limit(text)
    assert bad.value.field == "limit"


def test_updated_since_accepts_iso_with_offsets_and_stores_utc():
    assert tokens.since("2026-03-01T08:00:00+08:00") == datetime(2026, 3, 1, 0, 0)
    assert tokens.since("2026-03-01T00:00:00Z") == datetime(2026, 3, 1, 0, 0)
    with pytest.raises(tokens.BadParameter) as bad:
        tokens.since("yesterday")
    assert bad.value.field == "updated_since"
