"""`/v1/messages`: send, list a conversation's messages, get one."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request

from smsbus.contracts import Message
from smsbus.contracts.rest import SendMessageRequest
from smsbus.openphone_sim.api.common import (
    SimDep,
    data_answer,
    list_param,
    max_results,
    page_answer,
    required,
    timestamp,
    within,
)
from smsbus.openphone_sim.errors import ApiError
from smsbus.openphone_sim.messaging import send_message
from smsbus.openphone_sim.pagination import newest_first


def externals(message: Message) -> set[str]:
    return set(message.to) if message.direction == "outgoing" else {message.from_}


def router() -> APIRouter:
    api = APIRouter(prefix="/v1/messages")

    @api.post("", status_code=202)
    async def create_message(request: SendMessageRequest, sim: SimDep) -> dict[str, Any]:
        return data_answer(send_message(sim, request))

    @api.get("")
    async def list_messages(request: Request, sim: SimDep) -> dict[str, Any]:
        line = sim.workspace.line(required(request, "phoneNumberId"))
        participants = set(list_param(request, "participants"))
        if not participants:
            raise ApiError(400, "participants is required")
        user_id = request.query_params.get("userId")
        after = timestamp(request, "createdAfter")
        before = timestamp(request, "createdBefore") or timestamp(request, "since")
        matching = [
            message
            for message in sim.workspace.messages.values()
            if message.phone_number_id == line.id
            and externals(message) == participants
            and within(message.created_at, after=after, before=before)
            and (user_id is None or message.user_id == user_id)
        ]
        page = newest_first(
            matching,
            position=lambda m: sim.workspace.position(m.id, m.created_at),
            max_results=max_results(request),
            page_token=request.query_params.get("pageToken"),
        )
        return page_answer(page)

    @api.get("/{message_id}")
    async def get_message(message_id: str, sim: SimDep) -> dict[str, Any]:
        return data_answer(sim.workspace.message(message_id))

    return api
