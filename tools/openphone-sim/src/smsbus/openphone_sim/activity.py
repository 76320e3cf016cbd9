"""Recording messages and calls in the workspace, with their conversation and contacts."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from smsbus.contracts import Message
from smsbus.contracts.messages import MessageDirection, MessageStatus
from smsbus.contracts.rest import PhoneNumber
from smsbus.openphone_sim.ids import IdFactory
from smsbus.openphone_sim.workspace import Workspace


def record_message(
    workspace: Workspace,
    ids: IdFactory,
    *,
    line: PhoneNumber,
    direction: MessageDirection,
    externals: list[str],
    text: str,
    status: MessageStatus,
    at: datetime,
    user_id: str | None,
    sender: str | None = None,
) -> Message:
    """A new message on `line`: outgoing goes to `externals`, incoming comes from `sender`."""
    message_id = ids.activity()
    participants = externals if direction == "outgoing" else [sender or externals[0]]
    conversation = workspace.conversation(
        line=line, participants=participants, new_id=ids.conversation(), at=at
    )
    fields: dict[str, Any] = {
        "id": message_id,
        "from": line.number if direction == "outgoing" else participants[0],
        "to": externals if direction == "outgoing" else [line.number],
        "direction": direction,
        "text": text,
        "status": status,
        "created_at": at,
        "updated_at": at,
        "user_id": user_id,
        "phone_number_id": line.id,
        "conversation_id": conversation.id,
        "contact_ids": workspace.contact_ids_for(participants),
        "media": [],
    }
    message = workspace.save_message(Message.model_validate(fields))
    workspace.touch_conversation(conversation, activity_id=message.id, at=at)
    return message


def update_message(
    workspace: Workspace, message: Message, *, status: MessageStatus, at: datetime
) -> Message:
    return workspace.save_message(message.model_copy(update={"status": status, "updated_at": at}))
