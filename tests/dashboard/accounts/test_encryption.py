"""Tokens at rest: encrypted under rotatable keys, re-encrypted by ``rotate_encryption_keys``."""

from __future__ import annotations

import io
import time
from pathlib import Path

import pytest
from cryptography.fernet import Fernet
from django.core.management import call_command
from pytest_django.fixtures import Settings

from apps.accounts import crypto
from apps.accounts.models import Connection
from apps.accounts.services import load_token, save_refreshed_token

from .factories import ConnectionFactory, fake_token

pytestmark = pytest.mark.django_db


def test_the_column_holds_no_plaintext_and_decrypts_to_the_token() -> None:
    connection = ConnectionFactory(token=fake_token(7))
    raw = Connection.objects.values_list("token_ciphertext", flat=True).get(pk=connection.pk)
    assert "access-7" not in raw and "refresh-7" not in raw
    assert Connection.objects.get(pk=connection.pk).token["access_token"] == "access-7"


def test_an_old_key_still_decrypts_and_rotation_moves_every_row_to_the_newest(settings: Settings) -> None:
    old, new = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    settings.FIELD_ENCRYPTION_KEYS = [old]
    first, second = ConnectionFactory(token=fake_token(1)), ConnectionFactory(token=fake_token(2))

    settings.FIELD_ENCRYPTION_KEYS = [new, old]
    assert Connection.objects.get(pk=first.pk).token["access_token"] == "access-1"
    third = ConnectionFactory(token=fake_token(3))  # new writes use the newest key already
    Fernet(new.encode()).decrypt(Connection.objects.get(pk=third.pk).token_ciphertext.encode())

    output = io.StringIO()
    call_command("rotate_encryption_keys", stdout=output)
    assert "Re-encrypted 3 connection token(s)" in output.getvalue()

    only_new = Fernet(new.encode())
    for connection, n in ((first, 1), (second, 2), (third, 3)):
        raw = Connection.objects.get(pk=connection.pk).token_ciphertext
        assert b"access-%d" % n in only_new.decrypt(raw.encode())
    settings.FIELD_ENCRYPTION_KEYS = [new]  # the old key can now be dropped
    assert Connection.objects.get(pk=second.pk).token["refresh_token"] == "refresh-2"


def test_a_dropped_key_is_reported_not_guessed(settings: Settings) -> None:
    settings.FIELD_ENCRYPTION_KEYS = [Fernet.generate_key().decode()]
    connection = ConnectionFactory()
    settings.FIELD_ENCRYPTION_KEYS = [Fernet.generate_key().decode()]
    with pytest.raises(crypto.DecryptionError):
        Connection.objects.get(pk=connection.pk).token  # noqa: B018


def test_without_keys_one_is_made_once_under_var(settings: Settings, tmp_path: Path) -> None:
    settings.FIELD_ENCRYPTION_KEYS = []
    settings.FIELD_ENCRYPTION_KEY_FILE = tmp_path / "field-encryption-key"
    secret = crypto.encrypt_json({"a": 1})
    key = settings.FIELD_ENCRYPTION_KEY_FILE.read_bytes()
    assert (settings.FIELD_ENCRYPTION_KEY_FILE.stat().st_mode & 0o777) == 0o600
    assert crypto.decrypt_json(secret) == {"a": 1}
    assert settings.FIELD_ENCRYPTION_KEY_FILE.read_bytes() == key


def test_a_refreshed_token_is_saved_but_never_over_a_newer_one() -> None:
    connection = ConnectionFactory(token=fake_token(1, lifetime=3600), status=Connection.Status.RECONNECT)
    newer = {**fake_token(2), "expires_at": time.time() + 7200}
    save_refreshed_token(connection.pk, newer)
    assert load_token(connection.pk) == newer
    assert Connection.objects.get(pk=connection.pk).status == Connection.Status.ACTIVE
    # A slower refresher arriving later with an older token does not clobber the newer one.
    save_refreshed_token(connection.pk, {**fake_token(3), "expires_at": time.time() + 60})
    assert load_token(connection.pk) == newer
    connection.delete()
    save_refreshed_token(connection.pk, newer)  # a connection removed meanwhile is left alone
    assert load_token(connection.pk) is None


def test_malformed_keys_stop_start_up_without_echoing_them(monkeypatch: pytest.MonkeyPatch) -> None:
    from django.core.exceptions import ImproperlyConfigured

    from ctctdash.settings import base, environment

    good = Fernet.generate_key().decode()
    monkeypatch.setenv("FIELD_ENCRYPTION_KEYS", f"{good},not-a-key-hunter2")
    with pytest.raises(ImproperlyConfigured, match="FIELD_ENCRYPTION_KEYS") as raised:
        environment.read("FIELD_ENCRYPTION_KEYS", base._fernet_keys, default=[])
    assert "hunter2" not in str(raised.value) and good not in str(raised.value)
    assert "key 2 of 2" in str(raised.value)
    monkeypatch.setenv("FIELD_ENCRYPTION_KEYS", f" {good} ,")
    assert environment.read("FIELD_ENCRYPTION_KEYS", base._fernet_keys, default=[]) == [good]
