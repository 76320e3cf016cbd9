"""`/v1/messages`: send, list a conversation's messages, get one."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request

from smsbus.contracts import Message
from smsbus.contracts.rest import SendMessageRequest
from smsbus.openphone_sim.api.common import ActivityQuery, SimDep, data_answer, newest_page
from smsbus.openphone_sim.messaging import send_message


def externals(message: Message) -> set[str]:
    return set(message.to) if message.direction == "outgoing" else {message.from_}


def router() -> APIRouter:
    api = APIRouter(prefix="/v1/messages")

    @api.post("", status_code=202)
    async def create_message(request: SendMessageRequest, sim: SimDep) -> dict[str, Any]:
        return data_answer(send_message(sim, request))

    @api.get("")
    async def list_messages(request: Request, sim: SimDep) -> dict[str, Any]:
        query = ActivityQuery.of(request, sim)
        matching = [
            message
            for message in sim.workspace.messages.values()
            if query.admits(message) and externals(message) == set(query.participants)
        ]
        return newest_page(request, sim, matching)

    @api.get("/{message_id}")
    async def get_message(message_id: str, sim: SimDep) -> dict[str, Any]:
        return data_answer(sim.workspace.message(message_id))

    return api
