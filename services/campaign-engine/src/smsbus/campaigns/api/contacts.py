"""/v1/contacts (CSV import, list, flags), /v1/lists and /v1/templates."""

from __future__ import annotations

import codecs
import csv
from collections.abc import Iterator
from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Query, UploadFile
from sqlmodel.ext.asyncio.session import AsyncSession

from smsbus.campaigns.api.deps import Engine, EngineDep, not_found, unprocessable
from smsbus.campaigns.api.imports import CsvUpload, MappingForm, finished_import, parse_mapping
from smsbus.campaigns.api.schemas import (
    ContactOut,
    ContactPage,
    FlagsIn,
    ImportResult,
    ListIn,
    ListMembersIn,
    ListOut,
    MembersAdded,
    PreviewIn,
    PreviewOut,
    RowErrorOut,
    TemplateCheck,
    TemplateIn,
)
from smsbus.campaigns.domain import contacts as domain
from smsbus.campaigns.domain import templates
from smsbus.campaigns.models import ListRow
from smsbus.campaigns.store import contacts as store
from smsbus.campaigns.store import imports as import_store
from smsbus.runtime.api_types import INT64_MAX, Responses, StoredText, error
from smsbus.runtime.db import SessionDep

router = APIRouter(prefix="/v1")
NO_CONTACT: Responses = {404: error("No such contact.")}
BATCH = 500


def _lines(upload: UploadFile) -> Iterator[str]:
    """The upload decoded as UTF-8 (BOM tolerated) line by line, without reading it whole."""
    decoder = codecs.getincrementaldecoder("utf-8-sig")()
    pending = ""
    upload.file.seek(0)
    while chunk := upload.file.read(64 * 1024):
        pending += decoder.decode(chunk)
        *complete, pending = pending.split("\n")
        for line in complete:
            yield line + "\n"
    pending += decoder.decode(b"", final=True)
    if pending:
        yield pending


@router.post("/contacts", response_model=ImportResult, status_code=201)
async def import_contacts(
    engine: EngineDep,
    session: SessionDep,
    file: CsvUpload,
    mapping: MappingForm = None,
) -> ImportResult:
    """Streams a CSV in this request: phones to E.164, invalid rows reported by line,
    duplicates merged. For small files; POST /v1/contacts/imports runs large ones as a job."""
    columns = parse_mapping(mapping)
    invalid: list[RowErrorOut] = []
    duplicates: list[RowErrorOut] = []
    seen: dict[str, int] = {}
    batch: list[domain.ContactRow] = []
    ids: list[str] = []
    try:
        async with session.begin():
            for item in domain.read_csv(
                _lines(file), mapping=columns, region=engine.settings.default_region
            ):
                if isinstance(item, domain.RowError):
                    invalid.append(
                        RowErrorOut(line=item.line, reason=item.reason, value=item.value)
                    )
                elif item.phone in seen:
                    duplicates.append(
                        RowErrorOut(
                            line=item.line,
                            reason=f"duplicate of line {seen[item.phone]}",
                            value=item.phone,
                        )
                    )
                elif item.consent:
                    # Only an import job hands consent to compliance (the ledger is its own).
                    raise unprocessable(
                        "file", "consent columns are taken by POST /v1/contacts/imports only"
                    )
                else:
                    seen[item.phone] = item.line
                    batch.append(item)
                    if len(batch) >= BATCH:
                        ids += await store.upsert_contacts(
                            session=session, rows=batch, new_id=engine.new_id
                        )
                        batch = []
            ids += await store.upsert_contacts(session=session, rows=batch, new_id=engine.new_id)
    except UnicodeDecodeError:
        raise unprocessable("file", "not UTF-8 text") from None
    except csv.Error as exc:  # a stray carriage return inside a value, say
        raise unprocessable("file", f"not CSV: {exc}") from None
    return ImportResult(imported=len(ids), duplicates=duplicates, invalid=invalid, contact_ids=ids)


@router.get("/contacts", response_model=ContactPage)
async def list_contacts(
    session: SessionDep,
    limit: Annotated[int, Query(ge=0, description="at most 1000 are answered")] = 100,
    offset: Annotated[int, Query(ge=0, le=INT64_MAX)] = 0,
) -> ContactPage:
    rows, total = await store.list_contacts(session=session, limit=min(limit, 1000), offset=offset)
    return ContactPage(data=[ContactOut.model_validate(r) for r in rows], count=total)


@router.patch("/contacts/{contact_id}/flags", response_model=ContactOut, responses=NO_CONTACT)
async def set_flags(contact_id: StoredText, body: FlagsIn, session: SessionDep) -> ContactOut:
    """Office number, do-not-contact, recently texted (until when)."""
    async with session.begin():
        row = await store.set_flags(
            session=session, contact_id=contact_id, flags=body.model_dump(exclude_unset=True)
        )
        if row is None:
            raise not_found("contact")
        await session.refresh(row)
        return ContactOut.model_validate(row)


@router.post("/lists", response_model=ListOut, status_code=201)
async def create_list(body: ListIn, engine: EngineDep, session: SessionDep) -> ListOut:
    """Static lists: contact ids and/or an import's contacts; dynamic ones: a filter."""
    if body.kind == "dynamic":
        if body.import_id:
            raise unprocessable("import_id", "a dynamic list's members come from its filter")
        try:
            domain.check_filter(body.filter or {})
        except ValueError as exc:
            raise unprocessable("filter", str(exc)) from None
    async with session.begin():
        row = await store.create_list(
            session=session,
            list_id=engine.new_id(),
            name=body.name,
            kind=body.kind,
            spec=body.filter,
        )
        if body.kind == "static":
            await _add_to_static_list(
                session, row, contact_ids=body.contact_ids, import_id=body.import_id
            )
        return await _list_out(session, row, engine)


@router.get("/lists", response_model=list[ListOut])
async def get_lists(engine: EngineDep, session: SessionDep) -> list[ListOut]:
    return [await _list_out(session, row, engine) for row in await store.lists(session=session)]


@router.post(
    "/lists/{list_id}/members",
    response_model=MembersAdded,
    status_code=201,
    responses={
        404: error("No such list."),
        409: error("A dynamic list (its filter chooses), or the import still runs."),
    },
)
async def add_list_members(
    list_id: StoredText, body: ListMembersIn, session: SessionDep
) -> MembersAdded:
    """Adds contacts by id and/or an import's contacts to a static list; a contact already in
    it is a duplicate."""
    if not body.contact_ids and not body.import_id:
        raise unprocessable("contact_ids", "give contact_ids or an import_id")
    async with session.begin():
        row = await store.get_list(session=session, list_id=list_id)
        if row is None:
            raise not_found("list")
        if row.kind != "static":
            raise HTTPException(409, "a dynamic list's members come from its filter")
        added, offered = await _add_to_static_list(
            session, row, contact_ids=body.contact_ids, import_id=body.import_id
        )
    return MembersAdded(added=added, duplicates=offered - added, missing=[])


async def _add_to_static_list(
    session: AsyncSession, row: ListRow, *, contact_ids: list[str], import_id: str | None
) -> tuple[int, int]:
    """(added, offered): unknown contact ids are a 422 naming them."""
    added = offered = 0
    if contact_ids:
        known = {c.id for c in await store.contacts_by_id(session=session, ids=contact_ids)}
        missing = [c for c in contact_ids if c not in known]
        if missing:
            raise unprocessable("contact_ids", f"unknown contacts: {', '.join(missing[:10])}")
        added += await store.add_to_list(session=session, list_id=row.id, contact_ids=contact_ids)
        offered += len(set(contact_ids))
    if import_id:
        imported = await finished_import(session=session, import_id=import_id)
        joined, of = await import_store.add_import_to_list(
            session=session, list_id=row.id, import_id=imported.id
        )
        added, offered = added + joined, offered + of
    return added, offered


async def _list_out(session: AsyncSession, row: ListRow, engine: Engine) -> ListOut:
    if row.kind == "static":  # counted, not loaded: an import's list may hold a million
        size = await store.static_list_size(session=session, list_id=row.id)
    else:
        size = len(await store.list_members(session=session, row=row, now=engine.now()))
    return ListOut(id=row.id, name=row.name, kind=row.kind, filter=row.filter, size=size)


async def known_fields(session: Any) -> set[str]:
    names = await store.custom_field_names(session=session)
    return (
        set(templates.STANDARD_FIELDS)
        | names
        | {"office_number", "do_not_contact", "recently_texted"}
    )


@router.post("/templates/validate", response_model=TemplateCheck)
async def validate_template(body: TemplateIn, session: SessionDep) -> TemplateCheck:
    """Syntax and fields; an invalid template answers 200 with the error and its position."""
    try:
        parsed = templates.parse(body.template, known_fields=await known_fields(session))
    except templates.TemplateError as exc:
        return TemplateCheck(valid=False, fields=[], error=exc.reason, position=exc.position)
    return TemplateCheck(valid=True, fields=sorted(parsed.fields()))


@router.post("/templates/preview", response_model=PreviewOut, responses=NO_CONTACT)
async def preview_template(body: PreviewIn, engine: EngineDep, session: SessionDep) -> PreviewOut:
    """The text one contact (or the given values) would get, its encoding and segments."""
    try:
        parsed = templates.parse(body.template)
    except templates.TemplateError as exc:
        raise unprocessable("template", str(exc), position=exc.position) from None
    values: dict[str, Any] = dict(body.values)
    if body.contact_id:
        row = await store.get_contact(session=session, contact_id=body.contact_id)
        if row is None:
            raise HTTPException(status_code=404, detail="contact not found")
        values = {**store.contact_values(row, now=engine.now()), **values}
    try:
        text = templates.render(parsed, values)
    except templates.Unresolved as exc:
        return PreviewOut(
            text=None,
            sendable=False,
            reason=f"unresolved_placeholder:{exc.field}",
            encoding=None,
            characters=None,
            segments=None,
        )
    counted = templates.segments(text)
    return PreviewOut(
        text=text,
        sendable=bool(text.strip()),
        reason=None if text.strip() else "empty_message",
        encoding=counted.encoding,
        characters=len(text),
        segments=counted.segments,
    )
