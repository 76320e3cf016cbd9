"""What the simulated OpenPhone workspace holds, and the lookups every endpoint needs.

Objects are the contract models (frozen); a change replaces the object. Every activity gets an
insertion number so lists can page newest-first in a stable order.
"""

from __future__ import annotations

import itertools
from collections import Counter, deque
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from smsbus.contracts import Call, CallSummary, CallTranscript, Message
from smsbus.contracts.rest import (
    CallRecording,
    Conversation,
    PhoneNumber,
    RestContact,
    User,
    Webhook,
)
from smsbus.openphone.signing import SigningKey
from smsbus.openphone_sim.pagination import Position
from smsbus.openphone_sim.settings import Generation

# The request and delivery logs keep this many entries: a long benchmark must not eat the memory.
HISTORY_LIMIT = 100_000


class NotFoundError(LookupError):
    """An id the workspace does not know: 404 `0200404`."""


@dataclass(frozen=True)
class RegisteredWebhook:
    webhook: Webhook
    generation: Generation
    signing_key: SigningKey

    @property
    def id(self) -> str:
        return self.webhook.id

    def wants(self, event_type: str) -> bool:
        return self.webhook.status == "enabled" and event_type in self.webhook.events


@dataclass
class Workspace:
    users: list[User]
    lines: list[PhoneNumber]
    messages: dict[str, Message] = field(default_factory=dict)
    calls: dict[str, Call] = field(default_factory=dict)
    summaries: dict[str, CallSummary] = field(default_factory=dict)
    transcripts: dict[str, CallTranscript] = field(default_factory=dict)
    recordings: dict[str, list[CallRecording]] = field(default_factory=dict)
    conversations: dict[tuple[str, tuple[str, ...]], Conversation] = field(default_factory=dict)
    contacts: dict[str, RestContact] = field(default_factory=dict)
    webhooks: dict[str, RegisteredWebhook] = field(default_factory=dict)
    requests: deque[dict[str, Any]] = field(default_factory=lambda: deque(maxlen=HISTORY_LIMIT))
    deliveries: deque[dict[str, Any]] = field(default_factory=lambda: deque(maxlen=HISTORY_LIMIT))
    sends_per_line_day: Counter[tuple[str, date]] = field(default_factory=Counter)
    _sequence: dict[str, int] = field(default_factory=dict)
    _counter: itertools.count[int] = field(default_factory=itertools.count)

    def __post_init__(self) -> None:
        for user in self.users:
            self._number(user.id)

    # --- lines and users ---------------------------------------------------------------------
    def line(self, reference: str) -> PhoneNumber:
        """Our line by `PN…` id or E.164 number."""
        for line in self.lines:
            if reference in (line.id, line.number):
                return line
        raise NotFoundError(f"no phone number {reference!r} in this workspace")

    def own_line(self, number: str) -> PhoneNumber | None:
        return next((line for line in self.lines if line.number == number), None)

    def owner_of(self, line: PhoneNumber) -> str | None:
        return line.users[0].id if line.users else None

    def user(self, user_id: str) -> User:
        for user in self.users:
            if user.id == user_id:
                return user
        raise NotFoundError(f"no user {user_id!r}")

    # --- activity ----------------------------------------------------------------------------
    def position(self, item_id: str, created_at: datetime | None) -> Position:
        assert created_at is not None, "every activity has a createdAt"
        return created_at, self._sequence[item_id]

    def _number(self, item_id: str) -> None:
        self._sequence.setdefault(item_id, next(self._counter))

    def save_message(self, message: Message) -> Message:
        self._number(message.id)
        self.messages[message.id] = message
        return message

    def save_call(self, call: Call) -> Call:
        self._number(call.id)
        self.calls[call.id] = call
        return call

    def message(self, message_id: str) -> Message:
        if message_id not in self.messages:
            raise NotFoundError(f"no message {message_id!r}")
        return self.messages[message_id]

    def call(self, call_id: str) -> Call:
        if call_id not in self.calls:
            raise NotFoundError(f"no call {call_id!r}")
        return self.calls[call_id]

    def conversation(
        self, *, line: PhoneNumber, participants: list[str], new_id: str, at: datetime
    ) -> Conversation:
        """The conversation of a line with these participants, created on first contact."""
        key = (line.id, tuple(sorted(participants)))
        found = self.conversations.get(key)
        if found is None:
            found = Conversation(
                id=new_id,
                phone_number_id=line.id,
                participants=sorted(participants),
                created_at=at,
                updated_at=at,
            )
            self._number(found.id)
            self.conversations[key] = found
        return found

    def touch_conversation(
        self, conversation: Conversation, *, activity_id: str, at: datetime
    ) -> None:
        key = (conversation.phone_number_id, tuple(conversation.participants))
        self.conversations[key] = conversation.model_copy(
            update={"updated_at": at, "last_activity_at": at, "last_activity_id": activity_id}
        )

    # --- contacts ----------------------------------------------------------------------------
    def contact(self, contact_id: str) -> RestContact:
        if contact_id not in self.contacts:
            raise NotFoundError(f"no contact {contact_id!r}")
        return self.contacts[contact_id]

    def save_contact(self, contact: RestContact) -> RestContact:
        self._number(contact.id)
        self.contacts[contact.id] = contact
        return contact

    def contact_ids_for(self, numbers: list[str]) -> list[str]:
        wanted = set(numbers)
        return [
            contact.id
            for contact in self.contacts.values()
            if any(entry.value in wanted for entry in contact.default_fields.phone_numbers)
        ]

    # --- webhooks ----------------------------------------------------------------------------
    def webhook(self, webhook_id: str) -> RegisteredWebhook:
        if webhook_id not in self.webhooks:
            raise NotFoundError(f"no webhook {webhook_id!r}")
        return self.webhooks[webhook_id]

    def subscribers(self, event_type: str, phone_number_id: str | None) -> list[RegisteredWebhook]:
        return [
            registered
            for registered in self.webhooks.values()
            if registered.wants(event_type)
            and _covers(registered.webhook.resource_ids, phone_number_id)
        ]


def _covers(resource_ids: list[str], phone_number_id: str | None) -> bool:
    return not resource_ids or "*" in resource_ids or phone_number_id in resource_ids
