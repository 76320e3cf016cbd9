"""`/v1/calls`, and a call's recordings, summary and transcript."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request

from smsbus.contracts import CallSummary, CallTranscript
from smsbus.openphone_sim.api.common import (
    ActivityQuery,
    SimDep,
    data_answer,
    items_answer,
    newest_page,
)
from smsbus.openphone_sim.errors import ApiError
from smsbus.openphone_sim.payloads.wire import wire


def router() -> APIRouter:
    api = APIRouter(prefix="/v1")

    @api.get("/calls")
    async def list_calls(request: Request, sim: SimDep) -> dict[str, Any]:
        query = ActivityQuery.of(request, sim, one_participant=True)
        chosen = [
            call
            for call in sim.workspace.calls.values()
            if query.admits(call) and call.participants == query.participants
        ]
        return newest_page(request, sim, chosen)

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
