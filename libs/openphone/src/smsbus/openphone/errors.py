"""What can go wrong talking to OpenPhone, as exception types callers can act on.

Three families under `OpenPhoneException`:

- `OpenPhoneError`: OpenPhone answered with an error status. Carries OpenPhone's error body
  (`message`, `code`, `status`); the subclass says what it means (`DailyCapReached`, `NotFound`…).
- `OpenPhoneUnreachable`: no answer at all (connection refused, timeouts) after the retries.
- `SendOutcomeUnknown`: a send may or may not have created a message. OpenPhone has no
  idempotency key, so the caller must look the message up (`OpenPhoneClient.find_sent_message`)
  before sending again.

`is_retryable(exc)` tells whether trying the same request again later is safe and may succeed.
No exception text ever holds the API key: only what OpenPhone answered and what we asked.
"""

from __future__ import annotations

from datetime import datetime
from typing import ClassVar

from smsbus.contracts.rest import ErrorBody, SendMessageRequest


class OpenPhoneException(Exception):
    """Every failure this client raises."""

    retryable: ClassVar[bool] = False


class OpenPhoneError(OpenPhoneException):
    """OpenPhone answered with a non-2xx status."""

    def __init__(
        self, *, status: int, code: str, message: str, body: ErrorBody | None = None
    ) -> None:
        super().__init__(f"OpenPhone answered {status} (code {code or '-'}): {message}")
        self.status = status
        self.code = code
        self.message = message
        self.body = body


class BadRequest(OpenPhoneError):
    """400: the request is invalid; the same request fails the same way every time."""


class A2PRegistrationNotApproved(BadRequest):
    """400 `0206400`: the line's A2P 10DLC registration is not approved."""


class Unauthorized(OpenPhoneError):
    """401: the API key is wrong or revoked."""


class PaymentRequired(OpenPhoneError):
    """402."""


class NotEnoughCredits(PaymentRequired):
    """402 `0200402`."""


class SubscriptionExpired(PaymentRequired):
    """402 `0201402`."""


class Forbidden(OpenPhoneError):
    """403."""


class NotPhoneNumberUser(Forbidden):
    """403 `0202403`: the user may not use that line."""


class DailyCapReached(Forbidden):
    """403 `0204403`: the line's A2P 10DLC daily cap; stop sending on it until tomorrow."""


class NotFound(OpenPhoneError):
    """404."""


class Conflict(OpenPhoneError):
    """409."""


class RateLimited(OpenPhoneError):
    """429: over 10 requests/s for the key. `retry_after` is OpenPhone's hint, in seconds."""

    retryable = True

    def __init__(
        self,
        *,
        status: int,
        code: str,
        message: str,
        body: ErrorBody | None = None,
        retry_after: float | None = None,
    ) -> None:
        super().__init__(status=status, code=code, message=message, body=body)
        self.retry_after = retry_after


class ServerError(OpenPhoneError):
    """5xx."""

    retryable = True


class OpenPhoneUnreachable(OpenPhoneException):
    """No answer: the connection failed or timed out on every attempt."""

    retryable = True


class UnexpectedResponse(OpenPhoneException):
    """A 2xx answer we cannot read (not JSON, not the documented shape, a pagination loop)."""


class SendOutcomeUnknown(OpenPhoneException):
    """The send may have created a message, or not: never re-post it blindly.

    Raised when the request may have reached OpenPhone but no usable answer came back: a read
    timeout, a dropped connection, a 5xx (OpenPhone or a proxy in front of it answered; the
    message may exist), a 2xx we could not read. `sent_at` is taken just before the request,
    so the message, if it exists, was created at or after it (give or take clock skew).
    """

    def __init__(
        self,
        *,
        request: SendMessageRequest,
        sent_at: datetime,
        reason: str,
        status: int | None = None,
        body: ErrorBody | None = None,
    ) -> None:
        super().__init__(
            f"send from {request.from_} at {sent_at.isoformat()} has an unknown outcome: {reason}"
        )
        self.request = request
        self.sent_at = sent_at
        self.reason = reason
        self.status = status
        self.body = body


# OpenPhone's quirks as data: the code says more than the status where it is known.
BY_CODE: dict[str, type[OpenPhoneError]] = {
    "0206400": A2PRegistrationNotApproved,
    "0200402": NotEnoughCredits,
    "0201402": SubscriptionExpired,
    "0202403": NotPhoneNumberUser,
    "0204403": DailyCapReached,
}
BY_STATUS: dict[int, type[OpenPhoneError]] = {
    400: BadRequest,
    401: Unauthorized,
    402: PaymentRequired,
    403: Forbidden,
    404: NotFound,
    409: Conflict,
    429: RateLimited,
}


def error_class(status: int, code: str) -> type[OpenPhoneError]:
    known = BY_CODE.get(code)
    if known is not None and BY_STATUS.get(status) in known.__mro__:
        return known
    if status in BY_STATUS:
        return BY_STATUS[status]
    return ServerError if status >= 500 else OpenPhoneError


def error_for(
    status: int,
    body: ErrorBody | None,
    *,
    fallback_message: str = "",
    retry_after: float | None = None,
) -> OpenPhoneError:
    """The exception for an error answer: by OpenPhone's code where known, else by status."""
    code = body.code if body is not None else ""
    message = body.message if body is not None else (fallback_message or "no error body")
    cls = error_class(status, code)
    if issubclass(cls, RateLimited):
        return cls(status=status, code=code, message=message, body=body, retry_after=retry_after)
    return cls(status=status, code=code, message=message, body=body)


def is_retryable(exc: BaseException) -> bool:
    """True when the same request may succeed later and repeating it cannot duplicate an effect."""
    return isinstance(exc, OpenPhoneException) and exc.retryable
