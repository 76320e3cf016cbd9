"""An inbound call and what follows it: the call events, recording, summary and transcript."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from smsbus.contracts import Call, CallSummary, CallTranscript
from smsbus.contracts.calls import CallMedia, DialogueLine
from smsbus.contracts.rest import CallRecording
from smsbus.openphone_sim.lifecycle import CallOutcome, CallStep, call_steps
from smsbus.openphone_sim.messaging import check_e164
from smsbus.openphone_sim.simulator import Simulator

MEDIA_URL = "https://storage.openphone-sim.invalid"
RING_SECONDS = 5
VOICEMAIL_SECONDS = 7
SAMPLE_SUMMARY = ["The caller asked about the status of their quote."]
SAMPLE_NEXT_STEPS = ["Send the quote by e-mail."]
SAMPLE_DIALOGUE = ["Hello, I'm calling about my quote.", "Sure, let me look that up for you."]


@dataclass(frozen=True)
class InboundCall:
    sender: str
    to: str
    outcome: CallOutcome = "answered"
    recording: bool = False
    summary: list[str] | None = None
    next_steps: list[str] = field(default_factory=list)
    transcript: list[str] | None = None
    """Lines spoken in turn, the caller first."""
    duration: int = 60


def receive_call(sim: Simulator, request: InboundCall) -> dict[str, Any]:
    """Stores the call and fires its events in order; answers what was stored and fired."""
    check_e164(request.sender, "/from")
    workspace = sim.workspace
    line = workspace.line(request.to)
    owner = workspace.owner_of(line)
    now = sim.now()
    answered = request.outcome == "answered"
    talk = request.duration if answered else 0
    start = now - timedelta(seconds=RING_SECONDS + talk)
    call_id = sim.ids.activity()
    conversation = workspace.conversation(
        line=line, participants=[request.sender], new_id=sim.ids.conversation(), at=start
    )
    media_file = CallMedia(
        url=f"{MEDIA_URL}/{call_id}.mp3",
        type="audio/mpeg",
        duration=talk if answered else VOICEMAIL_SECONDS,
    )

    def state(step: CallStep) -> Call:
        return Call(
            id=call_id,
            direction="incoming",
            status=step.call_status,
            participants=[request.sender],
            created_at=start,
            updated_at=now,
            answered_at=start + timedelta(seconds=RING_SECONDS) if step.answered else None,
            answered_by=owner if step.answered else None,
            completed_at=now if step.completed else None,
            duration=talk if step.completed else 0,
            phone_number_id=line.id,
            user_id=owner,
            conversation_id=conversation.id,
            contact_ids=workspace.contact_ids_for([request.sender]),
            media=[media_file] if step.with_recording else [],
            voicemail=media_file if step.with_voicemail else None,
        )

    fired = []
    call: Call | None = None
    for step in call_steps(request.outcome, recording=request.recording):
        call = workspace.save_call(state(step))
        sim.emit(
            step.event, call, subject=call_id, phone_number_id=line.id, line_number=line.number
        )
        fired.append(step.event)
    assert call is not None
    workspace.touch_conversation(conversation, activity_id=call_id, at=now)
    if request.recording and answered:
        workspace.recordings[call_id] = [
            CallRecording(
                id=sim.ids.recording(),
                url=media_file.url,
                type=media_file.type,
                duration=talk,
                start_time=start + timedelta(seconds=RING_SECONDS),
                status="completed",
            )
        ]
    answer: dict[str, Any] = {"call": call, "events": fired}
    if request.summary is not None and answered:
        summary = CallSummary(
            call_id=call_id,
            status="completed",
            summary=request.summary or SAMPLE_SUMMARY,
            next_steps=request.next_steps or SAMPLE_NEXT_STEPS,
            contact_ids=call.contact_ids,
        )
        workspace.summaries[call_id] = summary
        sim.emit("call.summary.completed", summary, subject=call_id, phone_number_id=line.id)
        fired.append("call.summary.completed")
        answer["summary"] = summary
    if request.transcript is not None and answered:
        transcript = _transcript(request, call, owner, our_number=line.number)
        workspace.transcripts[call_id] = transcript
        sim.emit("call.transcript.completed", transcript, subject=call_id, phone_number_id=line.id)
        fired.append("call.transcript.completed")
        answer["transcript"] = transcript
    return answer


def _transcript(
    request: InboundCall, call: Call, owner: str | None, *, our_number: str
) -> CallTranscript:
    lines = request.transcript or SAMPLE_DIALOGUE
    step = request.duration / max(len(lines), 1)
    dialogue = [
        DialogueLine(
            content=content,
            start=round(index * step, 6),
            end=round((index + 1) * step, 6),
            identifier=request.sender if index % 2 == 0 else our_number,
            user_id=None if index % 2 == 0 else owner,
        )
        for index, content in enumerate(lines)
    ]
    return CallTranscript(
        call_id=call.id,
        created_at=call.completed_at or call.created_at,
        dialogue=dialogue,
        duration=float(request.duration),
        status="completed",
        contact_ids=call.contact_ids,
    )
