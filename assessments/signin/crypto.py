"""Secrets kept in the database (TOTP keys, single sign-on client secrets), encrypted with Fernet.

The key is derived from FIELD_ENCRYPTION_KEY, or from DJANGO_SECRET_KEY when that is unset: a copy of the
database alone does not give the secrets away.
"""

import base64
import hashlib

from cryptography.fernet import Fernet
from django.conf import settings


def _fernet() -> Fernet:
    material = settings.FIELD_ENCRYPTION_KEY or settings.SECRET_KEY
    key = hashlib.sha256(f"lhs-portal field encryption:{material}".encode()).digest()
    return Fernet(base64.urlsafe_b64encode(key))


def encrypt(text: str) -> str:
    return _fernet().encrypt(text.encode()).decode()


def decrypt(token: str) -> str:
    return _fernet().decrypt(token.encode()).decode()
