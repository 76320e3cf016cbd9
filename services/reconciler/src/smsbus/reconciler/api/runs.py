"""`/runs`: run now, list runs, one run."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, HTTPException, Query, Response

from smsbus.reconciler.api.deps import ReconcilerDep
from smsbus.reconciler.api.schemas import RunList, RunOut
from smsbus.reconciler.runner import AlreadyRunning
from smsbus.reconciler.store import runs as store
from smsbus.runtime.api_types import StoredText
from smsbus.runtime.db import SessionDep

router = APIRouter(prefix="/runs", tags=["runs"])


@router.post(
    "",
    status_code=202,
    responses={
        200: {"description": "With `wait`: the run, finished.", "model": RunOut},
        409: {"description": "A run is already under way."},
    },
)
async def run_now(
    reconciler: ReconcilerDep,
    response: Response,
    wait: Annotated[bool, Query(description="Answer once the run has finished.")] = False,
) -> RunOut:
    """Starts a reconciliation now. Answers 202 with the run as started (`running`) and its
    address in Location, to be followed with GET /runs/{id}; with `wait=true`, 200 and the run
    once finished (succeeded, failed, deferred), which can take minutes."""
    try:
        run = await (reconciler.run("api") if wait else reconciler.start("api"))
    except AlreadyRunning as exc:
        raise HTTPException(status_code=409, detail=str(exc)) from None
    if wait:
        response.status_code = 200
    else:
        response.headers["Location"] = f"{router.prefix}/{run.id}"
    return RunOut.of(run)


@router.get("")
async def list_runs(
    session: SessionDep, limit: Annotated[int, Query(ge=1, le=500)] = 20
) -> RunList:
    """The latest runs, newest first."""
    rows = await store.list_runs(session=session, limit=limit)
    return RunList(data=[RunOut.of(row) for row in rows])


@router.get("/{run_id}", responses={404: {"description": "No such run."}})
async def get_run(run_id: StoredText, session: SessionDep) -> RunOut:
    row = await store.get_run(session=session, run_id=run_id)
    if row is None:
        raise HTTPException(status_code=404, detail=f"no run {run_id!r}")
    return RunOut.of(row)
