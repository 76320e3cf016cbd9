"""/v1/outbound: every text the egress was asked for, per number (an audit of what left)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from smsbus.compliance.api.deps import ComplianceDep
from smsbus.compliance.api.schemas import OutboundList, OutboundOut
from smsbus.compliance.domain.gate import PRIORITY
from smsbus.compliance.store import outbound as store
from smsbus.runtime.api_types import StoredDatetime, StoredText
from smsbus.runtime.db import SessionDep

router = APIRouter(prefix="/outbound", tags=["outbound"])


@router.get("", response_model=OutboundList)
async def list_outbound(
    phone: str,
    compliance: ComplianceDep,
    session: SessionDep,
    since: StoredDatetime | None = None,
    purpose: Annotated[list[str] | None, Query()] = None,
    requester: StoredText | None = None,
    limit: Annotated[int, Query(ge=1, le=5000)] = 500,
) -> OutboundList:
    """A number's texts, newest first: purpose, requester, the consent state each was sent on,
    OpenPhone's message id, times; refused and deferred ones with their reason."""
    e164 = compliance.e164(phone, where="query")
    unknown = sorted(set(purpose or ()) - PRIORITY.keys())
    if unknown:
        compliance.unprocessable("purpose", f"unknown purpose(s): {', '.join(unknown)}")
    rows = await store.for_phone(
        conn=await session.connection(), phone=e164, since=since, purposes=purpose,
        requester=requester, limit=limit,
    )  # fmt: skip
    return OutboundList(phone=e164, texts=[OutboundOut.model_validate(row) for row in rows])
