"""Webhook signatures, both of OpenPhone's schemes: ingest verifies with it, the simulator signs.

- `openphone-signature: hmac;1;<timestamp ms>;<base64 HMAC-SHA256(key, "<timestamp>.<raw body>")>`,
  possibly several entries separated by commas; the key is base64 ("Reveal signing secret").
- Standard Webhooks (OpenPhone's 2026-03-30 webhooks): `webhook-id`, `webhook-timestamp` (seconds),
  `webhook-signature: v1,<base64 HMAC-SHA256(key, "<id>.<timestamp>.<raw body>")>` entries separated
  by spaces; the key is `whsec_<base64>`.

Always over the raw bytes as received, compared in constant time, with a timestamp tolerance,
against every configured key (so a key can be rotated without dropping webhooks).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum

OPENPHONE_HEADER = "openphone-signature"
WEBHOOK_ID_HEADER = "webhook-id"
WEBHOOK_TIMESTAMP_HEADER = "webhook-timestamp"
WEBHOOK_SIGNATURE_HEADER = "webhook-signature"
STANDARD_KEY_PREFIX = "whsec_"
DEFAULT_TOLERANCE_SECONDS = 300.0


class Scheme(StrEnum):
    OPENPHONE = "openphone-signature"
    STANDARD = "standard-webhooks"


class Failure(StrEnum):
    """Why a signature was refused; bounded, so it can label a metric."""

    MISSING = "missing_signature"
    MALFORMED = "malformed_signature"
    STALE = "stale_timestamp"
    MISMATCH = "signature_mismatch"


class SignatureError(Exception):
    def __init__(self, failure: Failure, detail: str) -> None:
        super().__init__(f"{failure.value}: {detail}")
        self.failure = failure
        self.detail = detail


@dataclass(frozen=True)
class SigningKey:
    """One webhook signing secret, decoded. Its repr never shows the secret."""

    secret: bytes = field(repr=False)
    standard: bool = False  # given as whsec_… (a Standard Webhooks key)

    @classmethod
    def parse(cls, text: str) -> SigningKey:
        text = text.strip()
        standard = text.startswith(STANDARD_KEY_PREFIX)
        encoded = text.removeprefix(STANDARD_KEY_PREFIX)
        try:
            secret = base64.b64decode(encoded, validate=True)
        except binascii.Error:
            raise ValueError("a webhook signing key must be base64 (or whsec_<base64>)") from None
        if not secret:
            raise ValueError("a webhook signing key must not be empty")
        return cls(secret=secret, standard=standard)


def parse_keys(comma_separated: str) -> list[SigningKey]:
    """`SMSBUS_INGEST_SIGNING_KEYS`: several keys at once while one is being rotated."""
    return [SigningKey.parse(part) for part in comma_separated.split(",") if part.strip()]


def sign_openphone(body: bytes, key: SigningKey, *, timestamp_ms: int) -> str:
    """The `openphone-signature` header value for this body."""
    return f"hmac;1;{timestamp_ms};{_digest(key, f'{timestamp_ms}.'.encode() + body)}"


def sign_standard(
    body: bytes, key: SigningKey, *, webhook_id: str, timestamp: int
) -> dict[str, str]:
    """The three Standard Webhooks headers for this body."""
    signed = f"{webhook_id}.{timestamp}.".encode() + body
    return {
        WEBHOOK_ID_HEADER: webhook_id,
        WEBHOOK_TIMESTAMP_HEADER: str(timestamp),
        WEBHOOK_SIGNATURE_HEADER: f"v1,{_digest(key, signed)}",
    }


def verify(
    body: bytes,
    headers: Mapping[str, str],
    keys: Sequence[SigningKey],
    *,
    now: float,
    tolerance: float = DEFAULT_TOLERANCE_SECONDS,
) -> Scheme:
    """Which scheme authenticated the body; raises SignatureError saying why not.

    `headers` must be case-insensitive (as Starlette's and httpx's are) or lower-case. `now` is
    Unix seconds, passed in so that tests and the simulator's clock decide what "stale" means.
    """
    if not keys:
        raise ValueError("no signing keys configured")
    if headers.get(OPENPHONE_HEADER) is not None:
        _verify_openphone(body, headers[OPENPHONE_HEADER], keys, now, tolerance)
        return Scheme.OPENPHONE
    if headers.get(WEBHOOK_SIGNATURE_HEADER) is not None:
        _verify_standard(body, headers, keys, now, tolerance)
        return Scheme.STANDARD
    raise SignatureError(
        Failure.MISSING, f"neither {OPENPHONE_HEADER} nor {WEBHOOK_SIGNATURE_HEADER} is present"
    )


def _verify_openphone(
    body: bytes, header: str, keys: Sequence[SigningKey], now: float, tolerance: float
) -> None:
    entries = []
    for entry in header.split(","):
        parts = entry.strip().split(";")
        if len(parts) == 4 and parts[0] == "hmac" and parts[1] == "1" and parts[2].isdigit():
            entries.append((parts[2], parts[3]))
    if not entries:
        raise SignatureError(
            Failure.MALFORMED, f"expected hmac;1;<timestamp>;<digest> in {OPENPHONE_HEADER}"
        )
    for timestamp, digest in entries:
        if _matches(keys, f"{timestamp}.".encode() + body, [digest]):
            # OpenPhone sends milliseconds; accept seconds too (10 digits) rather than guess wrong.
            seconds = int(timestamp) / 1000 if len(timestamp) > 10 else int(timestamp)
            _check_fresh(seconds, now, tolerance)
            return
    raise SignatureError(Failure.MISMATCH, "no configured key produces this signature")


def _verify_standard(
    body: bytes,
    headers: Mapping[str, str],
    keys: Sequence[SigningKey],
    now: float,
    tolerance: float,
) -> None:
    webhook_id = headers.get(WEBHOOK_ID_HEADER)
    timestamp = headers.get(WEBHOOK_TIMESTAMP_HEADER)
    if not webhook_id or not timestamp or not timestamp.isdigit():
        raise SignatureError(
            Failure.MALFORMED,
            f"{WEBHOOK_ID_HEADER} and a numeric {WEBHOOK_TIMESTAMP_HEADER} are required",
        )
    digests = [
        signature
        for version, _, signature in (
            entry.partition(",") for entry in headers[WEBHOOK_SIGNATURE_HEADER].split()
        )
        if version == "v1" and signature
    ]
    if not digests:
        raise SignatureError(
            Failure.MALFORMED, f"expected v1,<digest> in {WEBHOOK_SIGNATURE_HEADER}"
        )
    _check_fresh(int(timestamp), now, tolerance)
    if not _matches(keys, f"{webhook_id}.{timestamp}.".encode() + body, digests):
        raise SignatureError(Failure.MISMATCH, "no configured key produces this signature")


def _check_fresh(timestamp: float, now: float, tolerance: float) -> None:
    # Both directions: a timestamp from the future is as suspect as an old one (replays).
    if abs(now - timestamp) > tolerance:
        raise SignatureError(
            Failure.STALE,
            f"timestamp is {now - timestamp:.0f}s from now (tolerance {tolerance:.0f}s)",
        )


def _matches(keys: Iterable[SigningKey], signed: bytes, digests: Sequence[str]) -> bool:
    # Every pair is compared, in constant time each, so timing says nothing about which key matched.
    found = False
    for key in keys:
        expected = _digest(key, signed)
        for digest in digests:
            found |= hmac.compare_digest(expected.encode(), digest.strip().encode())
    return found


def _digest(key: SigningKey, signed: bytes) -> str:
    return base64.b64encode(hmac.new(key.secret, signed, hashlib.sha256).digest()).decode()
