"""Secrets at rest: one master key in ``data/`` (or ``SECRET_KEY``), never in the repository.

API keys are encrypted with Fernet (AES + HMAC) under a key derived from the master key, so rotating
the master key makes them unreadable (they must be entered again).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import secrets
from functools import cache

from cryptography.fernet import Fernet, InvalidToken

from core.config import Settings, get_settings


class SecretError(RuntimeError):
    """A stored secret cannot be read with the current master key."""


def load_or_create_master_key(settings: Settings) -> bytes:
    """The master key: ``SECRET_KEY`` if set, else the key file, created on first run (0600)."""
    if settings.secret_key:
        return settings.secret_key.encode()
    path = settings.secret_key_file
    if path.exists():
        return path.read_bytes().strip()
    path.parent.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(48).encode()
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(key)
    return key


def derive_key(master: bytes, purpose: str) -> bytes:
    """A 32-byte key for one purpose, so one leak never opens the others."""
    return hmac.new(master, purpose.encode(), hashlib.sha256).digest()


@cache
def _fernet(master: bytes) -> Fernet:
    return Fernet(base64.urlsafe_b64encode(derive_key(master, "api-keys")))


def master_key() -> bytes:
    return load_or_create_master_key(get_settings())


def encrypt(plaintext: str) -> bytes:
    return _fernet(master_key()).encrypt(plaintext.encode())


def decrypt(token: bytes) -> str:
    try:
        return _fernet(master_key()).decrypt(token).decode()
    except InvalidToken as exc:
        raise SecretError("stored secret cannot be decrypted with the current secret key") from exc


def mask(secret: str, visible: int = 4) -> str:
    """How a secret is shown after it was entered: only its last characters."""
    return "••••" + secret[-visible:] if len(secret) > visible else "••••"


def fingerprint(secret: str) -> str:
    """A one-way hash to compare a presented secret with a stored one."""
    return hashlib.sha256(secret.encode()).hexdigest()


def same_secret(presented: str, stored_fingerprint: str) -> bool:
    return hmac.compare_digest(fingerprint(presented), stored_fingerprint)
