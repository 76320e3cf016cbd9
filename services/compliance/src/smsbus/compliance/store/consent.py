"""The ledger, suppressions, reply intents and the HELP log: keyword-only async functions.

Each runs in the caller's transaction; `apply_decision` persists what a domain decision says.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import fields
from datetime import datetime
from typing import Any

from sqlalchemy import select, text
from sqlalchemy.ext.asyncio import AsyncConnection
from sqlmodel.ext.asyncio.session import AsyncSession

from smsbus.compliance.domain.decisions import Decision, NumberState, ReplyIntent
from smsbus.compliance.domain.gate import PRIORITY
from smsbus.compliance.domain.ledger import LedgerEntry, RevocationScope
from smsbus.compliance.models import ConsentLedgerRow, OutboundMessageRow, SuppressionRow
from smsbus.compliance.store.facts import replayed
from smsbus.contracts import ConsentEvidence
from smsbus.runtime.tables import table

LEDGER = table(ConsentLedgerRow)
SUPPRESSIONS = table(SuppressionRow)
OUTBOUND = table(OutboundMessageRow)
_ENTRY_FIELDS = tuple(field.name for field in fields(LedgerEntry))

_LOCK = text("SELECT pg_advisory_xact_lock(hashtextextended('compliance.number:' || :phone, 0))")


async def _conn(session: AsyncSession) -> AsyncConnection:
    return await session.connection()


async def lock_number(*, session: AsyncSession, phone: str) -> None:
    """Serialises changes to one number's consent until the transaction ends."""
    await (await _conn(session)).execute(_LOCK, {"phone": phone})


# Several numbers in one statement, in the order given (sorted by the caller: two transactions
# locking overlapping sets then never wait on each other in a cycle).
_LOCK_MANY = text(
    "SELECT pg_advisory_xact_lock(hashtextextended('compliance.number:' || phone, 0)) "
    "FROM unnest(CAST(:phones AS text[])) WITH ORDINALITY AS locked(phone, place) ORDER BY place"
)


async def lock_numbers(*, session: AsyncSession, phones: Sequence[str]) -> None:
    """`lock_number` for each of `phones`, in one round trip and in their order."""
    if phones:
        await (await _conn(session)).execute(_LOCK_MANY, {"phones": list(phones)})


async def ledger(*, session: AsyncSession, phone: str) -> list[LedgerEntry]:
    """The number's entries in ledger order."""
    query = select(LEDGER).where(LEDGER.c.phone == phone).order_by(LEDGER.c.id)
    rows = (await (await _conn(session)).execute(query)).mappings().all()
    return [_entry(row) for row in rows]


# One round trip for what a decision needs; the per-number lock is taken before it (a separate
# statement, so this one's snapshot already sees whatever the lock waited for).
_STATE = text(
    """
    SELECT
      (SELECT coalesce(json_agg(json_build_object('action', action, 'consent_type', consent_type,
                                                  'scope', scope)
                                ORDER BY id), '[]'::json)
         FROM consent_ledger WHERE phone = :phone) AS entries,
      EXISTS (SELECT 1 FROM suppressions WHERE phone = :phone) AS suppressed,
      (SELECT max(replied_at) FROM help_replies WHERE phone = :phone) AS last_help
    """
)
_STATES = text(
    """
    SELECT phone,
      (SELECT coalesce(json_agg(json_build_object('action', action, 'consent_type', consent_type,
                                                  'scope', scope)
                                ORDER BY id), '[]'::json)
         FROM consent_ledger l WHERE l.phone = asked.phone) AS entries,
      EXISTS (SELECT 1 FROM suppressions s WHERE s.phone = asked.phone) AS suppressed,
      (SELECT max(replied_at) FROM help_replies h WHERE h.phone = asked.phone) AS last_help
    FROM unnest(CAST(:phones AS text[])) AS asked(phone)
    """
)
_ENTRY_CTES = """
    entry AS (
      INSERT INTO consent_ledger (entry_id, phone, action, scope, consent_type, source, actor,
                                  evidence, classifier_version, received_at, recorded_at,
                                  ingested_at, dedupe_key)
      VALUES (:entry_id, :phone, :action, :scope, :consent_type, :source, :actor,
              CAST(:evidence AS jsonb), :classifier_version, :received_at, :recorded_at,
              :ingested_at, :dedupe_key)
      RETURNING phone, entry_id, recorded_at
    ), suppressed AS (
      INSERT INTO suppressions (phone, entry_id, suppressed_at)
      SELECT phone, entry_id, recorded_at FROM entry WHERE :suppress
      ON CONFLICT (phone) DO NOTHING RETURNING 1
    ), lifted AS (
      DELETE FROM suppressions WHERE :lift AND phone = (SELECT phone FROM entry) RETURNING 1
    )"""
# The reply as a request to the egress (requester compliance), its HELP log row, and a NOTIFY
# that wakes the egress at commit (it also polls).
_REPLY_CTES = """
    reply AS (
      INSERT INTO outbound_messages (id, purpose, priority, requester, phone, line, text,
                                     trigger_message_id, status, requested_at, next_attempt_at,
                                     attempts, recovered)
      VALUES (:id, :kind, :priority, 'compliance', :phone, :line, :text, :trigger_message_id,
              'pending', :created_at, :created_at, 0, false)
      ON CONFLICT (id) DO NOTHING
      RETURNING id, purpose, phone, requested_at
    ), help AS (
      INSERT INTO help_replies (phone, intent_id, replied_at)
      SELECT phone, id, requested_at FROM reply WHERE purpose = 'help' RETURNING 1
    )"""
_NOTIFY = "SELECT pg_notify('smsbus_compliance_egress', current_schema()) FROM reply"
# Data-modifying CTEs all run whatever the final SELECT reads: one round trip per decision.
_APPEND = text(f"WITH {_ENTRY_CTES} SELECT (SELECT count(*) FROM suppressed)")
_REPLY = text(f"WITH {_REPLY_CTES} {_NOTIFY}")
_APPEND_AND_REPLY = text(f"WITH {_ENTRY_CTES}, {_REPLY_CTES} {_NOTIFY}")


async def load_state(
    *, session: AsyncSession, phone: str, revocation_scope: RevocationScope = "all"
) -> NumberState:
    row = (await (await _conn(session)).execute(_STATE, {"phone": phone})).one()
    return _state(row, revocation_scope)


async def load_states(
    *, session: AsyncSession, phones: Sequence[str], revocation_scope: RevocationScope = "all"
) -> dict[str, NumberState]:
    """`load_state` for many numbers in one statement."""
    if not phones:
        return {}
    rows = await (await _conn(session)).execute(_STATES, {"phones": list(phones)})
    return {row.phone: _state(row, revocation_scope) for row in rows}


def _state(row: Any, revocation_scope: RevocationScope) -> NumberState:
    view = replayed(row.entries, revocation_scope)
    return NumberState(
        status=view.status,
        suppressed=row.suppressed,
        last_help_at=row.last_help,
        revoked=view.revoked,
    )


async def apply_decision(*, session: AsyncSession, decision: Decision) -> None:
    entry, reply = decision.entry, decision.reply
    values: dict[str, Any] = {}
    if entry is not None:
        values |= _entry_values(entry) | {
            "evidence": entry.evidence.model_dump_json(),
            "suppress": decision.suppression == "suppress",
            "lift": decision.suppression == "lift",
        }
    if reply is not None:
        values |= _reply_values(reply)
    statement = (
        _APPEND_AND_REPLY if entry and reply else _APPEND if entry else _REPLY if reply else None
    )
    if statement is not None:
        await (await _conn(session)).execute(statement, values)


# The same writes as _APPEND_AND_REPLY for many decisions in one statement; each number at most
# once (the CTEs share one snapshot, so a number's suppress and lift could not see each other).
_APPLY_MANY = text(
    """
    WITH e AS (
      SELECT * FROM jsonb_to_recordset(CAST(:entries AS jsonb)) AS e(
        place int, entry_id text, phone text, action text, scope text, consent_type text,
        source text, actor text, evidence jsonb, classifier_version text,
        received_at timestamptz, recorded_at timestamptz, ingested_at timestamptz,
        dedupe_key text, suppress boolean, lift boolean)
    ), entry AS (
      INSERT INTO consent_ledger (entry_id, phone, action, scope, consent_type, source, actor,
                                  evidence, classifier_version, received_at, recorded_at,
                                  ingested_at, dedupe_key)
      SELECT entry_id, phone, action, scope, consent_type, source, actor, evidence,
             classifier_version, received_at, recorded_at, ingested_at, dedupe_key
      FROM e ORDER BY place
      RETURNING 1
    ), suppressed AS (
      INSERT INTO suppressions (phone, entry_id, suppressed_at)
      SELECT phone, entry_id, recorded_at FROM e WHERE suppress
      ON CONFLICT (phone) DO NOTHING RETURNING 1
    ), lifted AS (
      DELETE FROM suppressions s USING e WHERE e.lift AND s.phone = e.phone RETURNING 1
    ), r AS (
      SELECT * FROM jsonb_to_recordset(CAST(:replies AS jsonb)) AS r(
        place int, id text, kind text, priority int, phone text, line text, text text,
        trigger_message_id text, created_at timestamptz)
    ), reply AS (
      INSERT INTO outbound_messages (id, purpose, priority, requester, phone, line, text,
                                     trigger_message_id, status, requested_at, next_attempt_at,
                                     attempts, recovered)
      SELECT id, kind, priority, 'compliance', phone, line, text, trigger_message_id, 'pending',
             created_at, created_at, 0, false
      FROM r ORDER BY place
      ON CONFLICT (id) DO NOTHING
      RETURNING id, purpose, phone, requested_at
    ), help AS (
      INSERT INTO help_replies (phone, intent_id, replied_at)
      SELECT phone, id, requested_at FROM reply WHERE purpose = 'help' RETURNING 1
    )
    SELECT (SELECT count(*) FROM entry), (SELECT count(*) FROM suppressed),
           (SELECT count(*) FROM lifted), (SELECT count(*) FROM help),
           (SELECT pg_notify('smsbus_compliance_egress', current_schema())
              WHERE EXISTS (SELECT 1 FROM reply))
    """
)


async def apply_decisions(*, session: AsyncSession, decisions: Sequence[Decision]) -> None:
    """`apply_decision` for the decisions of distinct numbers, in one round trip."""
    entries, replies = [], []
    for place, decision in enumerate(decisions):
        if decision.entry is not None:
            entries.append(
                _entry_values(decision.entry)
                | {
                    "place": place,
                    "suppress": decision.suppression == "suppress",
                    "lift": decision.suppression == "lift",
                }
            )
        if decision.reply is not None:
            replies.append(_reply_values(decision.reply) | {"place": place})
    if entries or replies:
        await (await _conn(session)).execute(
            _APPLY_MANY, {"entries": _json(entries), "replies": _json(replies)}
        )


def _json(rows: list[dict[str, Any]]) -> str:
    return json.dumps(rows, default=lambda value: value.isoformat())


async def add_reply(*, session: AsyncSession, reply: ReplyIntent) -> None:
    await (await _conn(session)).execute(_REPLY, _reply_values(reply))


def _reply_values(reply: ReplyIntent) -> dict[str, Any]:
    return {
        "id": reply.intent_id,
        "kind": reply.kind,
        "priority": PRIORITY[reply.kind],
        "phone": reply.phone,
        "line": reply.line,
        "text": reply.text,
        "trigger_message_id": reply.trigger_message_id,
        "created_at": reply.created_at,
    }


async def suppressed_since(*, session: AsyncSession, phone: str) -> datetime | None:
    conn = await _conn(session)
    return await conn.scalar(
        select(SUPPRESSIONS.c.suppressed_at).where(SUPPRESSIONS.c.phone == phone)
    )


async def replies(*, session: AsyncSession, phone: str) -> list[dict[str, Any]]:
    """Every reply decided for the number, oldest first (the audit export shows them)."""
    query = (
        select(OUTBOUND)
        .where(OUTBOUND.c.phone == phone, OUTBOUND.c.requester == "compliance")
        .order_by(OUTBOUND.c.requested_at)
    )
    return [dict(row) for row in (await (await _conn(session)).execute(query)).mappings()]


def _entry_values(entry: LedgerEntry) -> dict[str, Any]:
    # vars(), not asdict(): no deep copy of the evidence that is replaced by its JSON anyway.
    return vars(entry) | {"evidence": entry.evidence.model_dump(mode="json")}


def _entry(row: Any) -> LedgerEntry:
    """A ledger row (its columns are the entry's fields, plus the ledger order's id)."""
    values = {name: row[name] for name in _ENTRY_FIELDS}
    return LedgerEntry(**values | {"evidence": ConsentEvidence.model_validate(row["evidence"])})
