"""Sending and receiving messages: the send rules, the status schedule, our own lines."""

from __future__ import annotations

import re

from smsbus.contracts import Message
from smsbus.contracts.rest import ErrorDetail, SendMessageRequest
from smsbus.openphone_sim.activity import record_message, update_message
from smsbus.openphone_sim.errors import ApiError, daily_cap_error, validation_error
from smsbus.openphone_sim.faults import daily_cap_reached
from smsbus.openphone_sim.lifecycle import StatusStep, outbound_steps
from smsbus.openphone_sim.scheduler import Job
from smsbus.openphone_sim.simulator import Simulator
from smsbus.openphone_sim.workspace import NotFoundError

E164 = re.compile(r"^\+[1-9]\d{1,14}$")


def check_e164(number: str, path: str) -> None:
    if not E164.fullmatch(number):
        raise validation_error(
            [ErrorDetail(path=path, message="must be an E.164 number", value=number)],
            f"{path.strip('/')} must be an E.164 phone number",
        )


def send_message(sim: Simulator, request: SendMessageRequest) -> Message:
    """`POST /v1/messages`: queued now, later sent and delivered (or failed) with webhooks."""
    workspace = sim.workspace
    try:
        line = workspace.line(request.from_)
    except NotFoundError:
        raise validation_error(
            [
                ErrorDetail(
                    path="/from", message="not a number of this workspace", value=request.from_
                )
            ],
            "from must be a phone number (PN… or E.164) of this workspace",
        ) from None
    for index, number in enumerate(request.to):
        check_e164(number, f"/to/{index}")
    user_id = request.user_id or workspace.owner_of(line)
    if request.user_id is not None and not any(u.id == request.user_id for u in line.users):
        raise ApiError(403, "Not Phone Number User", code="0202403", title="Not Phone Number User")
    now = sim.now()
    day = (line.id, now.date())
    if daily_cap_reached(sim.faults, sent_today=workspace.sends_per_line_day[day]):
        raise daily_cap_error()
    workspace.sends_per_line_day[day] += 1
    message = record_message(
        workspace,
        sim.ids,
        line=line,
        direction="outgoing",
        externals=list(request.to),
        text=request.content,
        status="queued",
        at=now,
        user_id=user_id,
    )
    steps = outbound_steps(
        list(request.to),
        failing=sim.failing_numbers(),
        sent_after=sim.settings.sent_after,
        delivered_after=sim.settings.delivered_after,
    )
    for step in steps:
        sim.scheduler.after(step.after, _status_job(sim, message.id, step))
    return message


def _status_job(sim: Simulator, message_id: str, step: StatusStep) -> Job:
    workspace = sim.workspace

    async def job() -> None:
        if sim.workspace is not workspace:  # reset since: this message is gone
            return
        message = update_message(
            workspace, workspace.message(message_id), status=step.status, at=sim.now()
        )
        if step.event is not None:
            sim.emit(
                step.event,
                message,
                subject=message.id,
                phone_number_id=message.phone_number_id,
                line_number=message.from_,
            )
        if step.status == "delivered":
            for number in message.to:
                if workspace.own_line(number) is not None:
                    receive_message(sim, sender=message.from_, to=number, text=message.text)

    return job


def receive_message(sim: Simulator, *, sender: str, to: str, text: str) -> Message:
    """A message from `sender` arrives on our line `to`: stored and fired as message.received."""
    check_e164(sender, "/from")
    line = sim.workspace.line(to)
    message = record_message(
        sim.workspace,
        sim.ids,
        line=line,
        direction="incoming",
        externals=[sender],
        sender=sender,
        text=text,
        status="received",
        at=sim.now(),
        user_id=None,
    )
    sim.emit(
        "message.received",
        message,
        subject=message.id,
        phone_number_id=line.id,
        line_number=line.number,
    )
    return message
