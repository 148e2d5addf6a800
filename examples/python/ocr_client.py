"""A small client of the NHN Cloud Document OCR API v2.0 / v2.1 (credit card and ID card behind
the RSA + AES "electronic envelope"), written from the official guide
(TOAST-DOCS/OCR en/document-ocr-api-guide-v2.0.md and -v2.1.md). It works unchanged against the
live service and against nhn-ocr-emulator: only the base URL and the credentials differ.

    client = OcrClient.v20("http://127.0.0.1:8080", "emulator-appkey", "emulator-secretkey")
    answer = client.credit_card(open("card.jpg", "rb").read())
    number = answer.decrypt(answer.body["result"]["totalCardNum"])
"""
from __future__ import annotations

import base64
import os
from dataclasses import dataclass

import requests
from cryptography.hazmat.primitives import padding, serialization
from cryptography.hazmat.primitives.asymmetric import padding as rsa_padding
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

TIMEOUT_SECONDS = 30


class Envelope:
    """One request's symmetric key: 32 random bytes (a new one for every request, as the guide
    recommends), AES-256-CBC with PKCS#7 padding and IV = the key's first 16 bytes."""

    def __init__(self, key: bytes | None = None) -> None:
        self.key = key if key is not None else os.urandom(32)

    def _cipher(self) -> Cipher:
        return Cipher(algorithms.AES(self.key), modes.CBC(self.key[:16]))

    def encrypt(self, plain: bytes) -> bytes:
        padder = padding.PKCS7(128).padder()
        encryptor = self._cipher().encryptor()
        return encryptor.update(padder.update(plain) + padder.finalize()) + encryptor.finalize()

    def decrypt(self, value_b64: str) -> str:
        """Decrypts one base64 value of an answer (e.g. totalCardNum) to text."""
        decryptor = self._cipher().decryptor()
        padded = decryptor.update(base64.b64decode(value_b64)) + decryptor.finalize()
        unpadder = padding.PKCS7(128).unpadder()
        return (unpadder.update(padded) + unpadder.finalize()).decode("utf-8")

    def encrypt_text(self, text: str) -> str:
        return base64.b64encode(self.encrypt(text.encode("utf-8"))).decode("ascii")

    def wrapped_key(self, public_key_b64: str) -> str:
        """The Symmetric-Key header: the key wrapped with RSA PKCS#1 v1.5 (Java's
        RSA/ECB/PKCS1Padding) under the public key, a base64 DER SubjectPublicKeyInfo."""
        public_key = serialization.load_der_public_key(base64.b64decode(public_key_b64))
        return base64.b64encode(public_key.encrypt(self.key, rsa_padding.PKCS1v15())).decode("ascii")


@dataclass
class Answer:
    """An API answer: the JSON body, the Request-Key header (id-card only) and the envelope
    whose key decrypts the body's encrypted values."""

    status: int
    body: dict
    request_key: str | None
    envelope: Envelope

    @property
    def result_code(self) -> int:
        return self.body["header"]["resultCode"]

    def decrypt(self, value_b64: str) -> str:
        return self.envelope.decrypt(value_b64)


class OcrClient:
    """The five operations; `auth_headers` is `Authorization: {secretKey}` on v2.0 and
    `X-NHN-Authorization: Bearer {token}` on v2.1."""

    def __init__(self, base_url: str, version: str, app_key: str, auth_headers: dict[str, str]) -> None:
        self.base = f"{base_url.rstrip('/')}/{version}/appkeys/{app_key}"
        self.auth_headers = auth_headers
        self.http = requests.Session()

    @classmethod
    def v20(cls, base_url: str, app_key: str, secret_key: str) -> "OcrClient":
        return cls(base_url, "v2.0", app_key, {"Authorization": secret_key})

    @classmethod
    def v21(cls, base_url: str, app_key: str, token: str) -> "OcrClient":
        return cls(base_url, "v2.1", app_key, {"X-NHN-Authorization": f"Bearer {token}"})

    def public_key(self, service: str) -> dict:
        """{"key": base64 DER, "version": "0"} of `credit-card` or `id-card`."""
        response = self.http.get(f"{self.base}/public-keys/{service}", headers=self.auth_headers, timeout=TIMEOUT_SECONDS)
        body = response.json()
        if body["header"]["resultCode"] != 0:
            raise RuntimeError(f"public key of {service}: {body['header']}")
        return body["result"]

    def _envelope_headers(self, service: str, envelope: Envelope, key_version: str | None, extra: dict[str, str] | None) -> dict[str, str]:
        public_key = self.public_key(service)
        return {
            **self.auth_headers,
            "X-Key-Version": key_version if key_version is not None else public_key["version"],
            "Symmetric-Key": envelope.wrapped_key(public_key["key"]),
            **(extra or {}),
        }

    def _image_call(self, path: str, service: str, image: bytes, key_version: str | None = None, headers: dict[str, str] | None = None) -> Answer:
        envelope = Envelope()
        response = self.http.post(
            f"{self.base}/{path}",
            headers=self._envelope_headers(service, envelope, key_version, headers),
            files={"image": ("image", envelope.encrypt(image), "application/octet-stream")},
            timeout=TIMEOUT_SECONDS,
        )
        return Answer(response.status_code, response.json(), response.headers.get("Request-Key"), envelope)

    def credit_card(self, image: bytes, key_version: str | None = None, headers: dict[str, str] | None = None) -> Answer:
        """`headers` adds request headers, e.g. the emulator's `X-Emulator-Scenario`."""
        return self._image_call("credit-card", "credit-card", image, key_version, headers)

    def id_card(self, image: bytes, headers: dict[str, str] | None = None) -> Answer:
        return self._image_call("id-card", "id-card", image, None, headers)

    def authenticity(self, request_key: str, id_type: str, values: dict[str, str]) -> Answer:
        """Every field but `idType` travels encrypted (guide, "Verify Authenticity API")."""
        envelope = Envelope()
        headers = self._envelope_headers("id-card", envelope, None, {"Request-Key": request_key})
        body = {"idType": id_type, **{name: envelope.encrypt_text(value) for name, value in values.items()}}
        response = self.http.post(f"{self.base}/id-card/authenticity", headers=headers, json=body, timeout=TIMEOUT_SECONDS)
        return Answer(response.status_code, response.json(), None, envelope)


def issue_token(oauth_url: str, access_key_id: str, secret_access_key: str) -> dict:
    """A User Access Key token for v2.1: POST /oauth2/token/create with Basic auth and
    grant_type=client_credentials. The emulator serves the issuer on its own port; live it is
    https://oauth.api.nhncloudservice.com."""
    response = requests.post(
        f"{oauth_url.rstrip('/')}/oauth2/token/create",
        auth=(access_key_id, secret_access_key),
        data={"grant_type": "client_credentials"},
        timeout=TIMEOUT_SECONDS,
    )
    response.raise_for_status()
    return response.json()


class EmulatorAdmin:
    """The emulator's own admin API (not part of the live service)."""

    def __init__(self, base_url: str, admin_token: str | None) -> None:
        self.base = f"{base_url.rstrip('/')}/__emulator"
        self.headers = {"Authorization": f"Bearer {admin_token}"} if admin_token else {}

    def reset(self, app_key: str) -> None:
        """Forgets that app key's key versions, Request-Keys, locks, queue, defaults and journal
        (other app keys, e.g. other teams' tests on a shared emulator, keep theirs)."""
        response = requests.post(f"{self.base}/reset", headers=self.headers, json={"appKey": app_key}, timeout=TIMEOUT_SECONDS)
        if response.status_code != 200:
            # The emulator's answer says why (a wrong token, or an admin API left off): pass it on.
            raise requests.HTTPError(
                f"reset answered HTTP {response.status_code} (EMULATOR_ADMIN_TOKEN set as the emulator's?): {response.text.strip()}",
                response=response,
            )
