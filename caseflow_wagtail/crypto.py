"""Secrets at rest: Fernet (AES-128-CBC + HMAC) from ``cryptography``, with key rotation.

Keys come from ``CASEFLOW_WAGTAIL["ENCRYPTION_KEYS"]`` (newest first; every key decrypts, the first
encrypts). Without them a key is derived from ``SECRET_KEY``, which ``manage.py check --deploy`` flags
(W010).
"""

from __future__ import annotations

import base64

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings

from . import conf
from .exceptions import ConfigurationError


def _derived_key() -> bytes:
    hkdf = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=b"caseflow-wagtail secrets v1")
    return base64.urlsafe_b64encode(hkdf.derive(settings.SECRET_KEY.encode()))


def _fernet() -> MultiFernet:
    keys = conf.get("ENCRYPTION_KEYS") or []
    if isinstance(keys, str):
        keys = [keys]
    try:
        fernets = [Fernet(key) for key in keys] or [Fernet(_derived_key())]
    except (ValueError, TypeError) as error:
        raise ConfigurationError(
            f"{conf.setting_name('ENCRYPTION_KEYS')} must list Fernet keys "
            "(generate one with: python -m caseflow_wagtail.crypto)."
        ) from error
    return MultiFernet(fernets)


class Secret(str):
    """A decrypted secret: an ordinary string to code, stars to ``repr``, so debug pages, error reports
    and log lines that print local variables never show it (Django's ``sensitive_variables`` only acts
    when DEBUG is off)."""

    __slots__ = ()

    def __repr__(self) -> str:
        return "'********'"


def encrypt(plaintext: str) -> str:
    if not plaintext:
        return ""
    return _fernet().encrypt(plaintext.encode()).decode()


def decrypt(token: str) -> str:
    if not token:
        return ""
    try:
        return Secret(_fernet().decrypt(token.encode()).decode())
    except InvalidToken as error:
        raise ConfigurationError(
            "A stored Stripe secret cannot be decrypted: the encryption key changed. Keep the old key in "
            f"{conf.setting_name('ENCRYPTION_KEYS')} (after the new one) until the secrets are saved again."
        ) from error


def rotate(token: str) -> str:
    """Re-encrypt with the newest key (see the README's key rotation steps)."""
    return _fernet().rotate(token.encode()).decode() if token else ""


def is_using_derived_key() -> bool:
    return not conf.get("ENCRYPTION_KEYS")


if __name__ == "__main__":
    print(Fernet.generate_key().decode())
