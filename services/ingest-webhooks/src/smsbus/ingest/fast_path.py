"""The app class that hands POST /webhooks/openphone straight to its ASGI endpoint."""

from __future__ import annotations

from fastapi import FastAPI
from starlette.types import ASGIApp, Receive, Scope, Send

from smsbus.ingest.api import WEBHOOK_PATH


class IngestAPI(FastAPI):
    """FastAPI, with POST /webhooks/openphone handed straight to its ASGI endpoint.

    Every other request (and any other method on the webhook path, answered 405) goes through
    FastAPI as usual. The webhook skips FastAPI's and Starlette's middleware stack and router:
    a fifth of the CPU one webhook costs (bench/README.md). So a middleware added to this app
    does not see webhooks; the endpoint handles its own errors.
    """

    webhook: ASGIApp | None = None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if (
            self.webhook is not None
            and scope["type"] == "http"
            and scope["path"] == WEBHOOK_PATH
            and scope["method"] == "POST"
        ):
            await self.webhook(scope, receive, send)
            return
        await super().__call__(scope, receive, send)
