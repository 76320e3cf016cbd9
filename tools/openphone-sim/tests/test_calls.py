"""Inbound calls: their events in order per generation, and the REST view of what happened."""

from __future__ import annotations

import pytest

from smsbus.contracts import Call, CallSummary, CallTranscript
from smsbus.contracts.rest import CallRecording, DataResponse, ListResponse
from smsbus.openphone_sim.testing import running_simulator

from .conftest import Receiver

CUSTOMER = "+15555550142"

# outcome, extras, the v4 events in order, the 2026-03-30 events in order
CALLS = [
    pytest.param(
        "answered", {"recording": True, "summary": ["Asked for a quote."], "transcript": ["Hi", "Hello"]},
        ["call.ringing", "call.completed", "call.recording.completed", "call.summary.completed", "call.transcript.completed"],
        ["call.ringing", "call.answered", "call.completed", "call.recording.completed", "call.summary.completed", "call.transcript.completed"],
        id="answered-with-everything",
    ),
    pytest.param(
        "answered", {},
        ["call.ringing", "call.completed"],
        ["call.ringing", "call.answered", "call.completed"],
        id="answered-plain",
    ),
    pytest.param(
        "missed", {},
        ["call.ringing", "call.completed"],
        ["call.ringing", "call.missed", "call.completed"],
        id="missed",
    ),
    pytest.param(
        "voicemail", {},
        ["call.ringing", "call.completed"],
        ["call.ringing", "call.missed", "call.completed", "call.voicemail.completed"],
        id="voicemail",
    ),
]  # fmt: skip


@pytest.mark.parametrize(("outcome", "extras", "v4_events", "versioned_events"), CALLS)
async def test_an_inbound_call_fires_its_events_in_order(
    receiver: Receiver,
    outcome: str,
    extras: dict[str, object],
    v4_events: list[str],
    versioned_events: list[str],
) -> None:
    async with running_simulator(demo_history=False) as sim:
        await sim.add_webhook(f"{receiver.url}?g=v4", generation="v4")
        await sim.add_webhook(f"{receiver.url}?g=2026", generation="2026-03-30")
        answer = await sim.inbound_call(sender=CUSTOMER, to=sim.lines[0], outcome=outcome, **extras)
        await sim.settle()

    v4 = [item.type for item in receiver.received if item.payload["apiVersion"] == "v4"]
    versioned = [
        item.type for item in receiver.received if item.payload["apiVersion"] == "2026-03-30"
    ]
    assert v4 == v4_events
    assert versioned == versioned_events
    assert answer["data"]["events"] == versioned_events
    completed = Call.model_validate(receiver.of_type("call.completed")[0].resource)
    assert (completed.answered_at is not None) == (outcome == "answered")
    assert (completed.voicemail is not None) == (outcome == "voicemail")


async def test_the_rest_api_serves_the_call_and_what_came_after() -> None:
    async with running_simulator(demo_history=False) as sim:
        answer = await sim.inbound_call(
            sender=CUSTOMER,
            to=sim.lines[0],
            recording=True,
            summary=["Quote."],
            nextSteps=["Call back."],
            transcript=["Hi", "Hello"],
            duration=42,
        )
        call_id = answer["data"]["call"]["id"]
        phone_number_id = answer["data"]["call"]["phoneNumberId"]
        async with sim.client() as openphone:
            listed = await openphone.get(
                "/v1/calls", params={"phoneNumberId": phone_number_id, "participants": CUSTOMER}
            )
            call = await openphone.get(f"/v1/calls/{call_id}")
            summary = await openphone.get(f"/v1/call-summaries/{call_id}")
            transcript = await openphone.get(f"/v1/call-transcripts/{call_id}")
            recordings = await openphone.get(f"/v1/call-recordings/{call_id}")
            too_many = await openphone.get(
                "/v1/calls",
                params=[
                    ("phoneNumberId", phone_number_id),
                    ("participants", CUSTOMER),
                    ("participants", "+15555550143"),
                ],
            )

    assert [c.id for c in ListResponse[Call].model_validate(listed.json()).data] == [call_id]
    stored = DataResponse[Call].model_validate(call.json()).data
    assert (stored.status, stored.duration, stored.participants) == ("completed", 42, [CUSTOMER])
    assert DataResponse[CallSummary].model_validate(summary.json()).data.next_steps == [
        "Call back."
    ]
    lines = DataResponse[CallTranscript].model_validate(transcript.json()).data.dialogue
    assert [(line.content, line.identifier) for line in lines] == [
        ("Hi", CUSTOMER),
        ("Hello", sim.lines[0]),
    ]
    [recording] = ListResponse[CallRecording].model_validate(recordings.json()).data
    assert (recording.status, recording.duration) == ("completed", 42)
    assert (too_many.status_code, too_many.json()["code"]) == (400, "0101400")


async def test_a_call_without_summary_or_transcript_says_absent() -> None:
    async with running_simulator(demo_history=False) as sim:
        answer = await sim.inbound_call(sender=CUSTOMER, to=sim.lines[0], outcome="missed")
        call_id = answer["data"]["call"]["id"]
        async with sim.client() as openphone:
            summary = (await openphone.get(f"/v1/call-summaries/{call_id}")).json()["data"]
            transcript = (await openphone.get(f"/v1/call-transcripts/{call_id}")).json()["data"]
            recordings = (await openphone.get(f"/v1/call-recordings/{call_id}")).json()["data"]

    assert (summary["status"], transcript["status"], recordings) == ("absent", "absent", [])


async def test_a_voicemail_is_served_for_its_call() -> None:
    async with running_simulator(demo_history=False) as sim:
        voicemail_call = (
            await sim.inbound_call(sender=CUSTOMER, to=sim.lines[0], outcome="voicemail")
        )["data"]["call"]
        answered_call = (await sim.inbound_call(sender=CUSTOMER, to=sim.lines[0]))["data"]["call"]
        async with sim.client() as openphone:
            voicemail = await openphone.get(f"/v1/call-voicemails/{voicemail_call['id']}")
            none = await openphone.get(f"/v1/call-voicemails/{answered_call['id']}")

    assert voicemail.json()["data"]["type"] == "audio/mpeg"
    assert voicemail.json()["data"]["url"] == voicemail_call["voicemail"]["url"]
    assert none.status_code == 404
