"""The RS256 key that signs access tokens, and the JWKS that publishes it."""

from __future__ import annotations

import base64
import hashlib
import json
import os
from functools import cache
from typing import Any

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from django.conf import settings
from jwt.algorithms import RSAAlgorithm


@cache
def signing_key() -> rsa.RSAPrivateKey:
    """The private key: from ``V3_JWT_PRIVATE_KEY``, else made once and kept under var/."""
    pem = settings.V3_JWT_PRIVATE_KEY
    if not pem:
        path = settings.V3_JWT_KEY_FILE
        if not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
            key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
            data = key.private_bytes(
                serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
            )
            # Written with O_EXCL so two processes starting together cannot each make a key.
            try:
                fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            except FileExistsError:
                pass
            else:
                with os.fdopen(fd, "wb") as handle:
                    handle.write(data)
        pem = path.read_text()
    loaded = serialization.load_pem_private_key(pem.encode(), password=None)
    if not isinstance(loaded, rsa.RSAPrivateKey):
        raise ValueError("V3_JWT_PRIVATE_KEY must be an RSA private key")
    return loaded


@cache
def public_jwk() -> dict[str, Any]:
    """The public half as a JWK, with ``kid`` set to its RFC 7638 thumbprint."""
    jwk: dict[str, Any] = json.loads(RSAAlgorithm.to_jwk(signing_key().public_key()))
    jwk["kid"] = _thumbprint(jwk)
    jwk.update({"use": "sig", "alg": "RS256"})
    return jwk


def _thumbprint(jwk: dict[str, Any]) -> str:
    canonical = json.dumps({k: jwk[k] for k in ("e", "kty", "n")}, separators=(",", ":"), sort_keys=True)
    return base64.urlsafe_b64encode(hashlib.sha256(canonical.encode()).digest()).rstrip(b"=").decode()


def key_id() -> str:
    """The ``kid`` every token carries."""
    return str(public_jwk()["kid"])


def jwks() -> dict[str, Any]:
    """The key set served at ``/oauth2/default/v1/keys``."""
    return {"keys": [public_jwk()]}
