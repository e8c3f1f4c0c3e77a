"""Secrets the service must read back (two-step sign-in keys), encrypted with AES-256-GCM under
a key derived from SECRET_KEY, so a copy of the database or a backup alone does not give them."""

from __future__ import annotations

import base64
import binascii
import secrets

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

NONCE_BYTES = 12
VERSION = "v1"  # written before each sealed value, so the scheme can change later


def _key(secret_key: str, purpose: str) -> bytes:
    # One key per purpose: a value sealed for one use cannot be opened as another.
    return HKDF(
        algorithm=hashes.SHA256(), length=32, salt=None, info=f"qist-consult:{purpose}".encode()
    ).derive(secret_key.encode())


def seal(secret_key: str, purpose: str, plaintext: str) -> str:
    nonce = secrets.token_bytes(NONCE_BYTES)
    sealed = AESGCM(_key(secret_key, purpose)).encrypt(nonce, plaintext.encode(), None)
    return VERSION + ":" + base64.urlsafe_b64encode(nonce + sealed).decode("ascii")


def unseal(secret_key: str, purpose: str, token: str) -> str | None:
    """The plaintext, or None when `token` was not sealed with this key and purpose."""
    version, _, body = token.partition(":")
    if version != VERSION:
        return None
    try:
        raw = base64.urlsafe_b64decode(body.encode("ascii"))
        opened = AESGCM(_key(secret_key, purpose)).decrypt(
            raw[:NONCE_BYTES], raw[NONCE_BYTES:], None
        )
    except (InvalidTag, ValueError, binascii.Error, UnicodeEncodeError):
        return None
    return opened.decode()
