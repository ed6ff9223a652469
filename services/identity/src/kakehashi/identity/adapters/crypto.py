"""Password hashing (argon2id), sealing secrets at rest (AES-256-GCM), one-time link tokens and
TOTP codes."""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import secrets
from datetime import datetime

import pyotp
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

TOTP_ISSUER = "Kakehashi"
TOTP_STEP_S = 30
# Recovery codes: 10 characters from an alphabet without look-alikes (0/o, 1/l/i), about 49 bits
# each, typed from paper; shown as two groups of five.
RECOVERY_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"
RECOVERY_LENGTH = 10


class Passwords:
    """argon2id with the settings' cost; a dummy hash makes unknown emails cost the same."""

    def __init__(self, time_cost: int, memory_kib: int, parallelism: int) -> None:
        self._hasher = PasswordHasher(
            time_cost=time_cost, memory_cost=memory_kib, parallelism=parallelism
        )
        self._dummy = self._hasher.hash(secrets.token_urlsafe(16))

    def hash(self, password: str) -> str:
        return self._hasher.hash(password)

    def verify(self, password_hash: str | None, password: str) -> bool:
        """True when `password` matches; with no hash (unknown email, not yet invited in) the
        same work is done against a dummy, and the answer is False."""
        try:
            return self._hasher.verify(password_hash or self._dummy, password) and bool(
                password_hash
            )
        except (VerificationError, InvalidHashError):
            return False

    def needs_rehash(self, password_hash: str) -> bool:
        return self._hasher.check_needs_rehash(password_hash)


class Sealer:
    """AES-256-GCM under a key derived (HKDF-SHA256) from the key-encryption secret.

    `context` is authenticated with the ciphertext, so a sealed value moved to another row (a
    signing key under another kid, a user's TOTP secret to another user) does not open.
    """

    def __init__(self, secret: str) -> None:
        kdf = HKDF(hashes.SHA256(), 32, salt=None, info=b"kakehashi identity sealing v1")
        self._aead = AESGCM(kdf.derive(secret.encode()))

    def seal(self, plaintext: bytes, context: str) -> str:
        nonce = os.urandom(12)
        sealed = self._aead.encrypt(nonce, plaintext, context.encode())
        return base64.urlsafe_b64encode(nonce + sealed).decode()

    def open(self, sealed: str, context: str) -> bytes:
        raw = base64.urlsafe_b64decode(sealed.encode())
        return self._aead.decrypt(raw[:12], raw[12:], context.encode())


def new_link_token() -> tuple[str, str]:
    """A fresh link token (256 bits, URL-safe) and the SHA-256 under which it is stored."""
    token = secrets.token_urlsafe(32)
    return token, hash_link_token(token)


def hash_link_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def new_totp_secret() -> str:
    return pyotp.random_base32()


def totp_uri(secret: str, email: str) -> str:
    """The otpauth:// URI authenticator apps read (usually from a QR code)."""
    return pyotp.TOTP(secret).provisioning_uri(name=email, issuer_name=TOTP_ISSUER)


def totp_step(secret: str, code: str, now: datetime) -> int | None:
    """The 30-second step whose code `code` is (this one or one either side), else None."""
    if not (code.isdigit() and len(code) == 6):
        return None
    totp = pyotp.TOTP(secret)
    step = int(now.timestamp()) // TOTP_STEP_S
    for candidate in (step, step - 1, step + 1):
        if hmac.compare_digest(totp.at(candidate * TOTP_STEP_S), code):
            return candidate
    return None


def new_recovery_codes(count: int) -> list[str]:
    """Fresh recovery codes as shown to the user once (`abcde-fghjk`)."""
    codes = []
    for _ in range(count):
        raw = "".join(secrets.choice(RECOVERY_ALPHABET) for _ in range(RECOVERY_LENGTH))
        codes.append(f"{raw[:5]}-{raw[5:]}")
    return codes


def hash_recovery_code(code: str) -> str:
    """The SHA-256 a recovery code is stored and looked up under, whatever case, spaces or
    dashes it was typed with (the codes are random, so no salt or slow hash is needed)."""
    canonical = "".join(c for c in code.lower() if c.isalnum())
    return hashlib.sha256(canonical.encode()).hexdigest()
