"""OpenPhone's contact object as webhooks send it (not the REST contact shape)."""

from typing import Any, Literal

from pydantic import AwareDatetime

from smsbus.contracts.base import ProviderModel


class Contact(ProviderModel):
    """One model for contact.updated (created or updated) and contact.deleted."""

    id: str
    """`CT…`; REST contacts use a 24-hex id instead."""
    object: Literal["contact"] = "contact"
    client_id: str | None = None
    first_name: str | None = None
    last_name: str | None = None
    company: str | None = None
    fields: dict[str, Any] = {}
    """Custom fields by label, e.g. `{"Phone": ["+12566581234"]}`; values vary by field type."""
    notes: list[Any] = []
    shared_with: list[str] = []
    """`US…` user and `OR…` organisation ids."""
    created_at: AwareDatetime
    updated_at: AwareDatetime | None = None
    user_id: str | None = None
