"""OpenPhone (Quo): the API client and webhook signatures."""

from smsbus.openphone.client import DEFAULT_BASE_URL, OpenPhoneClient
from smsbus.openphone.errors import (
    A2PRegistrationNotApproved,
    BadRequest,
    Conflict,
    DailyCapReached,
    Forbidden,
    NotEnoughCredits,
    NotFound,
    NotPhoneNumberUser,
    OpenPhoneError,
    OpenPhoneException,
    OpenPhoneUnreachable,
    PaymentRequired,
    RateLimited,
    SendOutcomeUnknown,
    ServerError,
    SubscriptionExpired,
    Unauthorized,
    UnexpectedResponse,
    is_retryable,
)
from smsbus.openphone.ratelimit import TokenBucket, shared_bucket
from smsbus.openphone.transport.retry import RetryPolicy

__all__ = [
    "DEFAULT_BASE_URL",
    "A2PRegistrationNotApproved",
    "BadRequest",
    "Conflict",
    "DailyCapReached",
    "Forbidden",
    "NotEnoughCredits",
    "NotFound",
    "NotPhoneNumberUser",
    "OpenPhoneClient",
    "OpenPhoneError",
    "OpenPhoneException",
    "OpenPhoneUnreachable",
    "PaymentRequired",
    "RateLimited",
    "RetryPolicy",
    "SendOutcomeUnknown",
    "ServerError",
    "SubscriptionExpired",
    "TokenBucket",
    "Unauthorized",
    "UnexpectedResponse",
    "is_retryable",
    "shared_bucket",
]
