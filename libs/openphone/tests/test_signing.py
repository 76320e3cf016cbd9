"""Signature vectors for both schemes: each labelled case gets its verdict."""

from dataclasses import dataclass

import pytest

from smsbus.openphone.signing import (
    Failure,
    Scheme,
    SignatureError,
    SigningKey,
    parse_keys,
    sign_openphone,
    sign_standard,
    verify,
)

# OpenPhone's documented example signing secret (base64 of "GfK3j4lXA5ZrRu64ofat50srGzoIHHUX").
OPENPHONE_DOC_KEY = SigningKey.parse("R2ZLM2o0bFhBNVpyUnU2NG9mYXQ1MHNyR3pvSUhIVVg=")
OTHER_KEY = SigningKey.parse("c29tZS1vdGhlci1rZXktdGhhdC1pcy1ub3QtdGhlLW9uZQ==")
# The Standard Webhooks specification's published test vector.
STANDARD_SPEC_KEY = SigningKey.parse("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw")
STANDARD_SPEC_BODY = b'{"test": 2432232314}'
STANDARD_SPEC_HEADERS = {
    "webhook-id": "msg_p5jXN8AQM9LWM0D4loKWxJek",
    "webhook-timestamp": "1614265330",
    "webhook-signature": "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=",
}

BODY = b'{"id":"EVc67ec998b35c41d388af50799aeeba3e","object":"event","type":"message.received"}'
TS_MS = 1639710054089  # the timestamp of OpenPhone's documented example header
NOW = TS_MS / 1000


def openphone_header(
    key: SigningKey = OPENPHONE_DOC_KEY, body: bytes = BODY, ts: int = TS_MS
) -> dict[str, str]:
    return {"openphone-signature": sign_openphone(body, key, timestamp_ms=ts)}


@dataclass(frozen=True)
class Case:
    label: str
    body: bytes
    headers: dict[str, str]
    now: float = NOW
    keys: tuple[SigningKey, ...] = (OPENPHONE_DOC_KEY,)
    scheme: Scheme | None = None  # accepted with this scheme
    failure: Failure | None = None  # refused for this reason


CASES = [
    Case("openphone: valid", BODY, openphone_header(), scheme=Scheme.OPENPHONE),
    Case("openphone: tampered body", BODY.replace(b"received", b"delivered"), openphone_header(),
         failure=Failure.MISMATCH),
    Case("openphone: one flipped byte", BODY[:-2] + b"X}", openphone_header(), failure=Failure.MISMATCH),
    Case("openphone: wrong key", BODY, openphone_header(OTHER_KEY), failure=Failure.MISMATCH),
    Case("openphone: stale timestamp (6 min)", BODY, openphone_header(), now=NOW + 360,
         failure=Failure.STALE),
    Case("openphone: timestamp from the future (6 min)", BODY, openphone_header(), now=NOW - 360,
         failure=Failure.STALE),
    Case("openphone: within tolerance (4 min)", BODY, openphone_header(), now=NOW + 240,
         scheme=Scheme.OPENPHONE),
    Case("openphone: seconds timestamp accepted", BODY, openphone_header(ts=TS_MS // 1000),
         scheme=Scheme.OPENPHONE),
    Case("openphone: rotation, second key matches", BODY, openphone_header(),
         keys=(OTHER_KEY, OPENPHONE_DOC_KEY), scheme=Scheme.OPENPHONE),
    Case("openphone: several signatures, one valid", BODY,
         {"openphone-signature": "hmac;1;1639710054089;bm9wZQ==,"
          + sign_openphone(BODY, OPENPHONE_DOC_KEY, timestamp_ms=TS_MS)},
         scheme=Scheme.OPENPHONE),
    Case("openphone: malformed header", BODY, {"openphone-signature": "sha256=abcdef"},
         failure=Failure.MALFORMED),
    Case("openphone: wrong version", BODY, {"openphone-signature": "hmac;2;1639710054089;abc="},
         failure=Failure.MALFORMED),
    Case("openphone: documented example header on another body", BODY,
         {"openphone-signature": "hmac;1;1639710054089;mw1K4fvh5m9XzsGon4C5N3KvL0bkmPZSAyb/9Vms2Qo="},
         failure=Failure.MISMATCH),
    Case("no signature header", BODY, {"content-type": "application/json"}, failure=Failure.MISSING),
    Case("standard: the specification's vector", STANDARD_SPEC_BODY, STANDARD_SPEC_HEADERS,
         now=1614265330, keys=(STANDARD_SPEC_KEY,), scheme=Scheme.STANDARD),
    Case("standard: tampered body", b'{"test": 2432232315}', STANDARD_SPEC_HEADERS,
         now=1614265330, keys=(STANDARD_SPEC_KEY,), failure=Failure.MISMATCH),
    Case("standard: wrong key", STANDARD_SPEC_BODY, STANDARD_SPEC_HEADERS,
         now=1614265330, keys=(OPENPHONE_DOC_KEY,), failure=Failure.MISMATCH),
    Case("standard: stale timestamp", STANDARD_SPEC_BODY, STANDARD_SPEC_HEADERS,
         now=1614265330 + 301, keys=(STANDARD_SPEC_KEY,), failure=Failure.STALE),
    Case("standard: rotation with space-separated signatures", STANDARD_SPEC_BODY,
         {**STANDARD_SPEC_HEADERS, "webhook-signature": "v1,bm9wZQ== " + STANDARD_SPEC_HEADERS["webhook-signature"]},
         now=1614265330, keys=(OTHER_KEY, STANDARD_SPEC_KEY), scheme=Scheme.STANDARD),
    Case("standard: missing webhook-id", STANDARD_SPEC_BODY,
         {k: v for k, v in STANDARD_SPEC_HEADERS.items() if k != "webhook-id"},
         now=1614265330, keys=(STANDARD_SPEC_KEY,), failure=Failure.MALFORMED),
    Case("standard: non-numeric timestamp", STANDARD_SPEC_BODY,
         {**STANDARD_SPEC_HEADERS, "webhook-timestamp": "yesterday"},
         now=1614265330, keys=(STANDARD_SPEC_KEY,), failure=Failure.MALFORMED),
    Case("standard: unknown signature version only", STANDARD_SPEC_BODY,
         {**STANDARD_SPEC_HEADERS, "webhook-signature": "v1a,c2lnbmF0dXJl"},
         now=1614265330, keys=(STANDARD_SPEC_KEY,), failure=Failure.MALFORMED),
]  # fmt: skip


@pytest.mark.parametrize("case", CASES, ids=lambda case: case.label)
def test_signature_verdicts(case: Case) -> None:
    if case.scheme is not None:
        assert verify(case.body, case.headers, case.keys, now=case.now) is case.scheme
        return
    with pytest.raises(SignatureError) as refused:
        verify(case.body, case.headers, case.keys, now=case.now)
    assert refused.value.failure is case.failure


def test_signing_reproduces_the_standard_webhooks_vector() -> None:
    headers = sign_standard(
        STANDARD_SPEC_BODY,
        STANDARD_SPEC_KEY,
        webhook_id="msg_p5jXN8AQM9LWM0D4loKWxJek",
        timestamp=1614265330,
    )
    assert headers == STANDARD_SPEC_HEADERS


def test_openphone_signature_is_a_fixed_vector() -> None:
    """A golden value: any change to how we sign breaks every OpenPhone webhook."""
    assert sign_openphone(BODY, OPENPHONE_DOC_KEY, timestamp_ms=TS_MS) == (
        "hmac;1;1639710054089;Kbi68VysNDq6oDH3xENTDkbe6R+pCRQQW23h+SJfD5g="
    )


def test_the_documented_key_decodes_to_the_documented_secret() -> None:
    assert OPENPHONE_DOC_KEY.secret == b"GfK3j4lXA5ZrRu64ofat50srGzoIHHUX"
    assert "GfK3" not in repr(OPENPHONE_DOC_KEY)


def test_keys_are_parsed_from_a_comma_separated_setting() -> None:
    keys = parse_keys(
        " R2ZLM2o0bFhBNVpyUnU2NG9mYXQ1MHNyR3pvSUhIVVg= ,whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw,"
    )
    assert [key.standard for key in keys] == [False, True]


@pytest.mark.parametrize("bad", ["not base64!", "whsec_%%%", ""])
def test_a_key_that_is_not_base64_is_refused(bad: str) -> None:
    with pytest.raises(ValueError, match="key"):
        SigningKey.parse(bad)


def test_verifying_without_keys_is_a_configuration_error() -> None:
    with pytest.raises(ValueError, match="no signing keys"):
        verify(BODY, openphone_header(), [], now=NOW)
