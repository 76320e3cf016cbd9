"""OpenPhone's error answers map to types by code first, then by status."""

import pytest

from smsbus.contracts.rest import ErrorBody
from smsbus.openphone import errors


def body(status: int, code: str, message: str = "m") -> ErrorBody:
    return ErrorBody(message=message, code=code, status=status, docs="https://openphone.com/docs")


@pytest.mark.parametrize(
    ("status", "code", "expected"),
    [
        (400, "0206400", errors.A2PRegistrationNotApproved),
        (400, "1234400", errors.BadRequest),
        (401, "0200401", errors.Unauthorized),
        (402, "0200402", errors.NotEnoughCredits),
        (402, "0201402", errors.SubscriptionExpired),
        (402, "", errors.PaymentRequired),
        (403, "0204403", errors.DailyCapReached),
        (403, "0202403", errors.NotPhoneNumberUser),
        (403, "", errors.Forbidden),
        (404, "0200404", errors.NotFound),
        (429, "", errors.RateLimited),
        (500, "0201500", errors.ServerError),
        (503, "", errors.ServerError),
        (418, "", errors.OpenPhoneError),
        (404, "0204403", errors.NotFound),  # a code that contradicts the status: the status wins
    ],
)
def test_error_type_by_code_then_status(status: int, code: str, expected: type) -> None:
    error = errors.error_for(status, body(status, code))
    assert type(error) is expected
    assert (error.status, error.code) == (status, code)


def test_the_error_carries_openphones_body() -> None:
    answer = body(403, "0204403", "A2P 10DLC Daily Message Cap Reached")
    error = errors.error_for(403, answer)
    assert isinstance(error, errors.DailyCapReached)
    assert error.body == answer
    assert error.message == "A2P 10DLC Daily Message Cap Reached"
    assert (
        str(error) == "OpenPhone answered 403 (code 0204403): A2P 10DLC Daily Message Cap Reached"
    )


def test_an_answer_without_a_body_keeps_the_reason_phrase() -> None:
    error = errors.error_for(502, None, fallback_message="Bad Gateway")
    assert isinstance(error, errors.ServerError)
    assert (error.code, error.message, error.body) == ("", "Bad Gateway", None)


def test_a_429_keeps_its_retry_after() -> None:
    error = errors.error_for(429, None, retry_after=1.5)
    assert isinstance(error, errors.RateLimited)
    assert error.retry_after == 1.5


@pytest.mark.parametrize(
    ("error", "retryable"),
    [
        (errors.error_for(429, None), True),
        (errors.error_for(500, None), True),
        (errors.OpenPhoneUnreachable("GET /v1/messages: could not connect"), True),
        (errors.error_for(400, None), False),
        (errors.error_for(401, None), False),
        (errors.error_for(403, body(403, "0204403")), False),
        (errors.error_for(404, None), False),
        (errors.UnexpectedResponse("?"), False),
        (ValueError("not ours"), False),
    ],
    ids=lambda v: type(v).__name__ if isinstance(v, Exception) else str(v),
)
def test_retryable_or_not(error: Exception, retryable: bool) -> None:
    assert errors.is_retryable(error) is retryable


def test_an_unknown_send_outcome_is_never_retryable() -> None:
    from datetime import UTC, datetime

    from smsbus.contracts.rest import SendMessageRequest

    request = SendMessageRequest(content="Hi", from_="PN1", to=["+15555550123"])
    error = errors.SendOutcomeUnknown(
        request=request, sent_at=datetime(2026, 1, 1, tzinfo=UTC), reason="ReadTimeout"
    )
    assert isinstance(error, errors.OpenPhoneException)
    assert not isinstance(
        error, errors.OpenPhoneError
    )  # "OpenPhone said no" handlers must not catch it
    assert not errors.is_retryable(error)
    assert error.request == request
