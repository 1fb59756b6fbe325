"""Fixtures for the foundation tests: a production environment that passes every check."""

from __future__ import annotations

import os
import secrets
from pathlib import Path

import pytest
from cryptography.fernet import Fernet
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa


@pytest.fixture(scope="session")
def jwt_private_key_pem() -> str:
    """An RSA key in PEM, as an operator would put into V3_JWT_PRIVATE_KEY."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()


@pytest.fixture
def production_env(tmp_path: Path, jwt_private_key_pem: str) -> dict[str, str]:
    """The app variables docker/.env.example documents, with valid values, and nothing else."""
    return {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "DJANGO_SETTINGS_MODULE": "ctctdash.settings.production",
        "CTCTDASH_VAR_DIR": str(tmp_path / "var"),
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(64),
        "DJANGO_ALLOWED_HOSTS": "ctctdash.example.com",
        "DJANGO_CSRF_TRUSTED_ORIGINS": "https://ctctdash.example.com",
        "CTCTDASH_SITE_URL": "https://ctctdash.example.com",
        "DATABASE_URL": "postgres://ctctdash:hunter2@postgres.internal:5432/ctctdash",
        "CELERY_BROKER_URL": "redis://redis.internal:6379/0",
        "REDIS_URL": "redis://redis.internal:6379/1",
        "EMAIL_URL": "smtp+tls://mailer:hunter2@smtp.example.com:587",
        "V3_JWT_PRIVATE_KEY": jwt_private_key_pem,
        "FIELD_ENCRYPTION_KEYS": Fernet.generate_key().decode(),
    }
