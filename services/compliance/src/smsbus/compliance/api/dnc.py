"""DNC lists: imports (a file upload, imported in the background), one number's listings, and
the internal list."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, File, Form, HTTPException, Request, Response, UploadFile

from smsbus.compliance.api.deps import ComplianceDep
from smsbus.compliance.api.import_jobs import ImportId, ListLimit, found, locate
from smsbus.compliance.api.schemas import (
    DncImportJob,
    DncListing,
    DncResponse,
    InternalDnc,
    InternalDncRequest,
)
from smsbus.compliance.dnc_jobs import DncImports
from smsbus.compliance.store import dnc as store
from smsbus.compliance.store import dnc_jobs as job_store
from smsbus.runtime.api_types import error, started_job, stored_filename
from smsbus.runtime.app_state import AppState
from smsbus.runtime.auth import CallerDep
from smsbus.runtime.db import SessionDep

router = APIRouter(prefix="/dnc", tags=["dnc"])

ListName = Annotated[
    str | None,
    Form(pattern=r"^[a-z0-9][a-z0-9_.-]{0,99}$", description="default: ftc, or imported (plain)"),
]
_DEFAULT_NAMES = {"ftc_full": "ftc", "ftc_change": "ftc", "plain": "imported"}


DNC_IMPORTS = AppState[DncImports]("dnc_imports")
DncImportsDep = Annotated[DncImports, Depends(DNC_IMPORTS.get)]


@router.post(
    "/imports",
    response_model=DncImportJob,
    status_code=202,
    responses={202: started_job()},
)
async def import_dnc_file(
    request: Request,
    response: Response,
    imports: DncImportsDep,
    session: SessionDep,
    file: Annotated[UploadFile, File(description="flat text, or a zip of flat text files")],
    format: Annotated[Literal["ftc_full", "ftc_change", "plain"], Form()],
    list_name: ListName = None,
) -> DncImportJob:
    """Starts importing an FTC full list (per area code), an FTC change list, or a plain list
    (one number per line) as a new version of the named list: 202 with the import's status,
    which `Location` keeps telling. All or nothing: a bad file ends the import `failed` with the
    reason and changes nothing."""
    import_id = await imports.submit(
        source=file.file,
        list_name=list_name or _DEFAULT_NAMES[format],
        fmt=format,
        filename=stored_filename(file),
    )
    locate(request, response, "get_dnc_import", import_id)
    return await get_dnc_import(import_id, session)


@router.get("/imports", response_model=list[DncImportJob])
async def list_dnc_imports(session: SessionDep, limit: ListLimit = 100) -> list[DncImportJob]:
    """Every import, newest first, whatever became of it; the succeeded ones are the versions
    of the lists."""
    return [_job_out(row) for row in await job_store.jobs(session=session, limit=limit)]


@router.get(
    "/imports/{import_id}",
    response_model=DncImportJob,
    responses={404: error("No such DNC import.")},
)
async def get_dnc_import(import_id: ImportId, session: SessionDep) -> DncImportJob:
    row = await job_store.job(session=session, job_id=import_id)
    return _job_out(found(row, "DNC import", import_id))


def _job_out(row: dict[str, Any]) -> DncImportJob:
    if row["status"] == "succeeded":
        percent = 100.0
    elif row["file_bytes"]:
        percent = round(100 * row["bytes_read"] / row["file_bytes"], 1)
    else:
        percent = 0.0
    return DncImportJob.model_validate(row | {"percent": percent})


@router.get("/{phone}", response_model=DncResponse)
async def get_dnc(phone: str, compliance: ComplianceDep, session: SessionDep) -> DncResponse:
    e164 = compliance.e164(phone)
    listings = (await store.listings(session=session, phones=[e164]))[e164]
    internal = (await store.internal_entries(session=session, phones=[e164])).get(e164)
    return DncResponse(
        phone=e164,
        listed=bool(listings or internal),
        lists=[
            DncListing(list_name=x.list_name, version=x.version, imported_at=x.imported_at)
            for x in listings
        ],
        internal=InternalDnc.model_validate(internal) if internal else None,
    )


@router.put("/internal/{phone}", response_model=DncResponse)
async def add_internal(
    phone: str,
    body: InternalDncRequest,
    compliance: ComplianceDep,
    session: SessionDep,
    caller: CallerDep,
) -> DncResponse:
    """Put a number on our own do-not-contact list (blocks every purpose)."""
    e164 = compliance.e164(phone)
    async with session.begin():
        await store.add_internal(
            session=session,
            phone=e164,
            reason=body.reason,
            actor=caller.name,
            at=compliance.clock(),
        )
    return await get_dnc(e164, compliance, session)


@router.delete(
    "/internal/{phone}",
    status_code=204,
    responses={404: error("The number is not on the internal list.")},
)
async def remove_internal(phone: str, compliance: ComplianceDep, session: SessionDep) -> Response:
    e164 = compliance.e164(phone)
    async with session.begin():
        removed = await store.remove_internal(session=session, phone=e164)
    if not removed:
        raise HTTPException(status_code=404, detail=f"{e164} is not on the internal list")
    return Response(status_code=204)
