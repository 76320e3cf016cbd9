"""Consent imports: a CSV of numbers with their consent and its evidence, imported in the
background (`consent_jobs.py`); its progress, counts and refused rows."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, File, Form, Request, Response, UploadFile

from smsbus.compliance.api.import_jobs import ImportId, ListLimit, found, locate
from smsbus.compliance.api.schemas import ConsentImportJob
from smsbus.compliance.consent_jobs import ConsentImports
from smsbus.compliance.domain.consent_import import percent_done, summary_note
from smsbus.compliance.domain.ledger import Scope
from smsbus.compliance.store import consent_imports as store
from smsbus.runtime.api_types import error, started_job, stored_filename
from smsbus.runtime.app_state import AppState
from smsbus.runtime.auth import CallerDep
from smsbus.runtime.db import SessionDep

router = APIRouter(prefix="/consent/imports", tags=["consent"])


CONSENT_IMPORTS = AppState[ConsentImports]("consent_imports")
ConsentImportsDep = Annotated[ConsentImports, Depends(CONSENT_IMPORTS.get)]


@router.post("", response_model=ConsentImportJob, status_code=202, responses={202: started_job()})
async def import_consent_file(
    request: Request,
    response: Response,
    imports: ConsentImportsDep,
    session: SessionDep,
    caller: CallerDep,
    file: Annotated[
        UploadFile,
        File(
            description="UTF-8 CSV with a header: phone, consent (express | implied | revoked | "
            "none), consent_source, consent_at (ISO 8601), consent_text, ref (optional)"
        ),
    ],
    scope: Annotated[Scope, Form(description="what its grants and revocations cover")] = "all",
) -> ConsentImportJob:
    """Starts importing consent with its evidence, one ledger entry per accepted row (the
    import's id as evidence, the token's name as actor), with the consent events the ledger
    emits: 202 with the import's status, which `Location` keeps telling. A number already
    opted out is never re-subscribed by an import: its grant is refused `opted_out`."""
    import_id = await imports.submit(
        source=file.file, filename=stored_filename(file), scope=scope, actor=caller.name
    )
    locate(request, response, "get_consent_import", import_id)
    return await get_consent_import(import_id, session)


@router.get("", response_model=list[ConsentImportJob])
async def list_consent_imports(
    session: SessionDep, limit: ListLimit = 100
) -> list[ConsentImportJob]:
    """Every consent import, newest first, whatever became of it."""
    return [_job_out(row) for row in await store.jobs(session=session, limit=limit)]


@router.get(
    "/{import_id}", response_model=ConsentImportJob, responses={404: error("No such import.")}
)
async def get_consent_import(import_id: ImportId, session: SessionDep) -> ConsentImportJob:
    row = await store.job(session=session, job_id=import_id)
    return _job_out(found(row, "consent import", import_id))


def _job_out(row: dict[str, Any]) -> ConsentImportJob:
    percent = percent_done(
        status=row["status"], bytes_read=row["bytes_read"], file_bytes=row["file_bytes"],
        applied=row["applied"], numbers=row["numbers"],
    )  # fmt: skip
    summary = summary_note(
        granted=row["granted"], revoked=row["revoked"], kept_opted_out=row["kept_opted_out"],
        refused=row["refused"],
    )  # fmt: skip
    return ConsentImportJob.model_validate(row | {"percent": percent, "summary": summary})
