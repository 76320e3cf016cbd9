"""`OpenPhoneClient`: the REST calls smsbus makes, one thin method each.

    async with OpenPhoneClient(base_url=settings.base_url, api_key=settings.api_key) as op:
        message = await op.send_message(from_="PN…", to=["+1555…"], content="Hi")
        async for message in op.list_messages(phone_number_id="PN…", participants=["+1555…"]):
            ...

Every request waits for its slot in the key's budget (10/s; by default the process-wide bucket,
in the services the one shared through PostgreSQL) at the client's priority, and is retried per
the `RetryPolicy`, except that a send is never re-posted once it may have reached OpenPhone:
then `SendOutcomeUnknown` is raised, and `find_sent_message` looks the message up.
"""

from __future__ import annotations

import asyncio
import copy
import random
from collections.abc import AsyncIterator, Callable, Sequence
from dataclasses import replace
from datetime import datetime, timedelta
from types import TracebackType
from typing import Literal, Self, TypedDict, TypeVar, Unpack

import httpx
from pydantic import BaseModel, SecretStr, ValidationError

from smsbus.contracts import Call, CallSummary, CallTranscript, Message
from smsbus.contracts.rest import (
    Conversation,
    DataResponse,
    ErrorBody,
    ListResponse,
    PhoneNumber,
    RestContact,
    SendMessageRequest,
)
from smsbus.openphone.budget import Budget, Priority
from smsbus.openphone.errors import SendOutcomeUnknown, UnexpectedResponse
from smsbus.openphone.pagination import check_page_size, follow_pages
from smsbus.openphone.query import Params, QueryBuilder, segment, thread_query
from smsbus.openphone.ratelimit import DEFAULT_BURST, DEFAULT_RATE, shared_bucket
from smsbus.openphone.transport.http import USER_AGENT, Now, Sleep, Transport, utc_now
from smsbus.openphone.transport.retry import RetryPolicy

DEFAULT_BASE_URL = "https://api.openphone.com"
DEFAULT_TIMEOUT = 10.0

ModelT = TypeVar("ModelT", bound=BaseModel)
ItemT = TypeVar("ItemT", bound=BaseModel)


class ThreadFilters(TypedDict, total=False):
    """What narrows a conversation's messages or calls, besides its line and participants
    (page_size: 100 unless given)."""

    created_after: datetime | None
    created_before: datetime | None
    user_id: str | None
    page_size: int


class OpenPhoneClient:
    def __init__(
        self,
        *,
        api_key: SecretStr | str,
        base_url: str = DEFAULT_BASE_URL,
        timeout: float | httpx.Timeout = DEFAULT_TIMEOUT,
        retry: RetryPolicy | None = None,
        rate: float = DEFAULT_RATE,
        burst: int = DEFAULT_BURST,
        bucket: Budget | None = None,
        priority: Priority = "transactional",
        agent: str | None = None,
        http_client: httpx.AsyncClient | None = None,
        sleep: Sleep = asyncio.sleep,
        rand: Callable[[], float] = random.random,
        now: Now = utc_now,
    ) -> None:
        """`bucket` defaults to the process-wide one for (base_url, api_key) at `rate`/`burst`;
        `priority` is this client's place in it (`at_priority` gives another). `agent` names the
        calling service in the User-Agent (OpenPhone's and the simulator's logs show who asked).
        `http_client`, when given, is used as is (its own timeouts) and left open on exit."""
        key = api_key if isinstance(api_key, SecretStr) else SecretStr(api_key)
        if not key.get_secret_value().strip():
            raise ValueError("an OpenPhone API key is required")
        if not base_url.startswith(("http://", "https://")):
            raise ValueError(f"base_url must be an http(s) URL, not {base_url!r}")
        self.base_url = base_url.rstrip("/")
        self._owns_http = http_client is None
        self._http = http_client or httpx.AsyncClient(timeout=timeout)
        self._now = now
        self.budget: Budget = bucket or shared_bucket(
            self.base_url, key.get_secret_value(), rate=rate, burst=burst
        )
        self._transport = Transport(
            http=self._http,
            base_url=self.base_url,
            api_key=key,
            bucket=self.budget,
            policy=retry or RetryPolicy(),
            priority=priority,
            sleep=sleep,
            rand=rand,
            now=now,
            user_agent=f"smsbus-{agent}/0.1" if agent else USER_AGENT,
        )

    @property
    def priority(self) -> Priority:
        return self._transport.priority

    def at_priority(self, priority: Priority) -> OpenPhoneClient:
        """The same client (connection pool, budget, key) asking at another priority."""
        other = copy.copy(self)
        other._owns_http = False  # the original closes the pool
        other._transport = replace(self._transport, priority=priority)
        return other

    def __repr__(self) -> str:
        return f"OpenPhoneClient(base_url={self.base_url!r})"

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        if self._owns_http:
            await self._http.aclose()

    # Messages

    async def send_message(
        self,
        *,
        from_: str,
        to: str | Sequence[str],
        content: str,
        user_id: str | None = None,
        set_inbox_status: Literal["done"] | None = None,
    ) -> Message:
        """`POST /v1/messages` from a line (`PN…` id or its E.164 number); the queued message.

        Raises SendOutcomeUnknown when the message may or may not exist (see errors.py); an
        invalid request (empty content, over 1600 characters…) raises ValidationError unsent.
        """
        request = SendMessageRequest(
            content=content,
            from_=from_,
            to=[to] if isinstance(to, str) else list(to),
            user_id=user_id,
            set_inbox_status=set_inbox_status,
        )
        return await self.send(request)

    async def send(self, request: SendMessageRequest, *, prepaid: bool = False) -> Message:
        """`send_message` for a request already built, e.g. `SendOutcomeUnknown.request` once
        `find_sent_message` has shown that the message does not exist. `prepaid`: the caller
        took this send's budget slot itself (`client.budget.acquire`) before its last checks."""
        sent_at = self._now()

        def unknown(reason: str, status: int | None, body: ErrorBody | None) -> SendOutcomeUnknown:
            return SendOutcomeUnknown(
                request=request, sent_at=sent_at, reason=reason, status=status, body=body
            )

        response = await self._transport.request(
            "POST",
            "/v1/messages",
            body=request.model_dump_json(exclude_none=True).encode(),
            unknown_outcome=unknown,
            prepaid=prepaid,
        )
        try:
            return DataResponse[Message].model_validate_json(response.content).data
        except ValidationError as exc:
            # Accepted, so the message exists: the caller must look it up, not send again.
            raise unknown(
                f"accepted ({response.status_code}) but the answer is unreadable",
                response.status_code,
                None,
            ) from exc

    async def find_sent_message(
        self, unknown: SendOutcomeUnknown, *, margin: timedelta = timedelta(minutes=5)
    ) -> Message | None:
        """The message a send with an unknown outcome created, or None if there is none (yet).

        Matches outgoing messages from the line to exactly those recipients with that text,
        created from `sent_at - margin` on (margin covers clock skew); the closest to `sent_at`
        wins. None right after the failure may still turn into a message a moment later.
        """
        request = unknown.request
        line = await self._line_id(request.from_)
        matches = [
            message
            async for message in self.list_messages(
                phone_number_id=line,
                participants=request.to,
                created_after=unknown.sent_at - margin,
            )
            if message.direction == "outgoing"
            and message.text == request.content
            and sorted(message.to) == sorted(request.to)
        ]
        return min(matches, key=lambda m: abs(m.created_at - unknown.sent_at), default=None)

    async def get_message(self, message_id: str) -> Message:
        return (
            await self._get(f"/v1/messages/{segment(message_id)}", DataResponse[Message], ())
        ).data

    def list_messages(
        self, *, phone_number_id: str, participants: Sequence[str], **filters: Unpack[ThreadFilters]
    ) -> AsyncIterator[Message]:
        """Every message of one conversation (our line + these participants), page by page."""
        return self._thread("/v1/messages", Message, phone_number_id, participants, filters)

    # Calls

    async def get_call(self, call_id: str) -> Call:
        return (await self._get(f"/v1/calls/{segment(call_id)}", DataResponse[Call], ())).data

    def list_calls(
        self, *, phone_number_id: str, participants: Sequence[str], **filters: Unpack[ThreadFilters]
    ) -> AsyncIterator[Call]:
        """Every call between our line and the participant (OpenPhone allows exactly one)."""
        return self._thread("/v1/calls", Call, phone_number_id, participants, filters)

    async def get_call_summary(self, call_id: str) -> CallSummary:
        return (
            await self._get(f"/v1/call-summaries/{segment(call_id)}", DataResponse[CallSummary], ())
        ).data

    async def get_call_transcript(self, call_id: str) -> CallTranscript:
        path = f"/v1/call-transcripts/{segment(call_id)}"
        return (await self._get(path, DataResponse[CallTranscript], ())).data

    # Conversations, lines, contacts

    def list_conversations(
        self,
        *,
        phone_numbers: Sequence[str] | None = None,
        user_id: str | None = None,
        created_after: datetime | None = None,
        created_before: datetime | None = None,
        updated_after: datetime | None = None,
        updated_before: datetime | None = None,
        exclude_inactive: bool | None = None,
        page_size: int = 100,
    ) -> AsyncIterator[Conversation]:
        """Conversations, newest first; `phone_numbers` filters by our lines (`PN…` or E.164)."""
        query = (
            QueryBuilder()
            .add_all("phoneNumbers", phone_numbers)
            .add("userId", user_id)
            .add("createdAfter", created_after)
            .add("createdBefore", created_before)
            .add("updatedAfter", updated_after)
            .add("updatedBefore", updated_before)
            .add("excludeInactive", exclude_inactive)
        )
        return self._list("/v1/conversations", Conversation, query, page_size)

    async def list_phone_numbers(self, *, user_id: str | None = None) -> list[PhoneNumber]:
        """Our lines (not paginated by OpenPhone)."""
        params = QueryBuilder().add("userId", user_id).params
        return (await self._get("/v1/phone-numbers", ListResponse[PhoneNumber], params)).data

    async def get_contact(self, contact_id: str) -> RestContact:
        return (
            await self._get(f"/v1/contacts/{segment(contact_id)}", DataResponse[RestContact], ())
        ).data

    def list_contacts(
        self,
        *,
        external_ids: Sequence[str] | None = None,
        sources: Sequence[str] | None = None,
        page_size: int = 50,
    ) -> AsyncIterator[RestContact]:
        query = QueryBuilder().add_all("externalIds", external_ids).add_all("sources", sources)
        return self._list("/v1/contacts", RestContact, query, page_size)

    # Plumbing

    async def _line_id(self, line: str) -> str:
        if line.startswith("PN"):
            return line
        for number in await self.list_phone_numbers():
            if number.number == line:
                return number.id
        raise ValueError(f"no OpenPhone line has the number {line}")

    async def _get(self, path: str, model: type[ModelT], params: Params) -> ModelT:
        response = await self._transport.request("GET", path, params=params)
        try:
            return model.model_validate_json(response.content)
        except ValidationError as exc:
            first = exc.errors()[0]
            where = ".".join(str(part) for part in first["loc"])
            raise UnexpectedResponse(
                f"GET {path}: answer does not match {model.__name__} ({where}: {first['msg']})"
            ) from exc

    def _thread(
        self,
        path: str,
        item: type[ItemT],
        phone_number_id: str,
        participants: Sequence[str],
        filters: ThreadFilters,
    ) -> AsyncIterator[ItemT]:
        """One conversation's activity (messages or calls): our line and these participants."""
        query = thread_query(
            phone_number_id,
            participants,
            filters.get("created_after"),
            filters.get("created_before"),
            filters.get("user_id"),
        )
        return self._list(path, item, query, filters.get("page_size", 100))

    def _list(
        self, path: str, item: type[ItemT], query: QueryBuilder, page_size: int
    ) -> AsyncIterator[ItemT]:
        base = [*query.params, ("maxResults", str(check_page_size(page_size)))]

        async def fetch(token: str | None) -> ListResponse[ItemT]:
            params = base if token is None else [*base, ("pageToken", token)]
            return await self._get(path, ListResponse[item], params)  # type: ignore[valid-type]

        return follow_pages(fetch)
