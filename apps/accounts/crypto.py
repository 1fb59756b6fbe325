"""Encryption at rest for stored secrets (OAuth tokens), under rotatable Fernet keys.

Keys come from ``settings.FIELD_ENCRYPTION_KEYS`` (newest first): the newest encrypts, every key
decrypts, so a new key is rolled out by putting it in front and running
``manage.py rotate_encryption_keys``, after which the old one can be dropped. Production must set
the variable; elsewhere a key is generated once under ``settings.VAR_DIR`` (like the JWT signing
key), so ``make run`` and the tests need no set-up.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

__all__ = ["DecryptionError", "decrypt_json", "encrypt_json", "fernet", "rotate"]


class DecryptionError(Exception):
    """A stored value that none of the configured keys can decrypt (a key was dropped too early)."""


def _local_key(path: Path) -> bytes:
    """The key kept under var/, made on first use; O_EXCL so concurrent first uses agree on one key."""
    try:
        return path.read_bytes().strip()
    except FileNotFoundError:
        pass
    path.parent.mkdir(parents=True, exist_ok=True)
    key = Fernet.generate_key()
    try:
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return path.read_bytes().strip()  # another process won the race; use its key
    with os.fdopen(descriptor, "wb") as handle:
        handle.write(key)
    return key


def fernet() -> MultiFernet:
    """The configured keys, newest first. Read per call so a changed setting takes effect at once."""
    configured: list[str] = list(getattr(settings, "FIELD_ENCRYPTION_KEYS", []) or [])
    keys = [key.encode() for key in configured] or [_local_key(Path(settings.FIELD_ENCRYPTION_KEY_FILE))]
    try:
        return MultiFernet([Fernet(key) for key in keys])
    except ValueError as exc:  # settings validate the variable; this guards values set in code
        raise ImproperlyConfigured("FIELD_ENCRYPTION_KEYS holds a value that is not a Fernet key") from exc


def encrypt_json(value: Any) -> str:
    """``value`` as JSON, encrypted with the newest key (URL-safe text, fit for a TextField)."""
    return fernet().encrypt(json.dumps(value, separators=(",", ":")).encode()).decode()


def decrypt_json(ciphertext: str) -> Any:
    """The JSON value ``encrypt_json`` stored, decrypted with whichever configured key made it."""
    try:
        return json.loads(fernet().decrypt(ciphertext.encode()))
    except InvalidToken as exc:
        raise DecryptionError("no configured FIELD_ENCRYPTION_KEYS key decrypts this value") from exc


def rotate(ciphertext: str) -> str:
    """``ciphertext`` re-encrypted with the newest key, without the plaintext leaving this call."""
    try:
        return fernet().rotate(ciphertext.encode()).decode()
    except InvalidToken as exc:
        raise DecryptionError("no configured FIELD_ENCRYPTION_KEYS key decrypts this value") from exc
