"""The two baselines bench/ingest/run.py measures smsbus ingest against, one process each.

    python bench/ingest/servers.py bare --port 18180
        (a) the ceiling of the HTTP stack: the same FastAPI + uvicorn, reads the body, answers 202.
    python bench/ingest/servers.py postgres --port 18182 --database-url ... --schema bench_x
        (c) what the old Flask system did: verify the signature, parse, INSERT the webhook into
        PostgreSQL (a unique event id, the payload as jsonb), commit, then answer 202.

Both run under the same uvicorn configuration as `python -m smsbus.ingest` (uvloop, httptools,
no access log) and with its garbage-collector settings (smsbus.runtime.heap).
"""

from __future__ import annotations

import argparse
import json
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import asyncpg
import uvicorn
from fastapi import FastAPI, Request, Response

from smsbus.openphone.signing import SignatureError, parse_keys, verify
from smsbus.runtime.heap import settle_startup_heap

ACCEPTED = b'{"accepted":true}'


def bare_app() -> FastAPI:
    app = FastAPI(docs_url=None, redoc_url=None)

    @app.post("/webhooks/openphone")
    async def receive(request: Request) -> Response:
        await request.body()
        return Response(ACCEPTED, status_code=202, media_type="application/json")

    return app


def postgres_app(database_url: str, schema: str, signing_keys: str) -> FastAPI:
    keys = parse_keys(signing_keys)
    dsn = database_url.replace("postgresql+asyncpg://", "postgresql://")
    state: dict[str, asyncpg.Pool] = {}
    insert = (
        f"INSERT INTO {schema}.webhook_events (event_id, event_type, payload) "
        "VALUES ($1, $2, $3::jsonb) ON CONFLICT (event_id) DO NOTHING"
    )

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        state["pool"] = await asyncpg.create_pool(dsn, min_size=10, max_size=10)
        try:
            yield
        finally:
            await state["pool"].close()

    app = FastAPI(docs_url=None, redoc_url=None, lifespan=lifespan)

    @app.post("/webhooks/openphone")
    async def receive(request: Request) -> Response:
        body = await request.body()
        try:
            verify(body, request.headers, keys, now=time.time())
        except SignatureError as exc:
            return Response(json.dumps({"reason": exc.failure.value}), status_code=401)
        payload = json.loads(body)
        async with state["pool"].acquire() as connection:
            await connection.execute(insert, payload["id"], payload["type"], body.decode())
        return Response(ACCEPTED, status_code=202, media_type="application/json")

    return app


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("kind", choices=["bare", "postgres"])
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--database-url", default="")
    parser.add_argument("--schema", default="")
    parser.add_argument("--signing-keys", default="")
    args = parser.parse_args()
    app = (
        bare_app()
        if args.kind == "bare"
        else postgres_app(args.database_url, args.schema, args.signing_keys)
    )
    settle_startup_heap()  # the garbage-collector settings of `python -m smsbus.ingest`
    uvicorn.run(
        app,
        host="127.0.0.1",
        port=args.port,
        access_log=False,
        log_level="warning",
        proxy_headers=False,
        server_header=False,
    )  # the same uvicorn options as `python -m smsbus.ingest`


if __name__ == "__main__":
    main()
