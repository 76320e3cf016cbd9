"""/v1/contacts/imports: a CSV import as a background job (202 and its id at once), its
progress, the recent imports."""

from __future__ import annotations

import asyncio
import json
import shutil
import tempfile
from pathlib import Path
from typing import Annotated, BinaryIO

from fastapi import (
    APIRouter,
    Depends,
    File,
    Form,
    HTTPException,
    Response,
    UploadFile,
)
from sqlmodel.ext.asyncio.session import AsyncSession

from smsbus.campaigns.api.deps import EngineDep, not_found, unprocessable
from smsbus.campaigns.api.schemas import ImportOut, RowErrorOut
from smsbus.campaigns.domain.imports import FINISHED, percent_done
from smsbus.campaigns.imports import ImportJob, ImportRunner
from smsbus.campaigns.models import ContactImportRow
from smsbus.campaigns.store import contacts as contact_store
from smsbus.campaigns.store import imports as store
from smsbus.runtime.api_types import UNSTORABLE, StoredText, error, storable, stored_filename
from smsbus.runtime.app_state import AppState
from smsbus.runtime.db import SessionDep

router = APIRouter(prefix="/v1/contacts/imports")
SPOOL_PREFIX = "smsbus-contact-import-"


RUNNER = AppState[ImportRunner]("imports")
RunnerDep = Annotated[ImportRunner, Depends(RUNNER.get)]
# The form fields of a contacts CSV upload (here and POST /v1/contacts).
CsvUpload = Annotated[UploadFile, File(description="CSV with a header row and a phone column")]
MappingForm = Annotated[StoredText | None, Form(description='JSON {"CSV column": "our field"}')]


def parse_mapping(mapping: str | None) -> dict[str, str]:
    """The `mapping` form field: JSON {"CSV column": "our field"}, names PostgreSQL can store
    (the JSON text may be fine while what it escapes is not: "\\u0000")."""
    if not mapping:
        return {}
    try:
        parsed = json.loads(mapping)
    except ValueError:
        parsed = None
    if not isinstance(parsed, dict) or not all(isinstance(v, str) for v in parsed.values()):
        raise unprocessable("mapping", "not a JSON object of column → field")
    if not storable(parsed):
        raise unprocessable("mapping", UNSTORABLE)
    return parsed


async def finished_import(*, session: AsyncSession, import_id: str) -> ContactImportRow:
    """The import whose contacts a list or a campaign asks for: 422 if unknown, 409 while it
    runs (its contacts are not all known yet). A failed import gives the contacts of the
    chunks it committed."""
    row = await store.get_import(session=session, import_id=import_id)
    if row is None:
        raise unprocessable("import_id", "unknown import")
    if row.status not in FINISHED:
        raise HTTPException(409, f"import {import_id} is {row.status}: wait until it finishes")
    return row


def import_out(row: ContactImportRow) -> ImportOut:
    return ImportOut(
        **row.model_dump(exclude={"errors", "mapping", "heartbeat_at"}),
        percent=percent_done(
            status=row.status, bytes_read=row.bytes_read, file_bytes=row.file_bytes
        ),
        rejected=row.invalid + row.duplicates,
        errors=[RowErrorOut(**e) for e in row.errors],
    )


def _spool(upload: BinaryIO) -> tuple[Path, int]:
    """The upload copied to a file the job owns (FastAPI closes its own after the response)."""
    upload.seek(0)
    with tempfile.NamedTemporaryFile(prefix=SPOOL_PREFIX, suffix=".csv", delete=False) as out:
        shutil.copyfileobj(upload, out, 1024 * 1024)
        return Path(out.name), out.tell()


CHECK_LINES = (
    "once the contacts are in, compliance checks their numbers' line types (paid lookups within "
    "its monthly quota), so that landlines are refused before any campaign texts them; the "
    "outcome is the import's `lines`"
)


@router.post("", response_model=ImportOut, status_code=202)
async def submit_import(
    response: Response,
    engine: EngineDep,
    session: SessionDep,
    runner: RunnerDep,
    file: CsvUpload,
    mapping: MappingForm = None,
    list_id: Annotated[StoredText | None, Form(description="a static list to add them to")] = None,
    list_name: Annotated[StoredText | None, Form(description="a new static list for them")] = None,
    check_lines: Annotated[bool, Form(description=CHECK_LINES)] = False,
) -> ImportOut:
    """Queues the import and answers at once; GET the Location for its progress."""
    columns = parse_mapping(mapping)
    if list_id and list_name:
        raise unprocessable("list_id", "give a list_id or a list_name, not both")
    if list_name is not None and not 0 < len(list_name.strip()) <= 200:
        raise unprocessable("list_name", "a list name has 1 to 200 characters")
    if list_id:
        async with session.begin():
            listed = await contact_store.get_list(session=session, list_id=list_id)
        if listed is None or listed.kind != "static":
            raise unprocessable("list_id", "not a static list")
    path, size = await asyncio.to_thread(_spool, file.file)
    try:
        async with session.begin():
            if list_name:
                created = await contact_store.create_list(
                    session=session, list_id=engine.new_id(), name=list_name, kind="static",
                    spec=None,
                )  # fmt: skip
                list_id = created.id
            row = await store.create_import(
                session=session, import_id=engine.new_id(), file_name=stored_filename(file),
                file_bytes=size, mapping=columns or None, list_id=list_id, check_lines=check_lines,
            )  # fmt: skip
    except BaseException:
        path.unlink(missing_ok=True)
        raise
    runner.submit(ImportJob(row.id, path, columns, list_id, check_lines))
    response.headers["Location"] = f"{router.prefix}/{row.id}"
    return import_out(row)


@router.get("", response_model=list[ImportOut])
async def list_imports(session: SessionDep, limit: int = 20) -> list[ImportOut]:
    """The most recent first."""
    rows = await store.recent_imports(session=session, limit=max(1, min(limit, 200)))
    return [import_out(r) for r in rows]


@router.get("/{import_id}", response_model=ImportOut, responses={404: error("No such import.")})
async def get_import(import_id: StoredText, session: SessionDep) -> ImportOut:
    row = await store.get_import(session=session, import_id=import_id)
    if row is None:
        raise not_found("import")
    return import_out(row)
