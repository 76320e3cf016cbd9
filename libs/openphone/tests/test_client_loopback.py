"""What the client does when OpenPhone does not answer, against loopback sockets.

The simulator always answers; these need a peer that takes a request and stays silent (the
"outcome unknown" case) and a port where nobody listens (the "never sent" case).
"""

from __future__ import annotations

import asyncio
import json
import logging
import socket
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import UTC, datetime

import pytest

from smsbus.openphone import (
    OpenPhoneClient,
    OpenPhoneUnreachable,
    RetryPolicy,
    SendOutcomeUnknown,
    TokenBucket,
)


@dataclass
class SilentServer:
    """Reads each HTTP request in full, records it, and never answers."""

    base_url: str = ""
    requests: list[tuple[str, dict[str, str], bytes]] = field(default_factory=list)
    """(request line, headers with lower-case names, body) per request received."""

    async def handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        head = await reader.readuntil(b"\r\n\r\n")
        line, *header_lines = head.decode("latin-1").strip().split("\r\n")
        headers = {k.strip().lower(): v.strip() for k, v in (h.split(":", 1) for h in header_lines)}
        body = await reader.readexactly(int(headers.get("content-length", "0")))
        self.requests.append((line, headers, body))
        await reader.read()  # until the client gives up and closes
        writer.close()


@pytest.fixture
async def silent_server() -> AsyncIterator[SilentServer]:
    silent = SilentServer()
    server = await asyncio.start_server(silent.handle, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    silent.base_url = f"http://127.0.0.1:{port}"
    async with server:
        yield silent
        server.close()


@pytest.fixture
def closed_port_url() -> str:
    """A loopback URL where connections are refused: the port was bound, then released."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}"


API_KEY = "sk-loopback-test-key-never-shown"
SENT_AT = datetime(2026, 4, 13, 12, 0, tzinfo=UTC)
POLICY = RetryPolicy(max_attempts=3, base_delay=0.01)


class Waits:
    """An injected sleep that only records how long the client asked to wait."""

    def __init__(self) -> None:
        self.seconds: list[float] = []

    async def __call__(self, seconds: float) -> None:
        self.seconds.append(seconds)


def client_for(base_url: str, waits: Waits, *, timeout: float = 0.3) -> OpenPhoneClient:
    return OpenPhoneClient(
        base_url=base_url,
        api_key=API_KEY,
        timeout=timeout,
        retry=POLICY,
        bucket=TokenBucket(rate=1000.0, burst=100),
        sleep=waits,
        now=lambda: SENT_AT,
    )


async def test_a_timed_out_send_is_not_reposted_and_says_outcome_unknown(
    silent_server: SilentServer, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    waits = Waits()
    async with client_for(silent_server.base_url, waits) as client:
        with pytest.raises(SendOutcomeUnknown) as raised:
            await client.send_message(from_="PN123abc", to=["+15555550123"], content="Hi there")

    unknown = raised.value
    assert unknown.request.content == "Hi there"
    assert unknown.request.to == ["+15555550123"]
    assert unknown.request.from_ == "PN123abc"
    assert unknown.sent_at == SENT_AT
    assert "ReadTimeout" in unknown.reason
    assert (unknown.status, unknown.body) == (None, None)
    # Exactly one POST reached the peer, and nothing was scheduled to repeat it.
    assert len(silent_server.requests) == 1
    assert waits.seconds == []
    line, headers, body = silent_server.requests[0]
    assert line == "POST /v1/messages HTTP/1.1"
    assert headers["authorization"] == API_KEY  # the raw key, no "Bearer"
    assert json.loads(body) == {"content": "Hi there", "from": "PN123abc", "to": ["+15555550123"]}
    assert API_KEY not in str(unknown)
    assert API_KEY not in caplog.text


async def test_a_timed_out_read_is_retried_then_reported_unreachable(
    silent_server: SilentServer,
) -> None:
    waits = Waits()
    async with client_for(silent_server.base_url, waits, timeout=0.2) as client:
        with pytest.raises(OpenPhoneUnreachable, match="GET /v1/messages/AC1: sent, but no answer"):
            await client.get_message("AC1")
    assert [line for line, _, _ in silent_server.requests] == ["GET /v1/messages/AC1 HTTP/1.1"] * 3
    assert len(waits.seconds) == 2


async def test_a_send_that_never_connected_is_retried(closed_port_url: str) -> None:
    waits = Waits()
    async with client_for(closed_port_url, waits) as client:
        with pytest.raises(OpenPhoneUnreachable, match="could not connect") as raised:
            await client.send_message(from_="PN123abc", to="+15555550123", content="Hi")
    assert len(waits.seconds) == POLICY.max_attempts - 1
    assert API_KEY not in str(raised.value)


def test_the_client_never_shows_its_key() -> None:
    client = OpenPhoneClient(base_url="http://127.0.0.1:9", api_key=API_KEY)
    assert API_KEY not in repr(client)
    assert API_KEY not in repr(vars(client))


@pytest.mark.parametrize(
    ("options", "complaint"),
    [
        ({"base_url": "http://127.0.0.1:9", "api_key": " "}, "API key is required"),
        ({"base_url": "api.openphone.com", "api_key": API_KEY}, "http\\(s\\) URL"),
    ],
    ids=["blank key", "base URL without a scheme"],
)
def test_a_client_refuses_a_bad_configuration(options: dict[str, str], complaint: str) -> None:
    with pytest.raises(ValueError, match=complaint) as raised:
        OpenPhoneClient(**options)  # type: ignore[arg-type]
    assert API_KEY not in str(raised.value)
