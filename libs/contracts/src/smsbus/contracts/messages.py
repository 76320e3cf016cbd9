"""OpenPhone's message object in its canonical (v4 webhook / REST) shape.

One model serves message.received, message.delivered, message.failed and message.undelivered;
ingest maps the older app-created shape (`body`, a string `to`) onto it.
"""

from typing import Literal

from pydantic import AwareDatetime, Field

from smsbus.contracts.base import ProviderModel

MessageDirection = Literal["incoming", "outgoing"]

# The union of every status the docs name: newer v1 adds `received`, 2026-03-30 adds `failed`.
MessageStatus = Literal["queued", "sent", "delivered", "undelivered", "received", "failed"]


class MessageMedia(ProviderModel):
    url: str
    type: str
    """MIME type, e.g. `image/jpeg`."""


class Message(ProviderModel):
    id: str
    """`AC…`; message and call ids share the prefix."""
    object: Literal["message"] = "message"
    from_: str = Field(alias="from")
    """E.164 number of the sender."""
    to: list[str] = Field(min_length=1)
    """E.164 numbers of the recipients; several for a group message."""
    direction: MessageDirection
    text: str
    status: MessageStatus
    created_at: AwareDatetime
    updated_at: AwareDatetime | None = None
    user_id: str | None = None
    """`US…`; null for incoming messages."""
    phone_number_id: str | None = None
    """`PN…`, our OpenPhone number the message went through."""
    conversation_id: str | None = None
    contact_ids: list[str] = []
    media: list[MessageMedia] = []
