"""Encryption of personal data behind one interface, so a certified cryptographic module can be swapped in.

The default provider uses SM4-GCM (GB/T 32907) for encryption and HMAC-SM3 for a blind index (equality look-ups
such as "is this ID-card number already registered" without decrypting every row). Settings name the provider class
(ZHIFA_CRYPTO_PROVIDER) and the key (ZHIFA_FIELD_ENCRYPTION_KEY); without a key, one is derived from SECRET_KEY.
"""

from __future__ import annotations

import base64
import functools
import hashlib
import hmac
import os
from typing import Protocol

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from django.conf import settings
from django.utils.module_loading import import_string


class DecryptionError(Exception):
    """The ciphertext was tampered with or was made with another key."""


class CryptoProvider(Protocol):
    def encrypt(self, plaintext: str) -> str: ...
    def decrypt(self, token: str) -> str: ...
    def blind_index(self, plaintext: str) -> str: ...


class Sm4GcmProvider:
    """SM4-GCM with a random 96-bit nonce; tokens are 'sm4:' + base64(nonce | ciphertext | tag)."""

    prefix = "sm4:"

    def __init__(self, key: bytes):
        if len(key) != 32:
            raise ValueError("key must be 32 bytes: 16 for SM4, 16 for the HMAC of the blind index")
        self._enc_key, self._mac_key = key[:16], key[16:]

    def encrypt(self, plaintext: str) -> str:
        nonce = os.urandom(12)
        encryptor = Cipher(algorithms.SM4(self._enc_key), modes.GCM(nonce)).encryptor()
        body = encryptor.update(plaintext.encode()) + encryptor.finalize()
        return self.prefix + base64.b64encode(nonce + body + encryptor.tag).decode()

    def decrypt(self, token: str) -> str:
        if not token.startswith(self.prefix):
            raise DecryptionError("unknown token format")
        raw = base64.b64decode(token[len(self.prefix) :])
        nonce, body, tag = raw[:12], raw[12:-16], raw[-16:]
        decryptor = Cipher(algorithms.SM4(self._enc_key), modes.GCM(nonce, tag)).decryptor()
        try:
            return (decryptor.update(body) + decryptor.finalize()).decode()
        except Exception as exc:  # InvalidTag
            raise DecryptionError("ciphertext does not authenticate") from exc

    def blind_index(self, plaintext: str) -> str:
        mac = hmac.new(self._mac_key, plaintext.encode(), digestmod=_sm3)
        return mac.hexdigest()


def _sm3(data: bytes = b""):
    # hashlib has no SM3 on every OpenSSL; cryptography does. Adapt it to the hashlib interface hmac expects.
    return _Sm3Hash(data)


class _Sm3Hash:
    digest_size = 32
    block_size = 64
    name = "sm3"

    def __init__(self, data: bytes = b""):
        self._h = hashes.Hash(hashes.SM3())
        if data:
            self._h.update(data)

    def update(self, data: bytes) -> None:
        self._h.update(data)

    def copy(self):
        clone = _Sm3Hash.__new__(_Sm3Hash)
        clone._h = self._h.copy()
        return clone

    def digest(self) -> bytes:
        return self._h.copy().finalize()

    def hexdigest(self) -> str:
        return self.digest().hex()


def _key() -> bytes:
    if settings.FIELD_ENCRYPTION_KEY:
        return bytes.fromhex(settings.FIELD_ENCRYPTION_KEY)
    return hashlib.sha256(b"zhifa-field-key:" + settings.SECRET_KEY.encode()).digest()


@functools.cache
def get_provider() -> CryptoProvider:
    return import_string(settings.CRYPTO_PROVIDER)(_key())
