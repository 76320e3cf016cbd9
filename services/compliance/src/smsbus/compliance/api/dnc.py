"""DNC lists: imports (file upload), one number's listings, and the internal list."""

from __future__ import annotations

import time
from typing import Annotated, Literal

from fastapi import APIRouter, File, Form, HTTPException, Response, UploadFile

from smsbus.compliance.api.deps import ComplianceDep
from smsbus.compliance.api.schemas import (
    DncImportResponse,
    DncListing,
    DncResponse,
    InternalDnc,
    InternalDncRequest,
)
from smsbus.compliance.dnc_import import ImportProblems, records_from_upload
from smsbus.compliance.domain.dnc import DncFileError
from smsbus.compliance.store import dnc as store
from smsbus.runtime.db import SessionDep

router = APIRouter(prefix="/dnc", tags=["dnc"])

ListName = Annotated[
    str | None,
    Form(pattern=r"^[a-z0-9][a-z0-9_.-]{0,99}$", description="default: ftc, or imported (plain)"),
]
_DEFAULT_NAMES = {"ftc_full": "ftc", "ftc_change": "ftc", "plain": "imported"}


@router.post("/imports", response_model=DncImportResponse, status_code=201)
async def import_dnc_file(
    compliance: ComplianceDep,
    session: SessionDep,
    file: Annotated[UploadFile, File(description="flat text, or a zip of flat text files")],
    format: Annotated[Literal["ftc_full", "ftc_change", "plain"], Form()],
    list_name: ListName = None,
) -> DncImportResponse:
    """Import an FTC full list (per area code), an FTC change list, or a plain list (one number
    per line) as a new version of the named list. All or nothing: a bad file is a 422 and
    changes nothing."""
    name = list_name or _DEFAULT_NAMES[format]
    problems = ImportProblems()
    started = time.perf_counter()
    records = records_from_upload(
        file.file,
        fmt=format,
        default_region=compliance.settings.default_region,
        max_invalid_lines=compliance.settings.dnc_max_invalid_lines,
        problems=problems,
    )
    try:
        async with session.begin():
            summary = await store.import_list(
                session=session,
                name=name,
                fmt=format,
                filename=file.filename,
                records=records,
                imported_at=compliance.clock(),
            )
    except DncFileError as exc:
        raise HTTPException(status_code=422, detail=f"bad DNC file: {exc}") from None
    return DncImportResponse(
        list_name=summary.list_name,
        version=summary.version,
        format=summary.format,
        filename=summary.filename,
        imported_at=summary.imported_at,
        records=summary.records,
        added=summary.added,
        removed=summary.removed,
        total=summary.total,
        area_codes=summary.area_codes,
        invalid_lines=problems.invalid_lines,
        seconds=round(time.perf_counter() - started, 3),
    )


@router.get("/imports")
async def list_imports(session: SessionDep) -> list[dict[str, object]]:
    """Every import, newest first: the versions of each list and what they changed."""
    return await store.imports(session=session)


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
    phone: str, body: InternalDncRequest, compliance: ComplianceDep, session: SessionDep
) -> DncResponse:
    """Put a number on our own do-not-contact list (blocks every purpose)."""
    e164 = compliance.e164(phone)
    async with session.begin():
        await store.add_internal(
            session=session, phone=e164, reason=body.reason, actor=body.actor, at=compliance.clock()
        )
    return await get_dnc(e164, compliance, session)


@router.delete("/internal/{phone}", status_code=204)
async def remove_internal(phone: str, compliance: ComplianceDep, session: SessionDep) -> Response:
    e164 = compliance.e164(phone)
    async with session.begin():
        removed = await store.remove_internal(session=session, phone=e164)
    if not removed:
        raise HTTPException(status_code=404, detail=f"{e164} is not on the internal list")
    return Response(status_code=204)
