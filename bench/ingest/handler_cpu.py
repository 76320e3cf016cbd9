"""CPU per webhook of the ingest endpoint alone: no HTTP server, no load generator process.

    ./uv run python bench/ingest/handler_cpu.py [--requests 40000] [--concurrency 64] [--rounds 3]

Drives `WebhookIngest` (the ASGI endpoint) directly with the requests run.py sends, publishing to
the local broker (acks=all) on topics of its own, `--concurrency` at a time, and prints the
process CPU time per webhook for the current publish path and for the previous one (FastStream's
`publish_record` under an `asyncio.timeout` per publish), alternating, `--rounds` times each.
CPU time is much less disturbed by other processes on a shared machine than throughput is.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import time
import uuid
from typing import Any

import uvloop
from run import KEY_TEXT, STANDARD_KEY_TEXT, make_requests  # type: ignore[import-not-found]

from smsbus.ingest.api import WebhookIngest
from smsbus.ingest.app import create_app
from smsbus.ingest.settings import Settings
from smsbus.runtime.heap import settle_startup_heap
from smsbus.runtime.kafka import OutgoingRecord, delete_topics, ensure_topics, publish_record


async def previous_publish(self: WebhookIngest, record: OutgoingRecord) -> bool:
    """The publish path before the change: FastStream's wrapper, asyncio.timeout per publish."""
    started = time.perf_counter()
    try:
        async with asyncio.timeout(self.settings.publish_timeout):
            await publish_record(self.broker, record)
    except Exception:
        return False
    self.metrics.published(record.topic, time.perf_counter() - started)
    return True


def asgi_request(raw: bytes) -> tuple[dict[str, Any], bytes]:
    head, _, body = raw.partition(b"\r\n\r\n")
    lines = head.split(b"\r\n")[1:]
    headers = [(name.lower(), value) for name, _, value in (ln.partition(b": ") for ln in lines)]
    scope = {"type": "http", "method": "POST", "path": "/webhooks/openphone", "headers": headers}
    return scope, body


async def drive(ingest: WebhookIngest, requests: list[bytes], concurrency: int) -> float:
    parsed = [asgi_request(raw) for raw in requests]
    cursor = iter(parsed)
    statuses: dict[int, int] = {}

    async def worker() -> None:
        for scope, body in cursor:
            sent: list[dict[str, Any]] = []

            async def receive(body: bytes = body) -> dict[str, Any]:
                return {"type": "http.request", "body": body, "more_body": False}

            async def send(message: dict[str, Any], sent: list[dict[str, Any]] = sent) -> None:
                sent.append(message)

            await ingest(scope, receive, send)
            statuses[sent[0]["status"]] = statuses.get(sent[0]["status"], 0) + 1

    started = time.process_time()
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    cpu = time.process_time() - started
    assert set(statuses) == {202}, statuses
    return cpu / len(parsed) * 1e6


async def main(args: argparse.Namespace) -> None:
    bootstrap = os.environ.get("SMSBUS_KAFKA_BOOTSTRAP", "127.0.0.1:9092")
    run = uuid.uuid4().hex[:8]
    registry = ["openphone.messages.v1", "openphone.calls.v1", "openphone.contacts.v1",
                "ingest.rejected.v1"]  # fmt: skip
    topics = {name: f"bench.{run}.{name}" for name in registry}
    await ensure_topics(bootstrap, topics.values(), partitions=6)
    settings = Settings(
        signing_keys=f"{KEY_TEXT},{STANDARD_KEY_TEXT}",  # type: ignore[arg-type]
        kafka_bootstrap=bootstrap,
        topic_overrides=topics,
        max_in_flight=100_000,
    )
    app = create_app(settings)
    settle_startup_heap()  # as `python -m smsbus.ingest` does before serving
    ingest = app.webhook
    assert isinstance(ingest, WebhookIngest)
    current = WebhookIngest._publish
    results: dict[str, list[float]] = {"current": [], "previous": []}
    try:
        async with app.router.lifespan_context(app):
            await drive(ingest, make_requests(2000, seed=0), args.concurrency)  # warm-up
            for n in range(args.rounds):
                for name, publish in (("current", current), ("previous", previous_publish)):
                    WebhookIngest._publish = publish  # type: ignore[method-assign]
                    requests = make_requests(args.requests, seed=n * 2 + len(name))
                    results[name].append(await drive(ingest, requests, args.concurrency))
                    print(f"{name:<9} {results[name][-1]:6.1f} µs CPU per webhook", flush=True)  # noqa: T201
    finally:
        WebhookIngest._publish = current  # type: ignore[method-assign]
        await delete_topics(bootstrap, topics.values())
    for name, values in results.items():
        print(  # noqa: T201
            f"{name:<9} median {statistics.median(values):6.1f} µs "
            f"(range {min(values):.1f} to {max(values):.1f}) over {len(values)} rounds",
        )
    print(json.dumps({k: [round(v, 1) for v in vs] for k, vs in results.items()}))  # noqa: T201


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=40_000)
    parser.add_argument("--concurrency", type=int, default=64)
    parser.add_argument("--rounds", type=int, default=3)
    uvloop.run(main(parser.parse_args()))
