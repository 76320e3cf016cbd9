"""What eligibility and the egress's gate read of numbers: suppression, consent per purpose
(the ledger's entries without their evidence, replayed), DNC listings and cached lookups, each
in one statement. Keyword-only functions in the caller's transaction or connection."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection
from sqlmodel.ext.asyncio.session import AsyncSession

from smsbus.compliance.domain.ledger import ConsentView, RevocationScope, replay


@dataclass(frozen=True)
class _Consent:
    action: str
    consent_type: str | None
    scope: str


def replayed(entries: Any, revocation_scope: RevocationScope) -> ConsentView:
    """The ledger entries a query aggregated (action, consent_type, scope), replayed."""
    consents = [_Consent(e["action"], e["consent_type"], e["scope"]) for e in entries]
    return replay(consents, revocation_scope=revocation_scope)


# Suppression and the ledger's consents (without their evidence) of many numbers at once.
_CONSENT_FACTS = text(
    """
    SELECT asked.phone,
      EXISTS (SELECT 1 FROM suppressions s WHERE s.phone = asked.phone) AS suppressed,
      (SELECT coalesce(json_agg(json_build_object('action', action, 'consent_type', consent_type,
                                                  'scope', scope) ORDER BY id), '[]'::json)
         FROM consent_ledger l WHERE l.phone = asked.phone) AS entries
    FROM unnest(CAST(:phones AS text[])) AS asked(phone)
    """
)


@dataclass(frozen=True)
class ConsentFacts:
    suppressed: bool
    """Revoked for every purpose (the `suppressions` row)."""
    view: ConsentView

    def revoked(self, purpose: str) -> bool:
        return self.suppressed or purpose in self.view.revoked


async def consent_facts(
    *, session: AsyncSession, phones: Sequence[str], revocation_scope: RevocationScope = "all"
) -> dict[str, ConsentFacts]:
    """Suppression and consent per purpose of many numbers at once (eligibility)."""
    if not phones:
        return {}
    rows = await (await session.connection()).execute(_CONSENT_FACTS, {"phones": list(phones)})
    return {
        row.phone: ConsentFacts(row.suppressed, replayed(row.entries, revocation_scope))
        for row in rows
    }


# Everything the egress's gate needs about one number, in one round trip.
_GATE_FACTS = text(
    """
    SELECT
      (SELECT suppressed_at FROM suppressions WHERE phone = :phone) AS suppressed_at,
      (SELECT coalesce(json_agg(json_build_object('action', action, 'consent_type', consent_type,
                                                  'scope', scope)
                                ORDER BY id), '[]'::json)
         FROM consent_ledger WHERE phone = :phone) AS entries,
      EXISTS (SELECT 1 FROM internal_dnc WHERE phone = :phone) AS internal_dnc,
      (SELECT coalesce(array_agg(list_name ORDER BY list_name), '{}')
         FROM dnc_numbers WHERE phone = :phone) AS dnc_lists,
      (SELECT line_type FROM phone_lookups WHERE phone = :phone AND expires_at > :now)
        AS looked_up
    """
)


@dataclass(frozen=True)
class GateFacts:
    suppressed_at: datetime | None
    view: ConsentView
    internal_dnc: bool
    dnc_lists: tuple[str, ...]
    looked_up: str | None
    """A cached paid line-type lookup, if any."""


async def gate_facts(
    *,
    conn: AsyncConnection,
    phone: str,
    now: datetime,
    revocation_scope: RevocationScope = "all",
) -> GateFacts:
    row = (await conn.execute(_GATE_FACTS, {"phone": phone, "now": now})).one()
    return GateFacts(
        suppressed_at=row.suppressed_at,
        view=replayed(row.entries, revocation_scope),
        internal_dnc=row.internal_dnc,
        dnc_lists=tuple(row.dnc_lists),
        looked_up=row.looked_up,
    )
