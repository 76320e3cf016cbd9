"""Contacts and lists."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import func, text, update
from sqlalchemy.dialects.postgresql import insert
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from smsbus.campaigns.domain import contacts as domain
from smsbus.campaigns.models import ContactRow, ListContactRow, ListRow
from smsbus.runtime.db import execute

_CONTACTS = ContactRow.__table__  # type: ignore[attr-defined]
_LIST_CONTACTS = ListContactRow.__table__  # type: ignore[attr-defined]


async def upsert_contacts(
    *, session: AsyncSession, rows: Sequence[domain.ContactRow], new_id: Callable[[], str]
) -> list[str]:
    """Inserts or merges contacts by phone; returns their ids in row order."""
    ids: list[str] = []
    for row in rows:
        values: dict[str, Any] = {
            "id": new_id(),
            "phone": row.phone,
            "fields": row.custom,
            **{k: v for k, v in row.standard.items() if k != "phone"},
        }
        flags = {"office_number": False, "do_not_contact": False, "deleted": False}
        if "state" in values:
            values["state"] = str(values["state"]).upper()[:2]
        statement = insert(_CONTACTS).values(**values, **flags)
        merged: dict[str, Any] = {
            k: statement.excluded[k] for k in values if k not in ("id", "phone", "fields")
        }
        merged["fields"] = _CONTACTS.c.fields.op("||")(statement.excluded.fields)
        merged["updated_at"] = func.now()
        merged["deleted"] = text("false")
        statement = statement.on_conflict_do_update(index_elements=["phone"], set_=merged)
        result = await execute(session, statement.returning(_CONTACTS.c.id))
        ids.append(result.scalar_one())
    return ids


async def list_contacts(
    *, session: AsyncSession, limit: int = 100, offset: int = 0
) -> tuple[list[ContactRow], int]:
    total = (await execute(session, select(func.count()).select_from(_CONTACTS))).scalar_one()
    statement = select(ContactRow).order_by(col(ContactRow.created_at), col(ContactRow.id))
    rows = await session.exec(statement.limit(limit).offset(offset))
    return list(rows.all()), int(total)


CHUNK = 5000
"""Ids per statement: PostgreSQL's protocol takes at most 32,767 parameters in one."""


async def contacts_by_id(*, session: AsyncSession, ids: Sequence[str]) -> list[ContactRow]:
    found: list[ContactRow] = []
    for start in range(0, len(ids), CHUNK):
        chunk = list(ids[start : start + CHUNK])
        found += (await session.exec(select(ContactRow).where(col(ContactRow.id).in_(chunk)))).all()
    return found


async def all_contacts(*, session: AsyncSession) -> AsyncIterator[ContactRow]:
    result = await session.stream_scalars(select(ContactRow).where(ContactRow.deleted == False))  # noqa: E712
    async for row in result:
        yield row


async def custom_field_names(*, session: AsyncSession) -> set[str]:
    rows = await execute(session, text("SELECT DISTINCT jsonb_object_keys(fields) FROM contacts"))
    return {row[0] for row in rows}


async def get_contact(*, session: AsyncSession, contact_id: str) -> ContactRow | None:
    return await session.get(ContactRow, contact_id)


async def set_flags(
    *, session: AsyncSession, contact_id: str, flags: dict[str, Any]
) -> ContactRow | None:
    if flags:  # none given: nothing to set (an UPDATE without SET is no statement)
        statement = update(_CONTACTS).where(_CONTACTS.c.id == contact_id).values(**flags)
        await execute(session, statement)
    return await session.get(ContactRow, contact_id)


async def sync_openphone_contact(
    *,
    session: AsyncSession,
    openphone_id: str,
    phone: str | None,
    values: dict[str, Any],
    deleted: bool,
    new_id: str,
) -> None:
    """contact.updated / contact.deleted: match by OpenPhone id, else by phone."""
    existing = (
        await session.exec(select(ContactRow).where(ContactRow.openphone_id == openphone_id))
    ).one_or_none()
    if existing is None and phone is not None:
        existing = (
            await session.exec(select(ContactRow).where(ContactRow.phone == phone))
        ).one_or_none()
    if existing is None:
        if deleted or phone is None:
            return
        session.add(ContactRow(id=new_id, phone=phone, openphone_id=openphone_id, **values))
        return
    existing.openphone_id = openphone_id
    existing.deleted = deleted
    for key, value in values.items():
        if key == "fields":
            existing.fields = {**existing.fields, **value}
        elif value is not None:
            setattr(existing, key, value)
    session.add(existing)


async def create_list(
    *, session: AsyncSession, list_id: str, name: str, kind: str, spec: dict[str, Any] | None
) -> ListRow:
    row = ListRow(id=list_id, name=name, kind=kind, filter=spec)
    session.add(row)
    await session.flush()
    return row


async def add_to_list(*, session: AsyncSession, list_id: str, contact_ids: Sequence[str]) -> int:
    added = 0
    for start in range(0, len(contact_ids), CHUNK):
        rows = [{"list_id": list_id, "contact_id": c} for c in contact_ids[start : start + CHUNK]]
        statement = insert(_LIST_CONTACTS).values(rows).on_conflict_do_nothing()
        added += int((await execute(session, statement)).rowcount or 0)
    return added


async def static_list_size(*, session: AsyncSession, list_id: str) -> int:
    """A static list's contacts that are not deleted (what list_members would return)."""
    statement = (
        select(func.count())
        .select_from(ListContactRow)
        .join(ContactRow, col(ContactRow.id) == col(ListContactRow.contact_id))
        .where(ListContactRow.list_id == list_id, ContactRow.deleted == False)  # noqa: E712
    )
    return int((await session.exec(statement)).one())


async def get_list(*, session: AsyncSession, list_id: str) -> ListRow | None:
    return await session.get(ListRow, list_id)


async def lists(*, session: AsyncSession) -> list[ListRow]:
    return list((await session.exec(select(ListRow).order_by(col(ListRow.created_at)))).all())


async def list_members(*, session: AsyncSession, row: ListRow, now: datetime) -> list[ContactRow]:
    """A static list's contacts, or a dynamic list's filter evaluated over every contact."""
    if row.kind == "static":
        statement = (
            select(ContactRow)
            .join(ListContactRow, col(ListContactRow.contact_id) == col(ContactRow.id))
            .where(ListContactRow.list_id == row.id, ContactRow.deleted == False)  # noqa: E712
        )
        return list((await session.exec(statement)).all())
    found = []
    async for contact in all_contacts(session=session):
        if domain.matches(row.filter or {}, contact_values(contact, now=now)):
            found.append(contact)
    return found


def contact_values(contact: ContactRow, *, now: datetime) -> dict[str, Any]:
    """Every field a template or a filter may name."""
    name = " ".join(p for p in (contact.first_name, contact.last_name) if p) or None
    return {
        **contact.fields,
        "first_name": contact.first_name,
        "last_name": contact.last_name,
        "name": name,
        "company": contact.company,
        "email": contact.email,
        "phone": contact.phone,
        "state": contact.state,
        "city": contact.city,
        "zip": contact.zip,
        **domain.flag_values(
            office_number=contact.office_number,
            do_not_contact=contact.do_not_contact,
            recently_texted_until=contact.recently_texted_until,
            now=now,
        ),
    }
