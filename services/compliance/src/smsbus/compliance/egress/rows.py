"""A request's row read as what the gate and OpenPhone need, and the number's facts for the
gate: translations between the egress's table, the domain and the wire; no decisions."""

from __future__ import annotations

from datetime import UTC, datetime, time
from typing import Any

from sqlalchemy.ext.asyncio import AsyncConnection

from smsbus.compliance.domain import eligibility
from smsbus.compliance.domain import gate as rules
from smsbus.compliance.domain.ledger import RevocationScope
from smsbus.compliance.domain.phones import InvalidPhone, describe
from smsbus.compliance.store import facts
from smsbus.contracts.rest import SendMessageRequest
from smsbus.rules.quiet_hours import SendWindow


async def gate_facts(
    conn: AsyncConnection,
    phone: str,
    now: datetime,
    default_region: str,
    *,
    purpose: str = "transactional",
    revocation_scope: RevocationScope = "all",
) -> rules.Facts:
    """What compliance knows of the number right now, as the gate reads it for a text of
    `purpose` (the canary and compliance's own replies are read as transactional)."""
    try:
        info = describe(phone, default_region=default_region)
    except InvalidPhone:
        info = None
    known = await facts.gate_facts(
        conn=conn, phone=phone, now=now, revocation_scope=revocation_scope
    )
    line_type = "unknown"
    if info is not None:
        # A cached paid lookup may say what phonenumbers cannot (mobile vs landline).
        line_type = (
            info.line_type if info.line_type != "unknown" else (known.looked_up or "unknown")
        )
    consented = known.view.of("marketing" if purpose == "marketing" else "transactional")
    # Suppressed: every purpose revoked (the row), or this one (revocation scope `purpose`).
    suppressed = known.suppressed_at is not None or consented.status == "opted_out"
    consent: str = "suppressed" if suppressed else consented.status
    if consented.express and not suppressed:
        consent += "+express"
    return rules.Facts(
        eligibility=eligibility.Facts(
            phone=info,
            line_type=line_type,  # type: ignore[arg-type]
            suppressed=suppressed,
            internal_dnc=known.internal_dnc,
            dnc_lists=known.dnc_lists,
            express_consent=consented.express,
        ),
        suppressed_at=known.suppressed_at,
        consent=consent,
    )


def request_of(row: Any) -> SendMessageRequest:
    return SendMessageRequest(content=row["text"], from_=row["line"], to=[row["phone"]])


def to_ask(row: Any) -> rules.Ask:
    window = row["send_window"]
    return rules.Ask(
        purpose=row["purpose"],
        requester=row["requester"],
        phone=row["phone"],
        requested_at=row["requested_at"],
        expires_at=row["expires_at"],
        window=None
        if window is None
        else SendWindow(
            frozenset(window["days"]),
            time.fromisoformat(window["start"]),
            time.fromisoformat(window["end"]),
        ),
        recipient_state=row["recipient_state"],
    )


def day_of(at: datetime) -> Any:
    return at.astimezone(UTC).date()
