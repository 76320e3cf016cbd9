"""/v1/templates: the template library. Saved templates that a campaign's variants name by id
(their body is copied into the campaign, so an edit or an archive changes no campaign already
made), each with its performance over every campaign variant made from it."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, HTTPException, Query
from sqlalchemy.exc import IntegrityError

from smsbus.campaigns.api.contacts import known_fields
from smsbus.campaigns.api.deps import EngineDep, not_found, unprocessable
from smsbus.campaigns.api.schemas import TemplateChange, TemplateOut, TemplateSave
from smsbus.campaigns.domain import reporting, templates
from smsbus.campaigns.models import TemplateRow
from smsbus.campaigns.store import templates as store
from smsbus.runtime.api_types import Responses, StoredText, error
from smsbus.runtime.db import SessionDep

router = APIRouter(prefix="/v1/templates")
NO_TEMPLATE: Responses = {404: error("No such template.")}
NAME_TAKEN: Responses = {409: error("A live template has this name, or this one is archived.")}


@router.post("", response_model=TemplateOut, status_code=201, responses=NAME_TAKEN)
async def save_template(body: TemplateSave, engine: EngineDep, session: SessionDep) -> TemplateOut:
    """Saves a template (its syntax and fields checked as /v1/templates/validate does)."""
    async with session.begin():
        await _checked(body.body, session)
        row = TemplateRow(
            id=engine.new_id(), name=body.name, body=body.body, description=body.description
        )
        await _saved(row, session, engine)
    return await _out(row, session)


@router.get("", response_model=list[TemplateOut])
async def list_templates(
    session: SessionDep, archived: Annotated[bool, Query()] = False
) -> list[TemplateOut]:
    """The library by name, each with its performance; `archived=true` adds archived ones."""
    async with session.begin():
        rows = await store.templates(session=session, archived=archived)
        uses = await store.uses(session=session, template_ids=[row.id for row in rows])
    return [_template_out(row, uses[row.id]) for row in rows]


@router.get("/{template_id}", response_model=TemplateOut, responses=NO_TEMPLATE)
async def get_template(template_id: StoredText, session: SessionDep) -> TemplateOut:
    async with session.begin():
        row = await _found(template_id, session)
    return await _out(row, session)


@router.patch("/{template_id}", response_model=TemplateOut, responses=NO_TEMPLATE | NAME_TAKEN)
async def change_template(
    template_id: StoredText, body: TemplateChange, engine: EngineDep, session: SessionDep
) -> TemplateOut:
    """Renames, describes or rewrites a live template; a new body is a new version."""
    async with session.begin():
        row = await _found(template_id, session)
        if row.archived_at is not None:
            raise HTTPException(status_code=409, detail="an archived template does not change")
        if "name" in body.model_fields_set and body.name is None:
            raise unprocessable("name", "a template keeps a name")
        if body.body is not None and body.body != row.body:
            await _checked(body.body, session)
            row.body, row.version = body.body, row.version + 1
        row.name = body.name or row.name
        if "description" in body.model_fields_set:
            row.description = body.description
        await _saved(row, session, engine)
    return await _out(row, session)


@router.delete("/{template_id}", response_model=TemplateOut, responses=NO_TEMPLATE)
async def archive_template(
    template_id: StoredText, engine: EngineDep, session: SessionDep
) -> TemplateOut:
    """Archives it: no new campaign can name it, its name is free again, campaigns made from
    it keep their copy and its performance stays readable."""
    async with session.begin():
        row = await _found(template_id, session)
        if row.archived_at is None:
            row.archived_at = engine.now()
            await _saved(row, session, engine)
    return await _out(row, session)


async def _found(template_id: str, session: SessionDep) -> TemplateRow:
    row = await store.get_template(session=session, template_id=template_id)
    if row is None:
        raise not_found("template")
    return row


async def _checked(body: str, session: SessionDep) -> None:
    try:
        templates.parse(body, known_fields=await known_fields(session))
    except templates.TemplateError as exc:
        raise unprocessable("body", str(exc), position=exc.position) from None


async def _saved(row: TemplateRow, session: SessionDep, engine: EngineDep) -> None:
    taken = HTTPException(status_code=409, detail=f"a live template is named {row.name!r}")
    named = await store.live_named(session=session, name=row.name)
    if row.archived_at is None and named is not None and named.id != row.id:
        raise taken
    try:
        await store.save(session=session, row=row, now=engine.now())
    except IntegrityError:  # another request took the name between the check and the insert
        raise taken from None


async def _out(row: TemplateRow, session: SessionDep) -> TemplateOut:
    async with session.begin():
        uses = await store.uses(session=session, template_ids=[row.id])
    return _template_out(row, uses[row.id])


def _template_out(row: TemplateRow, uses: list[dict[str, object]]) -> TemplateOut:
    return TemplateOut.model_validate(
        {
            **row.model_dump(),
            "fields": sorted(templates.parse(row.body).fields()),
            "performance": reporting.template_performance(uses),
        }
    )
