"""The pipeline's status and the canary checks: read them, start one now."""

from __future__ import annotations

from fastapi import APIRouter, HTTPException, Query
from fastapi.responses import JSONResponse

from smsbus.health.api.deps import MonitorDep
from smsbus.health.api.schemas import CheckList, CheckOut, CheckStarted, StatusOut
from smsbus.health.domain.status import status_of
from smsbus.health.store import checks as store
from smsbus.runtime.api_types import StoredText, error
from smsbus.runtime.db import SessionDep

router = APIRouter(tags=["canary"])


@router.get("/status", response_model=StatusOut)
async def get_status(monitor: MonitorDep, session: SessionDep) -> StatusOut:
    summary = await store.summary(session=session)
    pending = await store.pending(session=session)
    return StatusOut(
        status=status_of(summary, failures_before_alert=monitor.failures_before_alert),
        last_success_at=summary.last_success_at,
        last_check_at=summary.last_check_at,
        consecutive_failures=summary.consecutive_failures,
        failures_before_alert=monitor.failures_before_alert,
        pending_check_id=pending[0].id if pending else None,
    )


@router.get("/checks", response_model=CheckList)
async def list_checks(session: SessionDep, limit: int = Query(20, ge=1, le=500)) -> CheckList:
    """The most recent checks, newest first."""
    return CheckList(
        checks=[CheckOut.of(c) for c in await store.recent(session=session, limit=limit)]
    )


@router.get("/checks/{check_id}", response_model=CheckOut, responses={404: error("No such check.")})
async def get_check(check_id: StoredText, session: SessionDep) -> CheckOut:
    check = await store.get(session=session, check_id=check_id)
    if check is None:
        raise HTTPException(status_code=404, detail=f"no check {check_id!r}")
    return CheckOut.of(check)


@router.post(
    "/checks",
    status_code=202,
    response_model=CheckStarted,
    responses={409: {"description": "a check is pending"}},
)
async def start_check(monitor: MonitorDep, session: SessionDep) -> CheckStarted | JSONResponse:
    """Starts a check now (its send is requested from compliance's egress); 409 while one is
    pending."""
    try:
        check = await monitor.canary.start(trigger="api")
    except store.AlreadyPending:
        pending = await store.pending(session=session)
        return JSONResponse(
            status_code=409,
            content={
                "detail": "a check is pending",
                "pending_check_id": pending[0].id if pending else None,
            },
        )
    return CheckStarted(id=check.id, state=check.state, deadline_at=check.deadline_at)
