import stat

import pytest

from core import crypto


def test_api_keys_round_trip_and_are_not_stored_in_clear(app_settings) -> None:
    token = crypto.encrypt("d360-secret-key-1234")
    assert b"d360-secret-key-1234" not in token
    assert crypto.decrypt(token) == "d360-secret-key-1234"


def test_master_key_is_created_once_private(app_settings) -> None:
    first = crypto.master_key()
    path = app_settings.secret_key_file
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert crypto.master_key() == first


def test_a_different_key_cannot_read_old_secrets(app_settings, monkeypatch) -> None:
    token = crypto.encrypt("abc")
    monkeypatch.setattr(crypto, "master_key", lambda: b"another-master-key")
    with pytest.raises(crypto.SecretError):
        crypto.decrypt(token)


def test_masking_and_fingerprints() -> None:
    assert crypto.mask("abcdefgh1234") == "••••1234"
    assert crypto.mask("abc") == "••••"
    assert crypto.same_secret("s3cret", crypto.fingerprint("s3cret"))
    assert not crypto.same_secret("other", crypto.fingerprint("s3cret"))
