"""`/v1/contacts`: create, list, get, update, delete; each change fires contact.updated or
contact.deleted (in the webhook contact shape) to the webhooks subscribed to it."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request, Response
from pydantic import BaseModel, ConfigDict
from pydantic.alias_generators import to_camel

from smsbus.contracts import Contact
from smsbus.contracts.rest import ContactCustomField, ContactDefaultFields, RestContact
from smsbus.openphone_sim.api.common import SimDep, data_answer, list_param, newest_page
from smsbus.openphone_sim.ids import webhook_contact_id
from smsbus.openphone_sim.simulator import Simulator


class ContactWrite(BaseModel):
    """The body of POST (all of it) and PATCH (the fields given replace the stored ones)."""

    model_config = ConfigDict(alias_generator=to_camel, validate_by_name=True, extra="forbid")

    default_fields: ContactDefaultFields | None = None
    custom_fields: list[ContactCustomField] | None = None
    external_id: str | None = None
    source: str | None = None
    source_url: str | None = None
    created_by_user_id: str | None = None


def as_webhook_contact(contact: RestContact, org_id: str) -> Contact:
    fields = contact.default_fields
    by_label: dict[str, Any] = {}
    if fields.phone_numbers:
        by_label["Phone"] = [entry.value for entry in fields.phone_numbers]
    if fields.emails:
        by_label["Email"] = [entry.value for entry in fields.emails]
    for custom in contact.custom_fields:
        by_label[custom.name or custom.key or "field"] = custom.value
    owner = contact.created_by_user_id
    return Contact(
        id=webhook_contact_id(contact.id),
        client_id=contact.external_id,
        first_name=fields.first_name,
        last_name=fields.last_name,
        company=fields.company,
        fields=by_label,
        notes=[],
        shared_with=[owner, org_id] if owner else [org_id],
        created_at=contact.created_at or contact.updated_at,
        updated_at=contact.updated_at,
        user_id=owner,
    )


def _fire(sim: Simulator, event_type: str, contact: RestContact) -> None:
    sim.emit(
        event_type,
        as_webhook_contact(contact, sim.settings.org_id),
        subject=f"{contact.id}:{contact.updated_at}",
    )


def router() -> APIRouter:
    api = APIRouter(prefix="/v1/contacts")

    @api.post("", status_code=201)
    async def create_contact(body: ContactWrite, sim: SimDep) -> dict[str, Any]:
        now = sim.now()
        contact = sim.workspace.save_contact(
            RestContact(
                id=sim.ids.contact(),
                created_at=now,
                updated_at=now,
                **body.model_dump(exclude_none=True),
            )
        )
        _fire(sim, "contact.updated", contact)
        return data_answer(contact)

    @api.get("")
    async def list_contacts(request: Request, sim: SimDep) -> dict[str, Any]:
        workspace = sim.workspace
        external_ids = set(list_param(request, "externalIds"))
        sources = set(list_param(request, "sources"))
        chosen = [
            contact
            for contact in workspace.contacts.values()
            if (not external_ids or contact.external_id in external_ids)
            and (not sources or contact.source in sources)
        ]
        return newest_page(request, sim, chosen)

    @api.get("/{contact_id}")
    async def get_contact(contact_id: str, sim: SimDep) -> dict[str, Any]:
        return data_answer(sim.workspace.contact(contact_id))

    @api.patch("/{contact_id}")
    async def update_contact(contact_id: str, body: ContactWrite, sim: SimDep) -> dict[str, Any]:
        stored = sim.workspace.contact(contact_id)
        changes = {name: getattr(body, name) for name in body.model_fields_set}
        updated = sim.workspace.save_contact(
            stored.model_copy(update={**changes, "updated_at": sim.now()})
        )
        _fire(sim, "contact.updated", updated)
        return data_answer(updated)

    @api.delete("/{contact_id}", status_code=204)
    async def delete_contact(contact_id: str, sim: SimDep) -> Response:
        contact = sim.workspace.contacts.pop(sim.workspace.contact(contact_id).id)
        _fire(sim, "contact.deleted", contact.model_copy(update={"updated_at": sim.now()}))
        return Response(status_code=204)

    return api
