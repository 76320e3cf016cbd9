"""`/v1/phone-numbers`, `/v1/users`, `/v1/conversations`: the workspace itself."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request

from smsbus.openphone_sim.api.common import (
    SimDep,
    data_answer,
    items_answer,
    list_param,
    newest_page,
    timestamp,
    within,
)


def router() -> APIRouter:
    api = APIRouter(prefix="/v1")

    @api.get("/phone-numbers")
    async def list_phone_numbers(request: Request, sim: SimDep) -> dict[str, Any]:
        """Not paginated, as OpenPhone's."""
        user_id = request.query_params.get("userId")
        lines = [
            line
            for line in sim.workspace.lines
            if user_id is None or any(user.id == user_id for user in line.users)
        ]
        return items_answer(lines)

    @api.get("/phone-numbers/{phone_number_id}")
    async def get_phone_number(phone_number_id: str, sim: SimDep) -> dict[str, Any]:
        return data_answer(sim.workspace.line(phone_number_id))

    @api.get("/users")
    async def list_users(request: Request, sim: SimDep) -> dict[str, Any]:
        return newest_page(request, sim, sim.workspace.users)

    @api.get("/users/{user_id}")
    async def get_user(user_id: str, sim: SimDep) -> dict[str, Any]:
        return data_answer(sim.workspace.user(user_id))

    @api.get("/conversations")
    async def list_conversations(request: Request, sim: SimDep) -> dict[str, Any]:
        workspace = sim.workspace
        lines = {workspace.line(ref).id for ref in list_param(request, "phoneNumbers")}
        user_id = request.query_params.get("userId")
        created = (timestamp(request, "createdAfter"), timestamp(request, "createdBefore"))
        updated = (timestamp(request, "updatedAfter"), timestamp(request, "updatedBefore"))
        exclude_inactive = request.query_params.get("excludeInactive") == "true"
        owned = {
            line.id
            for line in workspace.lines
            if user_id is None or any(user.id == user_id for user in line.users)
        }
        chosen = [
            conversation
            for conversation in workspace.conversations.values()
            if (not lines or conversation.phone_number_id in lines)
            and conversation.phone_number_id in owned
            and within(conversation.created_at, after=created[0], before=created[1])
            and within(conversation.updated_at, after=updated[0], before=updated[1])
            and not (exclude_inactive and conversation.deleted_at is not None)
        ]
        return newest_page(request, sim, chosen)

    return api
