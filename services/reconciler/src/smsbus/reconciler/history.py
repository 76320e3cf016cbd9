"""OpenPhone's history for one window, through the REST API: our lines → the conversations
active in the window → their messages and calls → the facts they prove."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from smsbus.contracts.rest import Conversation, PhoneNumber
from smsbus.openphone import OpenPhoneClient
from smsbus.reconciler.domain.facts import Fact, call_facts, message_facts
from smsbus.reconciler.domain.windows import Window


class UnknownLine(LookupError):
    """A configured line is not one of the API key's lines."""


@dataclass
class History:
    lines: int = 0
    conversations: int = 0
    messages: int = 0
    calls: int = 0
    facts: list[Fact] = field(default_factory=list)


async def fetch_history(
    client: OpenPhoneClient,
    *,
    lines: Sequence[str],
    window: Window,
    page_size: int = 100,
    concurrency: int = 4,
) -> History:
    """Every fact of messages and calls created in the window on our lines. OpenPhone errors
    (after the client's own retries) propagate: the run fails and its window is retried.

    Up to `concurrency` conversations are read at once: one request at a time would make the
    round trip, not OpenPhone's 10 requests/s (which the client paces), the bound of a run.
    """
    history = History()
    limit = asyncio.Semaphore(concurrency)

    async def read(line: PhoneNumber, conversation: Conversation) -> None:
        async with limit:
            await read_conversation(
                client, history, line.id, conversation.participants,
                created_after=window.start, created_before=window.end, page_size=page_size,
            )  # fmt: skip

    try:
        async with asyncio.TaskGroup() as tasks:
            for line in choose_lines(await client.list_phone_numbers(), wanted=lines):
                history.lines += 1
                conversations = client.list_conversations(
                    phone_numbers=[line.id], updated_after=window.start, page_size=page_size
                )
                async for conversation in conversations:
                    history.conversations += 1
                    tasks.create_task(read(line, conversation))
    except ExceptionGroup as failed:
        raise _first(failed) from None
    return history


def _first(group: ExceptionGroup[Exception]) -> Exception:
    """The first error of a failed task group, for the run's `error` (not "1 sub-exception")."""
    first = group.exceptions[0]
    return _first(first) if isinstance(first, ExceptionGroup) else first


def choose_lines(available: Sequence[PhoneNumber], *, wanted: Sequence[str]) -> list[PhoneNumber]:
    """The lines to reconcile: all of them, or the configured ones (by `PN…` id or number)."""
    if not wanted:
        return list(available)
    chosen = [line for line in available if line.id in wanted or line.number in wanted]
    known = {ref for line in chosen for ref in (line.id, line.number)}
    unknown = [ref for ref in wanted if ref not in known]
    if unknown:
        raise UnknownLine(f"{len(unknown)} configured line(s) are not lines of this API key")
    return chosen


async def fetch_conversations(
    client: OpenPhoneClient,
    conversations: Sequence[Conversation],
    *,
    created_after: Callable[[Conversation], datetime],
    page_size: int = 100,
    concurrency: int = 4,
) -> History:
    """The facts of these conversations' messages and calls created after
    `created_after(conversation)` (the fast pass's reads)."""
    history = History(conversations=len(conversations))
    limit = asyncio.Semaphore(concurrency)

    async def read(conversation: Conversation) -> None:
        async with limit:
            await read_conversation(
                client, history, conversation.phone_number_id, conversation.participants,
                created_after=created_after(conversation), page_size=page_size,
            )  # fmt: skip

    try:
        async with asyncio.TaskGroup() as tasks:
            for conversation in conversations:
                tasks.create_task(read(conversation))
    except ExceptionGroup as failed:
        raise _first(failed) from None
    return history


async def read_conversation(
    client: OpenPhoneClient,
    history: History,
    line_id: str,
    participants: Sequence[str],
    *,
    created_after: datetime,
    created_before: datetime | None = None,
    page_size: int,
) -> None:
    """One request for its messages, one for its calls (a page holds 100 of them)."""
    if not participants:
        return
    listing: dict[str, Any] = {
        "phone_number_id": line_id,
        "participants": participants,
        "created_after": created_after,
        "created_before": created_before,
        "page_size": page_size,
    }
    async for message in client.list_messages(**listing):
        history.messages += 1
        history.facts.extend(message_facts(message))
    if len(participants) != 1:
        return  # OpenPhone lists calls with exactly one participant; groups have none
    async for call in client.list_calls(**listing):
        history.calls += 1
        history.facts.extend(call_facts(call))
