"""What an OpenPhone answer to a POST means for the request, by purpose. Data first.

Account-level refusals (a bad key, no credit, the line's A2P registration, its daily cap) are
nobody's fault on the person's side: a campaign text is deferred (its campaign pauses, the
member stays pending), a confirmation or HELP reply is tried again later (the cause may be
fixed within the FCC's five minutes), and the canary fails (that is what it is for).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Literal

from pydantic import ValidationError

from smsbus.contracts.outbound import DeferralScope
from smsbus.openphone import (
    A2PRegistrationNotApproved,
    DailyCapReached,
    Forbidden,
    NotPhoneNumberUser,
    OpenPhoneError,
    OpenPhoneException,
    PaymentRequired,
    Unauthorized,
    is_retryable,
)

# The most specific class first.
ACCOUNT_REFUSALS: tuple[tuple[type[OpenPhoneError], str, DeferralScope], ...] = (
    (Unauthorized, "openphone_unauthorized", "account"),
    (PaymentRequired, "openphone_payment_required", "account"),
    (A2PRegistrationNotApproved, "a2p_not_registered", "line"),
    (DailyCapReached, "line_daily_cap", "line"),
    (NotPhoneNumberUser, "line_not_allowed", "line"),
    (Forbidden, "openphone_forbidden", "account"),
)


@dataclass(frozen=True)
class Deferral:
    reason: str
    scope: DeferralScope
    retry_at: datetime | None


@dataclass(frozen=True)
class TryAgain:
    reason: str


@dataclass(frozen=True)
class Failure:
    reason: str


Meaning = Deferral | TryAgain | Failure


def next_utc_day(now: datetime) -> datetime:
    return datetime.combine(
        now.astimezone(UTC).date() + timedelta(days=1), datetime.min.time(), UTC
    )


def meaning(
    exc: OpenPhoneException | ValidationError,
    purpose: str,
    *,
    now: datetime,
) -> Meaning:
    """For an error that surely did not send (an unknown outcome is handled before this)."""
    if isinstance(exc, ValidationError):
        return Failure("invalid_request")
    for kind, reason, scope in ACCOUNT_REFUSALS:
        if isinstance(exc, kind):
            retry_at = next_utc_day(now) if reason == "line_daily_cap" else None
            return _account(reason, scope, retry_at, purpose, exc)
    if is_retryable(exc):
        return TryAgain(str(exc))
    if isinstance(exc, OpenPhoneError):
        return Failure(f"openphone_{exc.status}:{exc.code or '-'}")
    return Failure(str(exc))


def _account(
    reason: str,
    scope: DeferralScope,
    retry_at: datetime | None,
    purpose: str,
    exc: OpenPhoneException,
) -> Meaning:
    if purpose in ("transactional", "marketing"):
        return Deferral(reason, scope, retry_at)
    if purpose == "canary":
        return Failure(f"{reason}: {exc}")
    return TryAgain(f"{reason}: {exc}")


Outcome = Literal["accepted", "refused", "deferred", "failed", "held", "retried", "waiting"]
