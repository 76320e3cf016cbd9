"""`/v1/calls`, and a call's recordings, summary and transcript."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request

from smsbus.contracts import CallSummary, CallTranscript
from smsbus.openphone_sim.api.common import (
    SimDep,
    data_answer,
    items_answer,
    list_param,
    max_results,
    page_answer,
    required,
    timestamp,
    within,
)
from smsbus.openphone_sim.errors import ApiError
from smsbus.openphone_sim.pagination import newest_first
from smsbus.openphone_sim.payloads.wire import wire


def router() -> APIRouter:
    api = APIRouter(prefix="/v1")

    @api.get("/calls")
    async def list_calls(request: Request, sim: SimDep) -> dict[str, Any]:
        workspace = sim.workspace
        line = workspace.line(required(request, "phoneNumberId"))
        participants = list_param(request, "participants")
        if not participants:
            raise ApiError(400, "participants is required")
        if len(participants) > 1:
            raise ApiError(
                400, "Too Many Participants", code="0101400", title="Too Many Participants"
            )
        user_id = request.query_params.get("userId")
        after = timestamp(request, "createdAfter")
        before = timestamp(request, "createdBefore") or timestamp(request, "since")
        chosen = [
            call
            for call in workspace.calls.values()
            if call.phone_number_id == line.id
            and call.participants == participants
            and within(call.created_at, after=after, before=before)
            and (user_id is None or call.user_id == user_id)
        ]
        page = newest_first(
            chosen,
            position=lambda c: workspace.position(c.id, c.created_at),
            max_results=max_results(request),
            page_token=request.query_params.get("pageToken"),
        )
        return page_answer(page)

    @api.get("/calls/{call_id}")
    async def get_call(call_id: str, sim: SimDep) -> dict[str, Any]:
        return data_answer(sim.workspace.call(call_id))

    @api.get("/call-recordings/{call_id}")
    async def list_recordings(call_id: str, sim: SimDep) -> dict[str, Any]:
        sim.workspace.call(call_id)
        return items_answer(sim.workspace.recordings.get(call_id, []))

    @api.get("/call-voicemails/{call_id}")
    async def get_voicemail(call_id: str, sim: SimDep) -> dict[str, Any]:
        call = sim.workspace.call(call_id)
        if call.voicemail is None:
            raise ApiError(404, f"call {call_id!r} has no voicemail")
        return {"data": {**wire(call.voicemail), "callId": call_id, "status": "completed"}}

    @api.get("/call-summaries/{call_id}")
    async def get_summary(call_id: str, sim: SimDep) -> dict[str, Any]:
        sim.workspace.call(call_id)
        absent = CallSummary(call_id=call_id, status="absent")
        return data_answer(sim.workspace.summaries.get(call_id, absent))

    @api.get("/call-transcripts/{call_id}")
    async def get_transcript(call_id: str, sim: SimDep) -> dict[str, Any]:
        call = sim.workspace.call(call_id)
        absent = CallTranscript(call_id=call_id, created_at=call.created_at, status="absent")
        return data_answer(sim.workspace.transcripts.get(call_id, absent))

    return api
