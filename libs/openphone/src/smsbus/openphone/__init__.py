"""OpenPhone (Quo): the API client and webhook signatures."""

from smsbus.openphone.budget import HEADROOM, Budget, Priority
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
    "HEADROOM",
    "A2PRegistrationNotApproved",
    "BadRequest",
    "Budget",
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
    "Priority",
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
