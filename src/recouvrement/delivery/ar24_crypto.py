"""AR24's request signature and answer encryption.

The AR24 API (« Sign your requests » in AR24's API documentation, 2021 onwards) signs
each request with a ``signature`` header and encrypts each successful answer, both with
AES-256-CBC and PKCS#7 padding, base64-encoded, keyed from the account's private key:

- signature = AES(key = sha256_hex(private_key)[:32], iv = sha256_hex(sha256_hex(
  private_key))[:16], plaintext = the request's ``date`` field « YYYY-MM-DD HH:MM:SS »);
- answer = AES(key = sha256_hex(date + private_key)[:32], same iv, plaintext = JSON).

The keys are the *hexadecimal text* of the digests, cut to the cipher's sizes, as PHP's
``openssl_encrypt`` does with a long string key. Errors come back in clear JSON. This
was cross-checked against public clients (a Symfony client and a TypeScript client agree;
a Node client that keys the signature with sha256(date + private_key) does not match) and
against the vector of AR24's installation guide, replayed here (its plaintext is the
guide's, not strict JSON):

>>> sign("2021-05-26 14:00:00", "7X9gx9E3Qx4EiUdB63nc")
'bDop0cbjKpkySlpvnNGvBMg7PuYFFgPPqTTS2RAHoY0='
>>> decrypt_answer("WwBOU6s8DaMWmYdctBJwfuoujFgVygBUjhsbdf8eWqQ=", "2021-05-26 14:00:00",
...                "7X9gx9E3Qx4EiUdB63nc")
'{status: "SUCCESS"}'
"""

from __future__ import annotations

import base64
import binascii
import hashlib

from cryptography.hazmat.primitives import padding
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

from .errors import DeliveryError

DATE_FORMAT = "%Y-%m-%d %H:%M:%S"  # AR24's request date, Paris time


class Ar24CryptoError(DeliveryError):
    """An answer that does not decrypt with the account's key."""


def sign(date: str, private_key: str) -> str:
    """The ``signature`` header of a request sent with this ``date``."""
    return _encrypt(date.encode(), _signature_key(private_key), _iv(private_key))


def encrypt_answer(plaintext: str, date: str, private_key: str) -> str:
    """An answer as AR24 encrypts it (the stand-in's side)."""
    return _encrypt(plaintext.encode(), _answer_key(date, private_key), _iv(private_key))


def decrypt_answer(ciphertext: str, date: str, private_key: str) -> str:
    """The JSON text of an answer to a request sent with this ``date``."""
    return _decrypt(ciphertext, _answer_key(date, private_key), _iv(private_key))


def decrypt_signature(signature: str, private_key: str) -> str:
    """The date a signature was made for (the stand-in checks requests with it)."""
    return _decrypt(signature, _signature_key(private_key), _iv(private_key))


def _signature_key(private_key: str) -> bytes:
    return _hex_sha256(private_key)[:32].encode()


def _answer_key(date: str, private_key: str) -> bytes:
    return _hex_sha256(date + private_key)[:32].encode()


def _iv(private_key: str) -> bytes:
    return _hex_sha256(_hex_sha256(private_key))[:16].encode()


def _hex_sha256(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def _encrypt(plaintext: bytes, key: bytes, iv: bytes) -> str:
    padder = padding.PKCS7(128).padder()
    padded = padder.update(plaintext) + padder.finalize()
    encryptor = Cipher(algorithms.AES(key), modes.CBC(iv)).encryptor()
    return base64.b64encode(encryptor.update(padded) + encryptor.finalize()).decode()


def _decrypt(ciphertext: str, key: bytes, iv: bytes) -> str:
    try:
        raw = base64.b64decode(ciphertext, validate=True)
        decryptor = Cipher(algorithms.AES(key), modes.CBC(iv)).decryptor()
        padded = decryptor.update(raw) + decryptor.finalize()
        unpadder = padding.PKCS7(128).unpadder()
        return (unpadder.update(padded) + unpadder.finalize()).decode()
    except (ValueError, binascii.Error) as error:
        raise Ar24CryptoError(
            f"Réponse AR24 indéchiffrable avec la clé privée configurée ({error})."
        ) from None
