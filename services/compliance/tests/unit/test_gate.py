"""The egress's gate as a table of labelled cases: one request, what compliance knows of the
number, the clock and the campaign's state → send (on which consent), refuse (why) or hold."""

from datetime import UTC, datetime, time, timedelta
from typing import Any

import pytest

from smsbus.compliance.domain import eligibility
from smsbus.compliance.domain.gate import Ask, Facts, Hold, Refuse, Rules, Send, gate
from smsbus.compliance.domain.phones import describe
from smsbus.compliance.egress import errors
from smsbus.openphone import (
    A2PRegistrationNotApproved,
    BadRequest,
    DailyCapReached,
    NotEnoughCredits,
    RateLimited,
    ServerError,
    Unauthorized,
)
from smsbus.rules.quiet_hours import SendWindow
from smsbus.runtime.testing import labelled

MIAMI = "+13055550123"  # Florida: 08:00-20:00 by state law
NEW_YORK = "+12125550123"  # federal hours, 08:00-21:00
ASKED = datetime(2026, 3, 3, 15, 0, tzinfo=UTC)  # Tuesday 10:00 in Miami
OFFICE = SendWindow(frozenset(range(5)), time(9), time(18))


def ask(purpose: str = "marketing", **overrides: Any) -> Ask:
    fields: dict[str, Any] = {
        "purpose": purpose,
        "requester": "compliance"
        if purpose in ("opt_out_confirmation", "opt_in_confirmation", "help")
        else "campaign-engine",
        "phone": MIAMI,
        "requested_at": ASKED,
        "window": OFFICE if purpose == "marketing" else None,
    }
    return Ask(**(fields | overrides))


def facts(phone: str = MIAMI, *, suppressed_at: datetime | None = None, **known: Any) -> Facts:
    info = describe(phone)
    defaults: dict[str, Any] = {"line_type": "mobile", "express_consent": True}
    return Facts(
        eligibility=eligibility.Facts(
            phone=info, suppressed=suppressed_at is not None, **(defaults | known)
        ),
        suppressed_at=suppressed_at,
        consent="suppressed" if suppressed_at else "opted_in+express",
    )


BEFORE, AFTER = ASKED - timedelta(seconds=1), ASKED + timedelta(seconds=1)
CASES = [
    # (label, ask, facts, now, campaign running, verdict)
    ("marketing with express consent, in hours", ask(), facts(), ASKED, True, Send("opted_in+express")),
    ("transactional, no campaign", ask("transactional", window=None), facts(express_consent=False), ASKED, None, Send("opted_in+express")),
    ("opted out before the send", ask(), facts(suppressed_at=BEFORE), ASKED, True, Refuse("opted_out")),
    ("opted out after the request, before it left", ask(), facts(suppressed_at=AFTER), AFTER, True, Refuse("opted_out")),
    ("canary to a suppressed number", ask("canary", requester="health-monitor"), facts(suppressed_at=BEFORE), ASKED, None, Refuse("opted_out")),
    ("internal do-not-contact", ask("transactional"), facts(internal_dnc=True), ASKED, None, Refuse("internal_dnc")),
    ("national DNC without express consent", ask(), facts(dnc_lists=("national",), express_consent=False), ASKED, True, Refuse("dnc")),
    ("marketing without express consent", ask(), facts(express_consent=False), ASKED, True, Refuse("no_express_consent")),
    ("a landline", ask("transactional"), facts(line_type="landline"), ASKED, None, Refuse("landline")),
    ("campaign paused since", ask(), facts(), ASKED, False, Refuse("campaign_inactive")),
    ("transactional campaign cancelled", ask("transactional", window=None), facts(), ASKED, False, Refuse("campaign_inactive")),
    ("marketing at 19:30 Miami: hold to 09:00", ask(), facts(), datetime(2026, 3, 3, 0, 30, tzinfo=UTC), True, Hold(datetime(2026, 3, 3, 14, 0, tzinfo=UTC))),
    ("marketing without a window: the law's 08:00", ask(window=None), facts(), datetime(2026, 3, 4, 2, 0, tzinfo=UTC), True, Hold(datetime(2026, 3, 4, 13, 0, tzinfo=UTC))),
    ("marketing on Saturday, office window: hold to Monday", ask(), facts(), datetime(2026, 3, 7, 16, 0, tzinfo=UTC), True, Hold(datetime(2026, 3, 9, 13, 0, tzinfo=UTC))),
    ("transactional at night is not held", ask("transactional", window=None), facts(), datetime(2026, 3, 3, 6, 0, tzinfo=UTC), None, Send("opted_in+express")),
    ("New York number at 20:30: open", ask(phone=NEW_YORK, window=None), facts(NEW_YORK), datetime(2026, 3, 4, 1, 30, tzinfo=UTC), True, Send("opted_in+express")),
    # Florida spans two zones: without a ZIP the person may be in Central time (08:00 CST).
    ("same, living in Florida: held to 08:00 in both zones", ask(phone=NEW_YORK, window=None, recipient_state="FL"), facts(NEW_YORK), datetime(2026, 3, 4, 1, 30, tzinfo=UTC), True, Hold(datetime(2026, 3, 4, 14, 0, tzinfo=UTC))),
    ("opt-out confirmation to a suppressed number", ask("opt_out_confirmation"), facts(suppressed_at=BEFORE), ASKED, None, Send("suppressed")),
    ("opt-in confirmation, STOP again before it left", ask("opt_in_confirmation"), facts(suppressed_at=AFTER), AFTER, None, Refuse("opted_out")),
    ("HELP from a suppressed number is answered", ask("help"), facts(suppressed_at=BEFORE), ASKED, None, Send("suppressed")),
    ("HELP, then STOP before it left", ask("help"), facts(suppressed_at=AFTER), AFTER, None, Refuse("opted_out")),
    ("a confirmation asked by another service", ask("opt_out_confirmation", requester="campaign-engine"), facts(), ASKED, None, Refuse("purpose_not_allowed")),
    ("a canary past its deadline", ask("canary", requester="health-monitor", expires_at=ASKED), facts(), ASKED, None, Refuse("expired")),
]  # fmt: skip


@pytest.mark.parametrize(("request_", "known", "now", "running", "expected"), labelled(CASES))
def test_gate(request_: Ask, known: Facts, now: datetime, running: bool | None, expected: object) -> None:  # fmt: skip
    assert gate(request_, known, now=now, campaign_running=running, rules=Rules()) == expected


def _error(cls: type, status: int, code: str = "") -> Any:
    return cls(status=status, code=code, message="x")


NOW = datetime(2026, 3, 3, 22, 0, tzinfo=UTC)
TOMORROW = datetime(2026, 3, 4, tzinfo=UTC)
MEANINGS = [
    ("401 defers a campaign text", _error(Unauthorized, 401), "marketing", errors.Deferral("openphone_unauthorized", "account", None)),
    ("402 defers a transactional text", _error(NotEnoughCredits, 402, "0200402"), "transactional", errors.Deferral("openphone_payment_required", "account", None)),
    ("A2P refusal defers on the line", _error(A2PRegistrationNotApproved, 400, "0206400"), "marketing", errors.Deferral("a2p_not_registered", "line", None)),
    ("the daily cap defers to tomorrow", _error(DailyCapReached, 403, "0204403"), "marketing", errors.Deferral("line_daily_cap", "line", TOMORROW)),
    ("401 retries a confirmation", _error(Unauthorized, 401), "opt_out_confirmation", errors.TryAgain("openphone_unauthorized: OpenPhone answered 401 (code -): x")),
    ("401 fails the canary", _error(Unauthorized, 401), "canary", errors.Failure("openphone_unauthorized: OpenPhone answered 401 (code -): x")),
    ("429 retries", RateLimited(status=429, code="", message="x"), "marketing", errors.TryAgain("OpenPhone answered 429 (code -): x")),
    ("a 5xx never sent retries", _error(ServerError, 503), "marketing", errors.TryAgain("OpenPhone answered 503 (code -): x")),
    ("a bad request fails", _error(BadRequest, 400, "0200400"), "marketing", errors.Failure("openphone_400:0200400")),
]  # fmt: skip


@pytest.mark.parametrize(
    ("exc", "purpose", "expected"), [m[1:] for m in MEANINGS], ids=[m[0] for m in MEANINGS]
)
def test_what_an_openphone_refusal_means(exc: Exception, purpose: str, expected: object) -> None:  # fmt: skip
    assert errors.meaning(exc, purpose, now=NOW) == expected  # type: ignore[arg-type]
